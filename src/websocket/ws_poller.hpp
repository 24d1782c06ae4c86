#pragma once
// One epoll set per reactor for its WebSockets. Private to the library.
//
// Why not Asio's own socket operations: Asio re-arms a socket after each async_wait with an
// epoll_ctl(EPOLL_CTL_MOD) system call, one per message echoed, and allocates and queues an
// operation per read and per write. Here each WebSocket's socket is registered once, edge
// triggered, for input and output, in an epoll set of its reactor; Asio watches only that epoll
// set (one async_wait per batch of ready sockets, however many). A ready socket is read until a
// read comes back short, and written directly with send() / sendmsg(); nothing is allocated per
// message.
//
// With io_uring (ws_settings_t::io_uring), a ready batch costs fewer system calls still: the
// reads of every batching connection in it go to the kernel in one io_uring submission, and the
// writes their handlers queue meanwhile in another at the end of the batch. Every operation is
// non-blocking (MSG_DONTWAIT): it completes within the submission, with the result recv() or
// send() would have given, so the connections' logic is the same either way.
//
// The poller is an Asio service of the reactor's io_context, so there is exactly one per reactor
// and it goes away with the io_context. Every member runs on the reactor's thread.

#include <sys/epoll.h>
#include <sys/uio.h>
#include <time.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>

#include "../server/epoll_set.hpp"
#include "../server/join_buffer.hpp"
#include "restws/server/connection_handoff.hpp"

namespace restws::pubsub::detail {
class topic_hub_impl_t;
}

namespace restws::websocket::basic::detail {

class ws_connection_t;
class topic_shard_t;
struct busy_state_t;
struct ws_config_t;

/// Small writes are joined into one buffer and sent with send() (join_buffer.hpp says why).
inline constexpr std::size_t max_joined_write = restws::detail::join_buffer_size;
using restws::detail::join_small_write;

/// What the poller knows of one registered socket: a base of ws_connection_t, so registering
/// allocates nothing (a separate entry cost every idle WebSocket 48 bytes).
/// While registered, the poller holds a reference to the connection (ws_connection_t::retain()).
struct poll_entry_t {
  poll_entry_t* prev = nullptr;  ///< the poller's list of live (or retired) entries
  poll_entry_t* next = nullptr;
  int fd = -1;  ///< the connection's socket, -1 once closed: events for it are then skipped
};

class ws_poller_t final : public asio::execution_context::service {
 public:
  using key_type = ws_poller_t;
  inline static asio::execution_context::id id;

  explicit ws_poller_t(asio::io_context& io);
  ~ws_poller_t() override;
  ws_poller_t(const ws_poller_t&) = delete;
  ws_poller_t& operator=(const ws_poller_t&) = delete;

  /// The poller of `io` (created on first use).
  static ws_poller_t& of(asio::io_context& io) { return asio::use_service<ws_poller_t>(io); }

  /// Registers `fd` (non-blocking) for input and output, edge triggered. The connection's
  /// on_readable() / on_writable() are called on new input (or end of input, or an error) and
  /// when output space frees up.
  ///
  /// `registration` is the server's record of the handed-off connection. The poller holds one
  /// registration for all its sockets, from the first add() until no socket is left (the server
  /// then counts this reactor's WebSockets as one hand-off); its stop and kill handlers reach
  /// every registered connection. The registrations of later sockets are dropped: one per
  /// connection cost ~200 bytes of every idle WebSocket.
  /// Returns false (and sets `ec`) if epoll refuses the socket.
  bool add(ws_connection_t* connection, std::shared_ptr<handoff_registration_t> registration,
           std::error_code& ec);
  /// Unregisters the connection, which then closes its socket. It is released later, never
  /// inside this call, so a connection may remove itself from one of its own member functions.
  void remove(ws_connection_t* connection) noexcept;

  /// Sets up io_uring for the connections that ask for it (once; later calls return the first
  /// answer). False if this build or kernel has none.
  bool enable_uring(std::error_code& ec);
  /// True while a batch collects writes: a batching connection then calls want_flush() instead
  /// of writing, and the batch writes for it at its end.
  bool collecting_writes() const noexcept { return collecting_writes_; }
  void want_flush(ws_connection_t* connection) { flush_.push_back(connection); }

  /// Busy states no connection holds (ws_connection.hpp), linked by next_free. Used by the
  /// connections of this reactor only; freed with the poller. At least as many as a round of
  /// ready sockets may hold at once (max_events in ws_poller.cpp): with io_uring batching, each
  /// keeps its busy state until the round's writes, and a smaller pool allocated most of them
  /// anew. It keeps more (`limit`) once more were busy at once: a take that finds the pool
  /// empty raises the limit by one, up to max_kept, so that it settles at the widest burst
  /// seen, e.g. a topic's publish making 1 000 receivers busy together (fresh states for most
  /// of them cost a third of a delivery's instructions), at ~2.4 KiB a state kept.
  struct busy_pool_t {
    static constexpr std::size_t min_kept = 256;
    static constexpr std::size_t max_kept = 1024;
    busy_state_t* first = nullptr;
    std::size_t count = 0;
    std::size_t limit = min_kept;
  };
  busy_pool_t busy_pool;

  /// `config`, or an equal one already in use here (most connections share their settings).
  std::shared_ptr<const ws_config_t> share_config(ws_config_t config);

  asio::io_context& io() const noexcept { return io_; }

  /// This reactor's subscribers of `hub` (ws_topics.hpp); made on first use if `create`, else
  /// null if there are none.
  topic_shard_t* topic_shard(const std::shared_ptr<pubsub::detail::topic_hub_impl_t>& hub,
                             bool create);
  /// Between these, a connection that takes a published message (ws_topics.cpp) writes it at
  /// the end (defer_write()), or at the end of the poller's round when inside one: every
  /// message published meanwhile leaves in one write per receiver.
  void begin_deferred_writes() noexcept { ++deferring_; }
  void end_deferred_writes() {
    if (--deferring_ == 0 && !in_batch_) flush_deferred();
  }
  void defer_write(ws_connection_t* connection);

  /// The keep-alive clock (idle_policy.hpp): coarse milliseconds, wrapping at 2^32, as last read
  /// by refresh_clock(), which the poller calls on each wake-up and each idle check (a
  /// connection stamps its reads with it: no clock read per message).
  std::uint32_t now_ms() const noexcept { return now_ms_; }
  void refresh_clock() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    now_ms_ = static_cast<std::uint32_t>(static_cast<std::uint64_t>(ts.tv_sec) * 1000u +
                                         static_cast<std::uint64_t>(ts.tv_nsec) / 1000000u);
  }

 private:
  struct uring_t;
  void shutdown() override;
  void arm();
  void on_ready();
  void release_retired();
  void flush_deferred();
  /// Calls `f` on every registered connection (the list may change meanwhile).
  template <typename F>
  void for_each_live(F f);
  void read_batched(std::span<poll_entry_t* const> entries);
  void flush_batched();
  bool uring_broken() const noexcept;
  // Keep-alive (ws_keepalive.cpp): one coarse timer for all connections with an idle timeout.
  void want_idle_checks(std::chrono::milliseconds period);
  void arm_idle_timer();
  void check_idle();

  asio::io_context& io_;
  std::error_code set_error_;  ///< set_'s creation (add() reports it)
  restws::detail::epoll_set_t set_;
  bool in_batch_ = false;
  bool release_posted_ = false;
  poll_entry_t* live_ = nullptr;     ///< registered entries (doubly linked)
  poll_entry_t* retired_ = nullptr;  ///< unregistered entries, released soon (linked by next)
  std::shared_ptr<handoff_registration_t> registration_;  ///< held while live_ is not empty
  std::shared_ptr<const ws_config_t> last_config_;        ///< the last share_config() answer
  std::vector<epoll_event> events_;
  std::unique_ptr<uring_t> uring_;  ///< null until a connection asks for io_uring
  bool uring_tried_ = false;
  bool collecting_writes_ = false;
  std::vector<poll_entry_t*> batch_reads_;  ///< this round's readable batching connections
  std::vector<ws_connection_t*> flush_;     ///< batching connections with writes queued
  std::uint32_t now_ms_ = 0;
  std::optional<asio::steady_timer> idle_timer_;  ///< armed while a live connection needs it
  std::chrono::milliseconds idle_period_{0};      ///< the shortest any connection asked for
  bool idle_timer_armed_ = false;
  std::vector<std::unique_ptr<topic_shard_t>> shards_;  ///< one per hub with subscribers here
  std::vector<ws_connection_t*> deferred_;  ///< each retained until its write is flushed
  unsigned deferring_ = 0;
};

}  // namespace restws::websocket::basic::detail
