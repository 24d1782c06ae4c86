#include "reactor.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <atomic>
#include <string>
#include <utility>

#include "../websocket/io_uring_choice.hpp"
#include "connection.hpp"
#include "server_core_impl.hpp"
#include "slab_pool.hpp"

namespace restws::detail {
namespace {
thread_local reactor_t* current_reactor = nullptr;
}  // namespace

reactor_t* reactor_t::current() noexcept { return current_reactor; }

void reactor_t::run() {
  reactor_t* const previous = std::exchange(current_reactor, this);
  for (;;) {
    try {
      io_.run();
      break;
    } catch (const std::exception& ex) {  // never lose a reactor to a stray exception
      logger().error([&] { return std::string{"reactor: exception: "} + ex.what(); });
    } catch (...) {
      logger().error([] { return std::string{"reactor: unknown exception"}; });
    }
  }
  // Run what is already ready (completions of operations cancelled by closes), so that objects
  // which release themselves in those handlers are not merely abandoned with the io_context.
  io_.restart();
  for (int i = 0; i < 100; ++i) {
    try {
      if (io_.poll() == 0) break;
    } catch (...) {
      logger().error([] { return std::string{"reactor: exception while draining"}; });
    }
  }
  current_reactor = previous;
}

namespace {
// io_uring_mode_t::automatic: what a system call costs here (io_uring_choice.hpp), and the
// choice logged once per process, with the first logger to ask.
std::chrono::nanoseconds automatic_io_uring_cost(abstract_logger_t& logger) {
  static std::atomic<bool> logged{false};
  return websocket::basic::detail::system_call_cost_logged(
      logger, logged, "http", "HTTP connections", "server_settings_t::io_uring");
}
}  // namespace

void reactor_t::use_io_uring() {
  const io_uring_mode_t mode = config_.io_uring;
  if (!websocket::basic::detail::wants_io_uring(
          mode, [this] { return automatic_io_uring_cost(logger()); }))
    return;
  std::error_code ec;
  if (poller_->enable_uring(ec)) return;
  // Once per process: every reactor of a pool would say the same.
  static std::atomic<bool> logged{false};
  if (logged.exchange(true, std::memory_order_relaxed)) return;
  auto message = [&ec] {
    return "http: io_uring unavailable (" + ec.message() + "): plain system calls";
  };
  if (mode == io_uring_mode_t::on)
    logger().warn(message);
  else
    logger().info(message);
}

reactor_t::reactor_t(server_core_impl_t& core, const server_config_t& config)
    : core_{core}, config_{config} {
  poller_.emplace(io_);
  // TLS connections use plain system calls: their reads and writes go through OpenSSL.
  if (!config.tls_context) use_io_uring();
  gate_->reactor = this;
  // A few ticks per shortest timeout, at most every 100 ms, at least every 5 ms.
  const auto shortest =
      std::min({config.read_next_http_message_timelimit, config.write_http_response_timelimit,
                config.handle_request_timeout, config.linger_timelimit,
                config.tls_context ? config.tls_handshake_timelimit : clock_t::duration::max()});
  tick_period_ = std::clamp<clock_t::duration>(shortest / 4, std::chrono::milliseconds{5},
                                               std::chrono::milliseconds{100});
}

reactor_t::~reactor_t() {
  deferred_reads_.clear();
  {
    std::lock_guard lock{gate_->mutex};
    gate_->reactor = nullptr;
  }
  // Connections still listed (the server never ran its stop sequence) are released here.
  while (first_) {
    connection_t* c = first_;
    first_ = c->next_;
    c->next_ = c->prev_ = nullptr;
    c->linked_ = false;
    c->self_.reset();
  }
}

void reactor_t::start() { schedule_tick(); }

std::shared_ptr<const tls_contexts_t> reactor_t::tls() const {
  return config_.tls_context ? core_.tls() : nullptr;
}

void reactor_t::defer_read(std::shared_ptr<connection_t> c) {
  deferred_reads_.push_back(std::move(c));
  if (deferred_reads_.size() != 1) return;
  asio::post(io_, [this] {
    std::swap(deferred_reads_, draining_reads_);
    for (const auto& connection : draining_reads_) connection->read_deferred();
    draining_reads_.clear();
  });
}

void reactor_t::schedule_tick() {
  ticker_.expires_after(tick_period_);
  ticker_.async_wait([this](const std::error_code& ec) {
    if (!ec) tick();
  });
}

void reactor_t::tick() {
  const auto now = clock_t::now();
  for (connection_t* c = first_; c;) {
    connection_t* next = c->next_;  // c may unlink itself; it stays alive until a posted release
    c->check_deadlines(now);
    c = next;
  }
  if (finishing_ && (!handoffs_alive() || now >= finish_deadline_)) {
    if (!handoffs_.empty()) {
      logger().warn([] {
        return std::string{
            "stop: handed-off connections (WebSockets) still open after "
            "handoff_stop_timelimit: closing them"};
      });
    }
    kill_handoffs();
    io_.stop();
    return;
  }
  schedule_tick();
}

void reactor_t::add_connection(asio::ip::tcp::socket socket, connection_id_t id) {
  if (stopping_) {
    std::error_code ec;
    socket.close(ec);
    return;
  }
  // From a pool of connections, not the heap: see slab_pool.hpp.
  auto c = std::allocate_shared<connection_t>(pooled_allocator_t<connection_t, 16 * 1024>{}, *this,
                                              std::move(socket), id);
  c->self_ = c;
  c->next_ = first_;
  if (first_) first_->prev_ = c.get();
  first_ = c.get();
  c->linked_ = true;
  ++connection_count_;
  c->start();
}

void reactor_t::remove_connection(connection_t& c) {
  if (c.prev_)
    c.prev_->next_ = c.next_;
  else
    first_ = c.next_;
  if (c.next_) c.next_->prev_ = c.prev_;
  c.prev_ = c.next_ = nullptr;
  --connection_count_;
  // Released later: the connection may be inside one of its own member functions right now.
  asio::post(io_, [self = std::move(c.self_)] {});
  check_drained();
}

std::shared_ptr<handoff_registration_t> reactor_t::register_handoff() {
  auto r = std::make_shared<handoff_registration_impl_t>();
  // Forget released registrations once they could make up half of the list: a scan per
  // hand-off would make a storm of N upgrades cost N² checks.
  if (handoffs_.size() >= 2 * handoffs_after_sweep_ + 16) {
    std::erase_if(handoffs_, [](const auto& w) { return w.expired(); });
    handoffs_after_sweep_ = handoffs_.size();
  }
  handoffs_.push_back(r);
  return r;
}

bool reactor_t::handoffs_alive() {
  std::erase_if(handoffs_, [](const auto& w) { return w.expired(); });
  handoffs_after_sweep_ = handoffs_.size();
  return !handoffs_.empty();
}

void reactor_t::begin_stop() {
  if (stopping_) return;
  stopping_ = true;
  for (connection_t* c = first_; c;) {
    connection_t* next = c->next_;
    c->on_server_stop();
    c = next;
  }
  for (const auto& w : handoffs_) {
    if (auto r = w.lock()) {
      if (auto handler = r->take_stop_handler()) {
        try {
          handler();
        } catch (const std::exception& ex) {
          logger().error([&] { return std::string{"stop handler threw: "} + ex.what(); });
        } catch (...) {
          logger().error([] { return std::string{"stop handler threw"}; });
        }
      }
    }
  }
  check_drained();
}

void reactor_t::check_drained() {
  if (stopping_ && connection_count_ == 0 && !drained_reported_) {
    drained_reported_ = true;
    core_.reactor_drained();
  }
}

void reactor_t::kill_handoffs() {
  for (const auto& w : handoffs_) {
    auto r = w.lock();
    if (!r) continue;
    if (auto handler = r->take_kill_handler()) {
      try {
        handler();
      } catch (...) {
        logger().error([] { return std::string{"hand-off kill handler threw"}; });
      }
    }
  }
}

void reactor_t::finish_stop() {
  finishing_ = true;
  finish_deadline_ = clock_t::now() + config_.handoff_stop_timelimit;
  if (!handoffs_alive()) io_.stop();
}

}  // namespace restws::detail
