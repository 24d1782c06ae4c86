#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <asio/post.hpp>
#include <iostream>
#include <random>

#include "redis/channel_name.hpp"
#include "redis/envelope.hpp"
#include "redis/redis_bridge_impl.hpp"

namespace restws::pubsub {

namespace redis_detail {

namespace {

std::uint64_t random_node_id() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

std::string_view text_of(const redisReply* r) {
  return r->type == REDIS_REPLY_STRING ? std::string_view{r->str, r->len} : std::string_view{};
}

}  // namespace

redis_bridge_impl_t::redis_bridge_impl_t(redis_bridge_settings_t settings)
    : settings_{std::move(settings)}, node_{random_node_id()} {}

redis_bridge_impl_t::~redis_bridge_impl_t() = default;

void redis_bridge_impl_t::log(std::string_view line) const {
  if (settings_.log) return settings_.log(line);
  std::clog << line << '\n';
}

// ---- any thread --------------------------------------------------------------------------------

void redis_bridge_impl_t::attach(topic_hub_t& hub, asio::io_context& io) {
  std::lock_guard lock{mutex_};
  io_ = &io;
  hub_ = &hub;
  const auto generation = ++generation_;
  sync_posted_ = true;  // start() subscribes to what is active
  asio::post(io, [self = shared_from_this(), generation] { self->start(generation); });
}

void redis_bridge_impl_t::on_topic_active(std::string_view topic, bool active) {
  // Under the hub's lock: only our own state and a post, never a call into the hub.
  std::lock_guard lock{mutex_};
  book_.set_active(channel_of(settings_.channel_prefix, topic), active);
  if (io_ == nullptr || sync_posted_) return;
  sync_posted_ = true;
  asio::post(*io_, [self = shared_from_this()] { self->sync_subscriptions(); });
}

void redis_bridge_impl_t::on_publish(std::string_view topic, const shared_payload_t& payload,
                                     opcode_t opcode) {
  if (!publisher_up_.load(std::memory_order_acquire)) {
    lost_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const std::string_view bytes = payload ? std::string_view{*payload} : std::string_view{};
  std::string channel = channel_of(settings_.channel_prefix, topic);
  std::string envelope = encode_envelope(node_, opcode, bytes);
  // What waits for Redis: the command's bytes, until Redis answers it.
  const std::size_t cost = channel.size() + envelope.size();
  if (pending_bytes_.fetch_add(cost, std::memory_order_relaxed) + cost >
      settings_.max_pending_bytes) {
    pending_bytes_.fetch_sub(cost, std::memory_order_relaxed);
    lost_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::lock_guard lock{mutex_};
  if (io_ == nullptr) {
    pending_bytes_.fetch_sub(cost, std::memory_order_relaxed);
    lost_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  outbox_.push_back({std::move(channel), std::move(envelope), cost});
  if (std::exchange(drain_posted_, true)) return;
  asio::post(*io_, [self = shared_from_this()] { self->drain_outbox(); });
}

redis_bridge_stats_t redis_bridge_impl_t::stats() const {
  redis_bridge_stats_t s;
  s.connected = publisher_up_.load() && subscriber_up_.load();
  s.channels = channels_.load();
  s.pending_bytes = pending_bytes_.load();
  s.connects = connects_.load();
  s.disconnects = disconnects_.load();
  s.forwarded = forwarded_.load();
  s.received = received_.load();
  s.lost = lost_.load();
  s.dropped = dropped_.load();
  return s;
}

// ---- io thread ---------------------------------------------------------------------------------

void redis_bridge_impl_t::start(std::uint64_t generation) {
  asio::io_context* io = nullptr;
  {
    std::lock_guard lock{mutex_};
    if (generation != generation_) return;  // detached (or attached again) meanwhile
    io_hub_ = hub_;
    io = io_;
  }
  running_ = generation;
  subscribed_before_ = false;
  link_events_t pub;
  pub.up = [this](redisAsyncContext*) { publisher_up_.store(true, std::memory_order_release); };
  pub.down = [this] { publisher_up_.store(false, std::memory_order_release); };
  pub.log = [this](std::string_view line) { log(line); };
  pub.connects = &connects_;
  pub.disconnects = &disconnects_;
  link_events_t sub = pub;
  sub.up = [this](redisAsyncContext* ac) { subscribe_side_up(ac); };
  sub.down = [this] { subscribe_side_down(); };
  // Different seeds: the two links (and the nodes) do not retry in step.
  publisher_ = std::make_shared<redis_link_t>(*io, settings_, "publish", node_, this, pub);
  subscriber_ = std::make_shared<redis_link_t>(*io, settings_, "subscribe", ~node_, this, sub);
  publisher_->start();
  subscriber_->start();
}

void redis_bridge_impl_t::detach() {
  {
    std::lock_guard lock{mutex_};
    io_ = nullptr;
    hub_ = nullptr;
    ++generation_;
    sync_posted_ = false;
    book_.connection_down();
    for (const auto& m : outbox_) {  // not sent: Redis never sees them
      pending_bytes_.fetch_sub(m.cost, std::memory_order_relaxed);
      lost_.fetch_add(1, std::memory_order_relaxed);
    }
    outbox_.clear();
    drain_posted_ = false;
  }
  running_ = 0;
  // Frees both hiredis contexts now: their sockets leave the io_context, the publishes waiting
  // for an answer are counted as lost (on_publish_reply with null), and no callback comes after.
  auto publisher = std::move(publisher_);
  auto subscriber = std::move(subscriber_);
  if (publisher) publisher->stop();
  if (subscriber) subscriber->stop();
  publisher_up_.store(false);
  subscriber_up_.store(false);
  channels_.store(0);
  io_hub_ = nullptr;
}

void redis_bridge_impl_t::drain_outbox() {
  {
    std::lock_guard lock{mutex_};
    std::swap(outbox_, draining_);
    drain_posted_ = false;
  }
  // hiredis queues them all in its output buffer: they leave in one write.
  for (const auto& m : draining_) publish_now(m);
  draining_.clear();
}

void redis_bridge_impl_t::publish_now(const outgoing_t& m) {
  redisAsyncContext* ac = running_ != 0 && publisher_ ? publisher_->context() : nullptr;
  const std::size_t cost = m.cost;
  if (ac != nullptr) {
    const char* argv[] = {"PUBLISH", m.channel.data(), m.envelope.data()};
    const std::size_t lengths[] = {7, m.channel.size(), m.envelope.size()};
    // Redis answers in order on one connection (and hiredis fails what is left in order), so
    // each answer takes the oldest cost.
    if (redisAsyncCommandArgv(ac, &on_publish_reply, nullptr, 3, argv, lengths) == REDIS_OK) {
      publish_costs_.push_back(cost);
      return;
    }
  }
  pending_bytes_.fetch_sub(cost, std::memory_order_relaxed);
  lost_.fetch_add(1, std::memory_order_relaxed);
}

void redis_bridge_impl_t::on_publish_reply(redisAsyncContext* ac, void* r, void*) {
  auto& self = *static_cast<redis_bridge_impl_t*>(redis_link_t::owner_of(ac));
  if (!self.publish_costs_.empty()) {
    self.pending_bytes_.fetch_sub(self.publish_costs_.front(), std::memory_order_relaxed);
    self.publish_costs_.pop_front();
  }
  const auto* reply = static_cast<const redisReply*>(r);
  // Null: the connection went before Redis answered; an error: Redis refused it.
  if (reply == nullptr || reply->type == REDIS_REPLY_ERROR)
    self.lost_.fetch_add(1, std::memory_order_relaxed);
  else
    self.forwarded_.fetch_add(1, std::memory_order_relaxed);
}

void redis_bridge_impl_t::sync_subscriptions() {
  std::vector<subscription_command_t> commands;
  {
    std::lock_guard lock{mutex_};
    sync_posted_ = false;
    commands = book_.take_commands();
  }
  redisAsyncContext* ac = subscriber_ ? subscriber_->context() : nullptr;
  if (ac == nullptr) return;  // the book is down too: nothing was taken
  for (const auto& c : commands) {
    const char* argv[] = {c.subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE", c.channel.data()};
    const std::size_t lengths[] = {c.subscribe ? 9u : 11u, c.channel.size()};
    // Unsubscribe replies go to the channel's subscribe callback; the null callback is not used.
    if (redisAsyncCommandArgv(ac, c.subscribe ? &on_subscribe_reply : nullptr, this, 2, argv,
                              lengths) != REDIS_OK)
      log("redis bridge: cannot send " + std::string{argv[0]} + " " + c.channel);
  }
}

void redis_bridge_impl_t::subscribe_side_up(redisAsyncContext*) {
  std::size_t wanted = 0;
  {
    std::lock_guard lock{mutex_};
    book_.connection_up();
    wanted = book_.wanted_count();
  }
  subscriber_up_.store(true, std::memory_order_release);
  const bool again = std::exchange(subscribed_before_, true);
  if (again || wanted != 0)
    log("redis bridge: " + std::string{again ? "re" : ""} + "subscribed " + std::to_string(wanted) +
        (wanted == 1 ? " channel" : " channels"));
  sync_subscriptions();
}

void redis_bridge_impl_t::subscribe_side_down() {
  subscriber_up_.store(false, std::memory_order_release);
  std::lock_guard lock{mutex_};
  book_.connection_down();
  channels_.store(0);
}

void redis_bridge_impl_t::on_subscribe_reply(redisAsyncContext* ac, void* r, void*) {
  const auto* reply = static_cast<const redisReply*>(r);
  if (reply == nullptr) return;  // the connection is going: subscribe_side_down() follows
  auto& self = *static_cast<redis_bridge_impl_t*>(redis_link_t::owner_of(ac));
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
  const std::string_view kind = text_of(reply->element[0]);
  const std::string_view channel = text_of(reply->element[1]);
  if (kind == "message") return self.received(channel, text_of(reply->element[2]));
  if (kind != "subscribe" && kind != "unsubscribe") return;
  {
    std::lock_guard lock{self.mutex_};
    self.book_.confirmed(channel, kind == "subscribe");
    self.channels_.store(self.book_.subscribed_count());
  }
  self.sync_subscriptions();  // the channel may have changed its mind while this was in flight
}

void redis_bridge_impl_t::received(std::string_view channel, std::string_view bytes) {
  if (bytes.size() > settings_.max_message_bytes)
    return drop("a message over max_message_bytes (" + std::to_string(settings_.max_message_bytes) +
                ")");
  const auto envelope = parse_envelope(bytes);
  if (!envelope) return drop("a message that is not a restws envelope");
  if (envelope->node == node_) return;  // ours, already delivered here when published
  const auto topic = topic_of(settings_.channel_prefix, channel);
  if (!topic || io_hub_ == nullptr) return drop("a message on a channel outside the prefix");
  auto payload = envelope->payload.empty() ? shared_payload_t{}
                                           : std::make_shared<const std::string>(envelope->payload);
  received_.fetch_add(1, std::memory_order_relaxed);
  io_hub_->publish_local(*topic, std::move(payload), envelope->opcode);
}

void redis_bridge_impl_t::drop(std::string_view why) {
  dropped_.fetch_add(1, std::memory_order_relaxed);
  if (std::exchange(drop_logged_, true)) return;
  log("redis bridge: dropped " + std::string{why} +
      " (said once; redis_bridge_t::stats().dropped counts them)");
}

}  // namespace redis_detail

std::shared_ptr<redis_bridge_t> make_redis_bridge(redis_bridge_settings_t settings) {
  return std::make_shared<redis_detail::redis_bridge_impl_t>(std::move(settings));
}

}  // namespace restws::pubsub
