#pragma once
// The hub of topics (restws/websocket/topics.hpp): which reactor threads have subscribers of
// each topic, and the passing of a published message to each of them. Private to the library.
//
// Each reactor keeps its own subscribers (a shard, topic_shard_t in src/websocket/, over a
// topic_registry_t) and tells the hub only how many it has per topic. A publish looks up the
// topic's shards under the hub's lock, posts the message to every shard on another thread, and
// delivers it itself to the shard of its own thread (after the lock is released: delivery may
// run handlers that publish). Shards come and go with their reactors (ws_poller_t).

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <asio/io_context.hpp>

#include "restws/server/logger.hpp"
#include "restws/websocket/topics.hpp"
#include "topic_registry.hpp"

namespace restws::pubsub::detail {

using websocket::basic::opcode_t;
using websocket::basic::shared_payload_t;

/// A message on its way to the subscribers of a shard.
struct published_t {
  std::string topic;
  shared_payload_t payload;  ///< null: empty
  opcode_t opcode = opcode_t::text_frame;
  const void* skip = nullptr;  ///< the publishing connection (gets nothing), or null
};

/// What a shard's delivery of one message did, for the hub's counters.
struct delivery_count_t {
  std::size_t queued = 0;
  std::size_t dropped = 0;
  std::size_t closed = 0;
};

/// One reactor's subscribers of one hub (implemented by topic_shard_t).
class topic_shard_base_t {
 public:
  explicit topic_shard_base_t(asio::io_context& io) noexcept : io_{io} {}
  virtual ~topic_shard_base_t() = default;
  asio::io_context& io() const noexcept { return io_; }
  /// Queues each message of `batch` to this shard's subscribers of its topic, then writes.
  /// On io()'s thread.
  virtual void deliver(std::span<const published_t* const> batch) = 0;
  /// True if `subscriber` (a connection of this shard) is subscribed to `topic`. Any thread.
  virtual bool has_subscriber(const void* subscriber, std::string_view topic) const = 0;

  /// From another thread: `m` joins this shard's mailbox, delivered on io()'s thread in one
  /// batch with whatever else arrives meanwhile (one post per batch, one write per receiver).
  /// False, and `m` is not queued, if the mailbox already holds `max_bytes` of payload: the
  /// reactor does not keep up with its publishers.
  bool post(std::shared_ptr<const published_t> m, std::size_t max_bytes);

 private:
  void drain();

  asio::io_context& io_;
  std::mutex mailbox_mutex_;
  std::vector<std::shared_ptr<const published_t>> mailbox_;
  std::size_t mailbox_bytes_ = 0;
  bool drain_posted_ = false;
};

class topic_hub_impl_t final : public websocket::basic::topic_hub_t {
 public:
  explicit topic_hub_impl_t(std::size_t max_pending_bytes) noexcept
      : max_pending_bytes_{max_pending_bytes} {}

  std::size_t publish(std::string_view topic, std::string payload, opcode_t opcode) override;
  std::size_t publish_local(std::string_view topic, shared_payload_t payload,
                            opcode_t opcode) override;
  std::size_t subscriber_count(std::string_view topic) const override;
  std::vector<std::string> topics() const override;
  websocket::basic::topic_stats_t stats() const override;
  void set_bridge(std::shared_ptr<websocket::basic::topic_bridge_t> bridge) override;

  /// The general publish: `skip` gets nothing; `forward`: also to the bridge. Returns the
  /// topic's local subscribers but `skip`.
  std::size_t publish_from(const void* skip, std::string_view topic, shared_payload_t payload,
                           opcode_t opcode, bool forward);
  /// True if `subscriber` (a connection) is subscribed to `topic` in one of the shards. Any
  /// thread.
  bool is_subscribed(const void* subscriber, std::string_view topic) const;

  // For shards, on their thread.
  void remove_shard(topic_shard_base_t& shard);
  /// The shard's count of subscribers of `topic` changed as `change` says.
  void count_changed(topic_shard_base_t& shard, std::string_view topic, topic_change_t change);
  void count_deliveries(const delivery_count_t& c) noexcept {
    deliveries_.fetch_add(c.queued, std::memory_order_relaxed);
    if (c.dropped) dropped_.fetch_add(c.dropped, std::memory_order_relaxed);
    if (c.closed) closed_.fetch_add(c.closed, std::memory_order_relaxed);
  }

  // For the server: its first reactor, where a bridge runs.
  void server_opened(asio::io_context& io, std::shared_ptr<abstract_logger_t> logger);
  /// On that reactor's thread, before it stops.
  void server_closing();

 private:
  struct topic_entry_t {
    std::size_t count = 0;
    std::vector<std::pair<topic_shard_base_t*, std::size_t>> shards;  ///< with their counts
  };

  mutable std::mutex mutex_;
  std::unordered_map<std::string, topic_entry_t, string_hash_t, std::equal_to<>> topics_;
  std::shared_ptr<websocket::basic::topic_bridge_t> bridge_;
  asio::io_context* home_ = nullptr;           ///< the server's first reactor while it runs
  std::shared_ptr<abstract_logger_t> logger_;  ///< the server's, once it opened
  const std::size_t max_pending_bytes_;
  bool overflow_logged_ = false;
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> deliveries_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> closed_{0};
};

}  // namespace restws::pubsub::detail
