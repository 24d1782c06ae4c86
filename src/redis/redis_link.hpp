#pragma once
// One connection to Redis that keeps itself up: connects (bounded by connect_timeout), and when
// an attempt fails or the connection is lost, tries again after a backoff delay, until stop().
// Says when it comes up and goes down; logs the transitions (up, lost, first failure of an
// outage). Runs on the io_context's thread only.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "redis/backoff.hpp"
#include "restws/pubsub/redis_bridge.hpp"

struct redisAsyncContext;

namespace restws::pubsub::redis_detail {

struct link_events_t {
  std::function<void(redisAsyncContext*)> up;  ///< connected: send what it needs
  std::function<void()> down;                  ///< lost (after hiredis failed its replies)
  std::function<void(std::string_view)> log;
  std::atomic<std::uint64_t>* connects = nullptr;
  std::atomic<std::uint64_t>* disconnects = nullptr;
};

class redis_link_t : public std::enable_shared_from_this<redis_link_t> {
 public:
  /// `role` names it in the log ("publish", "subscribe"); `owner` is for reply callbacks
  /// (owner_of()). `settings` outlives the link.
  redis_link_t(asio::io_context& io, const redis_bridge_settings_t& settings, std::string role,
               std::uint64_t seed, void* owner, link_events_t events);
  ~redis_link_t();
  redis_link_t(const redis_link_t&) = delete;
  redis_link_t& operator=(const redis_link_t&) = delete;

  /// The first attempt, now.
  void start();
  /// Frees the connection (its pending replies get a null reply now) and stops retrying: no
  /// event and no hiredis callback after it returns. Idempotent.
  void stop();
  /// The connection while it is up, else null.
  redisAsyncContext* context() const { return up_ ? ac_ : nullptr; }
  /// The `owner` of the link that made `ac` (for reply callbacks).
  static void* owner_of(const redisAsyncContext* ac);

 private:
  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_disconnect(const redisAsyncContext* ac, int status);
  void connect();
  void failed(std::string_view why, bool was_up);
  std::string where() const;

  asio::io_context& io_;
  const redis_bridge_settings_t& settings_;
  std::string role_;
  void* owner_;
  link_events_t events_;
  asio::steady_timer timer_;  // the connect timeout, then the retry delay
  backoff_t backoff_;
  redisAsyncContext* ac_ = nullptr;
  std::uint64_t attempt_ = 0;
  bool up_ = false;
  bool stopped_ = false;
  bool outage_logged_ = false;  // failures after the first of an outage are not logged
};

}  // namespace restws::pubsub::redis_detail
