#pragma once
// Topics: publish/subscribe between the WebSockets of a server (docs/pubsub.md).
//
//   auto topics = restws::websocket::basic::topic_hub_t::make();
//   settings.topics(topics);                       // the server's connections use this hub
//   ... in a message handler: wsh->subscribe("room/lobby");
//   topics->publish("room/lobby", "hello");         // any thread
//   wsh->publish("room/lobby", "hi all");           // to every subscriber but wsh
//
// A server has one hub: the one given to server_settings_t::topics(), else its own
// (http_server_t::topics()). A message published to N subscribers is framed once and its
// payload shared by every receiver's queue (no copy per receiver; compressed once for the
// receivers that agreed permessage-deflate without context takeover). Subscribers on every
// reactor thread receive it: the hub passes it to each thread with subscribers, which queues it
// to its own. Each receiver's queue is bounded as any send is (ws_settings_t::max_backpressure):
// with policy `drop` or `throttle`, a message that finds the queue over the cap is dropped for
// that receiver (a publisher cannot be throttled by one of many readers); with `close`, the
// receiver fails with 1008. A closed connection leaves its topics by itself.
//
// Across processes: set a bridge (topic_bridge_t), which carries the hub's topics to others.
//
// Thread-safety: every member function of topic_hub_t may be called from any thread at once,
// including from inside handlers.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <asio/io_context.hpp>

#include "restws/websocket/message.hpp"

namespace restws::pubsub::detail {
class topic_hub_impl_t;
}

namespace restws::websocket::basic {

class topic_hub_t;

/// Carries a hub's topics to other processes. The hub calls it; it calls the hub back with
/// topic_hub_t::publish_local() for what other processes publish.
class topic_bridge_t {
 public:
  virtual ~topic_bridge_t() = default;
  /// The hub's server opened: the bridge may now run on `io` (a reactor of that server; post
  /// to it, the call itself may come from another thread). `hub` outlives the bridge's use of
  /// it until detach().
  virtual void attach(topic_hub_t& hub, asio::io_context& io) = 0;
  /// The server is closing: on `io`'s thread, before it stops. Release everything bound to `io`.
  virtual void detach() = 0;
  /// `topic` got its first subscriber in this process (`active`) or lost its last. Called with
  /// the hub's lock held, in the order the changes happen: do not call the hub from here; post.
  virtual void on_topic_active(std::string_view topic, bool active) = 0;
  /// A message published in this process (not one that came through publish_local()), to be
  /// carried to the others. Any thread; called after local delivery was started.
  virtual void on_publish(std::string_view topic, const shared_payload_t& payload,
                          opcode_t opcode) = 0;
};

/// What a hub has done since it was made (counters only grow; any thread, a recent value).
struct topic_stats_t {
  std::uint64_t published = 0;   ///< publish() and publish_local() calls with a subscriber
  std::uint64_t deliveries = 0;  ///< messages queued to a receiver
  std::uint64_t dropped = 0;     ///< not queued: the receiver's queue was over its cap
  std::uint64_t closed = 0;      ///< not queued: the receiver was closing or closed
};

class topic_hub_t : public std::enable_shared_from_this<topic_hub_t> {
 public:
  /// A reactor thread receives what other threads publish through a mailbox, delivered in
  /// batches; a mailbox holding `max_pending_bytes` of payload (its thread does not keep up with
  /// the publishers) takes no more: later messages are dropped for that thread's subscribers
  /// (stats().dropped, logged once), so that memory stays bounded.
  static std::shared_ptr<topic_hub_t> make(std::size_t max_pending_bytes = 64 * 1024 * 1024);
  virtual ~topic_hub_t() = default;

  /// Sends `payload` as one message (text by default; binary too) to every subscriber of
  /// `topic` in this process, and through the bridge to other processes. Returns the number of
  /// local subscribers it was passed to (the count when published; each receiver's backpressure
  /// then decides). Throws std::invalid_argument for a control or continuation opcode.
  virtual std::size_t publish(std::string_view topic, std::string payload,
                              opcode_t opcode = opcode_t::text_frame) = 0;
  /// As publish(), only to this process's subscribers: for a bridge's incoming messages.
  virtual std::size_t publish_local(std::string_view topic, shared_payload_t payload,
                                    opcode_t opcode) = 0;
  /// Subscribers of `topic` in this process now (from another thread than theirs, a
  /// subscription counts once its connection's thread has taken it).
  virtual std::size_t subscriber_count(std::string_view topic) const = 0;
  /// Topics with at least one subscriber in this process.
  virtual std::vector<std::string> topics() const = 0;
  virtual topic_stats_t stats() const = 0;

  /// Sets (or, with null, removes) the bridge to other processes. Its on_topic_active() is
  /// called at once for every topic active now; attach() once the server runs.
  virtual void set_bridge(std::shared_ptr<topic_bridge_t> bridge) = 0;

 private:
  friend class pubsub::detail::topic_hub_impl_t;  // the only implementation
  topic_hub_t() = default;
};

using topic_hub_handle_t = std::shared_ptr<topic_hub_t>;

}  // namespace restws::websocket::basic
