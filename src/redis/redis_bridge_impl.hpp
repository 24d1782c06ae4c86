#pragma once
// The Redis bridge: two links (PUBLISH, SUBSCRIBE) on the hub's io_context, the subscription
// book, and the counters. See restws/pubsub/redis_bridge.hpp for what a user relies on.
//
// Threads: on_publish() and on_topic_active() come from any thread (the latter under the hub's
// lock); they touch only what mutex_ guards and post the rest to the io thread. Everything
// hiredis does happens on the io thread, between attach()'s start and detach().

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <asio/io_context.hpp>

#include "redis/redis_link.hpp"
#include "redis/subscription_book.hpp"
#include "restws/pubsub/redis_bridge.hpp"

struct redisAsyncContext;

namespace restws::pubsub::redis_detail {

using websocket::basic::shared_payload_t;
using websocket::basic::topic_hub_t;

class redis_bridge_impl_t final : public redis_bridge_t,
                                  public std::enable_shared_from_this<redis_bridge_impl_t> {
 public:
  explicit redis_bridge_impl_t(redis_bridge_settings_t settings);
  ~redis_bridge_impl_t() override;

  void attach(topic_hub_t& hub, asio::io_context& io) override;
  void detach() override;
  void on_topic_active(std::string_view topic, bool active) override;
  void on_publish(std::string_view topic, const shared_payload_t& payload,
                  opcode_t opcode) override;
  redis_bridge_stats_t stats() const override;

 private:
  // ---- io thread -----------------------------------------------------------------------------
  void start(std::uint64_t generation);
  struct outgoing_t {
    std::string channel;
    std::string envelope;
    std::size_t cost;
  };
  void drain_outbox();
  void publish_now(const outgoing_t& m);
  void sync_subscriptions();
  void subscribe_side_up(redisAsyncContext* ac);
  void subscribe_side_down();
  void received(std::string_view channel, std::string_view bytes);
  void drop(std::string_view why);
  void log(std::string_view line) const;
  static void on_publish_reply(redisAsyncContext* ac, void* reply, void* privdata);
  static void on_subscribe_reply(redisAsyncContext* ac, void* reply, void* privdata);

  const redis_bridge_settings_t settings_;
  const std::uint64_t node_;  // the envelope's sender id: ours are skipped when Redis echoes them

  mutable std::mutex mutex_;
  asio::io_context* io_ = nullptr;  // null while detached: nothing is posted then
  topic_hub_t* hub_ = nullptr;
  std::uint64_t generation_ = 0;  // attach() and detach() move it: stale posts do nothing
  subscription_book_t book_;
  bool sync_posted_ = false;
  // Publishes on their way to the io thread: one post per batch, not per message.
  std::vector<outgoing_t> outbox_;
  bool drain_posted_ = false;

  // io thread only
  std::uint64_t running_ = 0;  // the generation started, 0 when detached
  topic_hub_t* io_hub_ = nullptr;
  std::shared_ptr<redis_link_t> publisher_;
  std::shared_ptr<redis_link_t> subscriber_;
  bool subscribed_before_ = false;  // the next subscribe-side "up" is a resubscription
  bool drop_logged_ = false;
  std::deque<std::size_t> publish_costs_;  // of the PUBLISHes waiting for an answer, oldest first
  std::vector<outgoing_t> draining_;       // the batch being sent (its capacity is reused)

  std::atomic<bool> publisher_up_{false};
  std::atomic<bool> subscriber_up_{false};
  std::atomic<std::size_t> channels_{0};
  std::atomic<std::size_t> pending_bytes_{0};
  std::atomic<std::uint64_t> connects_{0};
  std::atomic<std::uint64_t> disconnects_{0};
  std::atomic<std::uint64_t> forwarded_{0};
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> lost_{0};
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace restws::pubsub::redis_detail
