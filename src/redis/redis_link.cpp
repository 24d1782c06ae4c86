#include "redis/redis_link.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "redis/asio_adapter.hpp"

namespace restws::pubsub::redis_detail {

namespace {
// hiredis's data field points at this, so that a context's callbacks find their link and owner.
struct context_data_t {
  redis_link_t* link;
  void* owner;
};
}  // namespace

redis_link_t::redis_link_t(asio::io_context& io, const redis_bridge_settings_t& settings,
                           std::string role, std::uint64_t seed, void* owner, link_events_t events)
    : io_{io},
      settings_{settings},
      role_{std::move(role)},
      owner_{owner},
      events_{std::move(events)},
      timer_{io},
      backoff_{settings.reconnect_min, settings.reconnect_max, seed} {}

redis_link_t::~redis_link_t() {
  try {
    stop();
  } catch (...) {  // timer_.cancel() reports a failure of the system only by throwing
  }
}

void* redis_link_t::owner_of(const redisAsyncContext* ac) {
  return static_cast<const context_data_t*>(ac->data)->owner;
}

std::string redis_link_t::where() const {
  return role_ + " connection to " + settings_.host + ":" + std::to_string(settings_.port);
}

void redis_link_t::start() { connect(); }

void redis_link_t::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  if (redisAsyncContext* ac = std::exchange(ac_, nullptr)) {
    up_ = false;
    auto* data = static_cast<context_data_t*>(ac->data);
    redisAsyncFree(ac);  // runs the pending reply callbacks and on_disconnect, which see stopped_
    delete data;
  }
}

void redis_link_t::connect() {
  ++attempt_;
  redisAsyncContext* ac = redisAsyncConnect(settings_.host.c_str(), settings_.port);
  if (ac == nullptr) return failed("cannot allocate a hiredis context", false);
  if (ac->err != 0) {  // e.g. refused at once
    const std::string why = ac->errstr;
    redisAsyncFree(ac);
    return failed(why, false);
  }
  if (!drive_with_asio(ac, io_)) {
    redisAsyncFree(ac);
    return failed("cannot register the socket with the io_context", false);
  }
  ac->data = new context_data_t{this, owner_};
  ac_ = ac;
  redisAsyncSetDisconnectCallback(ac, &redis_link_t::on_disconnect);
  redisAsyncSetConnectCallback(ac, &redis_link_t::on_connect);  // asks for a write at once

  timer_.expires_after(settings_.connect_timeout);
  timer_.async_wait([weak = weak_from_this(), attempt = attempt_](const std::error_code& ec) {
    const auto self = weak.lock();
    if (ec || !self || self->stopped_ || self->attempt_ != attempt || self->up_ || !self->ac_)
      return;
    redisAsyncContext* stale = std::exchange(self->ac_, nullptr);
    auto* data = static_cast<context_data_t*>(stale->data);
    redisAsyncFree(stale);  // not connected: no callback
    delete data;
    self->failed("connect timed out", false);
  });
}

void redis_link_t::on_connect(const redisAsyncContext* ac, int status) {
  auto* data = static_cast<context_data_t*>(ac->data);
  redis_link_t& self = *data->link;
  if (status != REDIS_OK) {
    // hiredis frees the context when this returns (no on_disconnect: it never connected).
    const std::string why = ac->errstr;
    self.ac_ = nullptr;
    delete data;
    return self.failed(why, false);
  }
  self.up_ = true;
  self.outage_logged_ = false;
  self.timer_.cancel();
  self.backoff_.reset();
  if (self.events_.connects) ++*self.events_.connects;
  self.events_.log("redis bridge: " + self.where() + " up");
  if (self.events_.up) self.events_.up(self.ac_);
}

void redis_link_t::on_disconnect(const redisAsyncContext* ac, int status) {
  auto* data = static_cast<context_data_t*>(ac->data);
  redis_link_t& self = *data->link;
  if (self.stopped_) return;  // stop() frees the data
  const std::string why = status == REDIS_OK || ac->errstr[0] == '\0' ? "closed" : ac->errstr;
  self.ac_ = nullptr;
  self.up_ = false;
  delete data;  // hiredis frees the context when this returns
  if (self.events_.down) self.events_.down();
  self.failed(why, true);
}

void redis_link_t::failed(std::string_view why, bool was_up) {
  if (events_.disconnects) ++*events_.disconnects;
  const auto delay = backoff_.next();
  if (was_up || !outage_logged_) {
    outage_logged_ = true;
    events_.log("redis bridge: " + where() + (was_up ? " lost (" : " failed (") + std::string{why} +
                "); retrying in " + std::to_string(delay.count()) +
                " ms, then with backoff up to " + std::to_string(settings_.reconnect_max.count()) +
                " ms");
  }
  timer_.expires_after(delay);
  timer_.async_wait([weak = weak_from_this()](const std::error_code& ec) {
    const auto self = weak.lock();
    if (ec || !self || self->stopped_) return;
    self->connect();
  });
}

}  // namespace restws::pubsub::redis_detail
