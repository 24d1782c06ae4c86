#include "ws_topics.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "ws_connection.hpp"
#include "ws_poller.hpp"

// Topics, the connection's side: subscribing (on the connection's thread), leaving every topic
// when the close starts, and queuing a published message with the backpressure rules of
// topics.hpp. The frame is made once per thread (published_frame_t) and shared by every queue.

namespace restws::websocket::basic::detail {

using pubsub::detail::delivery_count_t;
using pubsub::detail::published_t;
using pubsub::detail::topic_change_t;

namespace {
published_frame_t::variant_t make_variant(const published_t& m, shared_payload_t payload,
                                          bool compressed) {
  published_frame_t::variant_t v;
  protocol::frame_header_t h;
  h.fin = true;
  h.opcode = m.opcode;
  h.rsv1 = compressed;
  h.payload_length = payload ? payload->size() : 0;
  v.header_size = static_cast<std::uint8_t>(protocol::write_frame_header(v.header, h));
  v.payload = std::move(payload);
  return v;
}
}  // namespace

published_frame_t::published_frame_t(const published_t& m)
    : message{m}, plain{make_variant(m, m.payload, false)} {}

// ---- the shard -------------------------------------------------------------------------------

topic_shard_t::topic_shard_t(ws_poller_t& poller,
                             std::shared_ptr<pubsub::detail::topic_hub_impl_t> hub)
    : topic_shard_base_t{poller.io()}, poller_{poller}, hub_{std::move(hub)} {}

topic_shard_t::~topic_shard_t() { hub_->remove_shard(*this); }

void topic_shard_t::subscribe(ws_connection_t& c, std::string_view topic) {
  topic_change_t change;
  {
    std::lock_guard lock{mutex_};
    change = registry_.subscribe(&c, topic);
  }
  hub_->count_changed(*this, topic, change);
}

void topic_shard_t::unsubscribe(ws_connection_t& c, std::string_view topic) {
  topic_change_t change;
  {
    std::lock_guard lock{mutex_};
    change = registry_.unsubscribe(&c, topic);
  }
  hub_->count_changed(*this, topic, change);
}

void topic_shard_t::unsubscribe_all(ws_connection_t& c) {
  // Every topic left is one fewer subscriber; the hub hears of each after the lock is released.
  std::vector<std::pair<std::string, topic_change_t>> left;
  {
    std::lock_guard lock{mutex_};
    registry_.unsubscribe_all(&c, [&](std::string_view name, topic_change_t change) {
      left.emplace_back(std::string{name}, change);
    });
  }
  for (const auto& [name, change] : left) hub_->count_changed(*this, name, change);
}

bool topic_shard_t::has_subscriber(const void* subscriber, std::string_view topic) const {
  std::lock_guard lock{mutex_};
  return registry_.is_subscribed(static_cast<const ws_connection_t*>(subscriber), topic);
}

void topic_shard_t::deliver(std::span<const published_t* const> batch) {
  std::vector<ws_connection_t*> receivers;
  if (!spare_.empty()) {
    receivers = std::move(spare_.back());
    spare_.pop_back();
  }
  delivery_count_t count;
  poller_.begin_deferred_writes();
  for (const published_t* m : batch) {
    receivers.clear();
    {
      std::lock_guard lock{mutex_};
      registry_.for_each_subscriber(m->topic, [&](ws_connection_t& c) {
        if (static_cast<const void*>(&c) != m->skip) receivers.push_back(&c);
      });
    }
    if (receivers.empty()) continue;
    // Connections stay allocated meanwhile: one that closes now is released by its poller
    // later, never inside this call (ws_poller_t::remove()).
    published_frame_t frame{*m};
    for (ws_connection_t* c : receivers) c->take_published(frame, count);
  }
  poller_.end_deferred_writes();  // each receiver's messages of the batch in one write
  hub_->count_deliveries(count);
  receivers.clear();
  if (spare_.size() < 4) spare_.push_back(std::move(receivers));
}

// ---- the connection --------------------------------------------------------------------------

topic_shard_t* ws_connection_t::topic_shard(bool create) {
  if (!poller_ || !config_->topics) return nullptr;
  return poller_->topic_shard(config_->topics, create);
}

void ws_connection_t::subscribe_from_any_thread(std::string_view topic) {
  if (detached_.load(std::memory_order_acquire)) return;
  run_on_io_thread([this, t = std::string{topic}] {
    if (send_closed_.load(std::memory_order_relaxed)) return;
    topic_shard_t* shard = topic_shard(true);
    if (!shard) return;
    shard->subscribe(*this, t);
    subscribed_ = true;
  });
}

void ws_connection_t::unsubscribe_from_any_thread(std::string_view topic) {
  if (detached_.load(std::memory_order_acquire)) return;
  run_on_io_thread([this, t = std::string{topic}] {
    if (!subscribed_) return;
    if (topic_shard_t* shard = topic_shard(false)) shard->unsubscribe(*this, t);
  });
}

bool ws_connection_t::is_subscribed_from_any_thread(std::string_view topic) const {
  if (!config_->topics || send_closed_.load(std::memory_order_acquire)) return false;
  return config_->topics->is_subscribed(static_cast<const ws_connection_t*>(this), topic);
}

std::size_t ws_connection_t::publish_from_any_thread(std::string_view topic,
                                                     shared_payload_t payload, opcode_t opcode) {
  if (!config_->topics) return 0;
  return config_->topics->publish_from(static_cast<const ws_connection_t*>(this), topic,
                                       std::move(payload), opcode, true);
}

void ws_connection_t::leave_topics() noexcept {
  if (!subscribed_) return;
  subscribed_ = false;
  try {
    if (topic_shard_t* shard = topic_shard(false)) shard->unsubscribe_all(*this);
  } catch (const std::exception&) {
    // Out of memory while leaving: the shard's own record goes when the shard does.
  }
}

void ws_connection_t::take_published(published_frame_t& frame, delivery_count_t& count) {
  if (send_closed_.load(std::memory_order_relaxed)) {
    ++count.closed;
    return;
  }
  if (config_->flow.over(buffered_.load(std::memory_order_relaxed)) && write_deferred_ &&
      !processing_) {
    // A batch of messages must not fill the queue of a receiver that reads: what waits for the
    // batch's end is written now, and the cap decides on what the socket did not take.
    start_write();
  }
  if (config_->flow.over(buffered_.load(std::memory_order_relaxed))) {
    ++count.dropped;
    // One receiver's full queue must not hold back the publisher or the others: the message is
    // dropped for it (policy close: the receiver fails with 1008, as for any send).
    if (config_->flow.policy == backpressure_policy_t::close) {
      fail_on_backpressure();
      return;
    }
    if (!publish_drop_logged_) {
      publish_drop_logged_ = true;
      config_->logger->warn([&] {
        return "ws [" + std::to_string(connection_id_) +
               "]: " + remote_endpoint_.address().to_string() +
               " does not read: " + std::to_string(buffered_amount()) +
               " bytes queued, over max_backpressure; published messages are dropped for it "
               "while its queue is full (said once; topic_hub_t::stats().dropped counts them)";
      });
    }
    return;
  }
  const published_frame_t::variant_t* v = &frame.plain;
  if (extras_ && extras_->deflate) v = &compressed_variant(frame);
  busy_state_t& b = busy();
  out_frame_t& f = b.queue.emplace_back();
  f.header = v->header;
  f.header_size = v->header_size;
  f.payload = v->payload;
  f.shared = true;
  const std::size_t size = v->payload ? v->payload->size() : 0;
  b.queued_bytes += f.header_size + size;
  add_buffered(size);
  ++count.queued;
  if (processing_) return;  // our own read loop writes when its parse ends
  if (!write_deferred_) {
    write_deferred_ = true;
    poller_->defer_write(this);
  }
}

const published_frame_t::variant_t& ws_connection_t::compressed_variant(published_frame_t& frame) {
  ws_deflate_t& z = *extras_->deflate;
  const std::size_t size = frame.plain.payload ? frame.plain.payload->size() : 0;
  if (!z.worth_compressing(size)) return frame.plain;
  // Where the server keeps no context, equal settings give equal bytes: compressed once for all
  // such receivers of this thread. A receiver with context compresses for itself.
  const std::optional<protocol::deflater_settings_t> key = z.shared_settings();
  if (key) {
    for (const auto& c : frame.compressed)
      if (!c.own && c.settings == *key) return c.ok ? c.frame : frame.plain;
  }
  std::string out;
  const bool ok = z.compress(std::as_bytes(std::span{frame.plain.payload->data(), size}), out);
  published_frame_t::compressed_t& c = frame.compressed.emplace_back();
  c.settings = key.value_or(protocol::deflater_settings_t{});
  c.own = !key;
  c.ok = ok;
  if (ok) c.frame = make_variant(frame.message, message_t::make_payload(std::move(out)), true);
  return ok ? c.frame : frame.plain;  // used at once, before the next emplace_back()
}

void ws_connection_t::flush_deferred_write() {
  write_deferred_ = false;
  if (!processing_) start_write();
  rest();
}

// ---- ws_t ------------------------------------------------------------------------------------

}  // namespace restws::websocket::basic::detail

namespace restws::websocket::basic {

void ws_t::subscribe(std::string_view topic) { connection().subscribe_from_any_thread(topic); }

void ws_t::unsubscribe(std::string_view topic) { connection().unsubscribe_from_any_thread(topic); }

bool ws_t::is_subscribed(std::string_view topic) const {
  return connection().is_subscribed_from_any_thread(topic);
}

std::size_t ws_t::publish(std::string_view topic, std::string payload, opcode_t opcode) {
  if (opcode != opcode_t::text_frame && opcode != opcode_t::binary_frame)
    throw std::invalid_argument{"publish: only text and binary messages can be published"};
  return connection().publish_from_any_thread(
      topic, payload.empty() ? nullptr : message_t::make_payload(std::move(payload)), opcode);
}

}  // namespace restws::websocket::basic
