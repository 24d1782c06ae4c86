#pragma once
// restws::pubsub::redis_bridge_t: carries a hub's topics between processes through Redis
// pub/sub (docs/pubsub.md). Library target restws_redis (links hiredis); the core needs none.
//
//   auto topics = restws::websocket::basic::topic_hub_t::make();
//   topics->set_bridge(restws::pubsub::redis_bridge_t::make({.port = 6379, .prefix = "chat:"}));
//   restws::run(settings.topics(topics));
//
// A publish on any node reaches the subscribers of its topic on every node, once each: the
// publishing node delivers it locally and skips its own copy coming back from Redis. The bridge
// subscribes to a topic's Redis channel (prefix + topic) only while a local connection is
// subscribed to it. It runs on one reactor of the server (hiredis's async API over Asio), no
// thread of its own.
//
// Redis pub/sub is at-most-once: what is published while Redis is unreachable (or while the
// bridge resubscribes) is not delivered to other nodes; it is counted (stats().lost). Local
// delivery never waits for Redis. The bridge reconnects with exponential backoff, resubscribes
// to the active topics and logs each transition.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "restws/server/logger.hpp"
#include "restws/websocket/topics.hpp"

namespace restws::pubsub {

struct redis_settings_t {
  std::string host = "127.0.0.1";  ///< IPv4/IPv6 literal or name
  std::uint16_t port = 6379;
  std::string prefix = "restws:";  ///< Redis channel = prefix + topic
  std::string password;            ///< AUTH when not empty
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds reconnect_min{100};  ///< first retry delay, doubled up to max
  std::chrono::milliseconds reconnect_max{5000};
  /// Messages waiting to be written to Redis before new ones are counted as lost (a slow
  /// Redis cannot make the server hold unbounded memory).
  std::size_t max_pending_bytes = 8 * 1024 * 1024;
  std::size_t max_message_size = 16 * 1024 * 1024;  ///< larger incoming messages are dropped
  std::shared_ptr<abstract_logger_t> logger;        ///< null: the server's... or stderr
};

struct redis_bridge_stats_t {
  bool connected = false;
  std::uint64_t connects = 0;          ///< successful (re)connections
  std::uint64_t forwarded = 0;         ///< local publishes written to Redis
  std::uint64_t received = 0;          ///< messages from other nodes delivered locally
  std::uint64_t lost = 0;              ///< local publishes not forwarded (Redis down or slow)
  std::uint64_t dropped_incoming = 0;  ///< malformed or oversized messages from Redis
};

class redis_bridge_t : public websocket::basic::topic_bridge_t {
 public:
  static std::shared_ptr<redis_bridge_t> make(redis_settings_t settings);
  virtual redis_bridge_stats_t stats() const = 0;
  /// This node's id, carried in every message it publishes (random per bridge).
  virtual std::uint64_t node_id() const noexcept = 0;
};

}  // namespace restws::pubsub
