#pragma once
// A bridge that carries a topic hub's messages between processes through Redis pub/sub
// (docs/pubsub.md). Library target restws::redis (links hiredis); the core needs none of it.
//
//   auto hub = restws::websocket::basic::topic_hub_t::make();
//   hub->set_bridge(restws::pubsub::make_redis_bridge({.host = "127.0.0.1", .port = 6379}));
//   settings.topics(hub);
//
// Every node's publish reaches the subscribers of that topic on every node, exactly once per
// receiver: a node delivers its own publishes locally at once and skips them when Redis echoes
// them back. Topic T is Redis channel `channel_prefix + T`; a node subscribes to a channel only
// while one of its connections is subscribed to T. Redis pub/sub is at-most-once: what is
// published while a node is not connected (or over max_pending_bytes behind) is counted as lost,
// not replayed. The bridge runs on one reactor of the server (hiredis's async API driven by
// Asio; no thread of its own), reconnects with backoff and resubscribes, logging each change.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "restws/websocket/topics.hpp"

namespace restws::pubsub {

struct redis_bridge_settings_t {
  /// Where Redis listens. A name (not an address) is resolved at each attempt on the bridge's
  /// reactor thread, which waits for the lookup: prefer an address.
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  /// Topic T travels on Redis channel channel_prefix + T (several apps can share one Redis).
  std::string channel_prefix = "restws:";
  /// A connection attempt (TCP connect) that takes longer fails and is retried.
  std::chrono::milliseconds connect_timeout{2000};
  /// Reconnect delays: first min, doubled each failure up to max (with jitter), reset on success.
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  /// Bytes of outgoing publishes waiting for Redis (a slow Redis); beyond, publishes are lost
  /// (counted) rather than held in memory.
  std::size_t max_pending_bytes = 16 * 1024 * 1024;
  /// Incoming messages larger than this are dropped (counted, logged once).
  std::size_t max_message_bytes = 16 * 1024 * 1024;
  /// Where transitions (connected, lost, resubscribed, drops) are logged; default: std::clog.
  /// Called on the bridge's reactor thread, one line at a time.
  std::function<void(std::string_view)> log;
};

/// What the bridge has done since it was made (any thread, a recent value). The counters only
/// grow; connected, channels and pending_bytes are the state now.
struct redis_bridge_stats_t {
  bool connected = false;         ///< both connections (publish, subscribe) up
  std::size_t channels = 0;       ///< Redis channels subscribed now
  std::size_t pending_bytes = 0;  ///< publishes waiting for Redis to answer (bytes)
  std::uint64_t connects = 0;     ///< successful connections (publish and subscribe sides)
  std::uint64_t disconnects = 0;  ///< connections lost or failed attempts
  std::uint64_t forwarded = 0;    ///< local publishes Redis took (answered)
  std::uint64_t received = 0;     ///< messages from other nodes delivered locally
  std::uint64_t lost = 0;         ///< local publishes not forwarded (Redis down, too slow, or
                                  ///< the connection went before Redis answered)
  std::uint64_t dropped = 0;      ///< incoming messages refused (malformed or too large)
};

class redis_bridge_t : public websocket::basic::topic_bridge_t {
 public:
  /// Any thread.
  virtual redis_bridge_stats_t stats() const = 0;
};

/// A bridge for topic_hub_t::set_bridge(), for one hub. It connects once the hub's server runs
/// (attach()) and lets go of everything at its close (detach()); a Redis never reachable costs
/// only retries and lost publishes. Settings are not checked: a reconnect_max under reconnect_min
/// counts as reconnect_min, delays under 1 ms as 1 ms.
std::shared_ptr<redis_bridge_t> make_redis_bridge(redis_bridge_settings_t settings = {});

}  // namespace restws::pubsub
