#pragma once
// One reactor: an io_context run by one thread, the connections living on it (an intrusive list)
// and one coarse timer that checks their deadlines. Everything here runs on the reactor's thread.

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "fd_poller.hpp"
#include "restws/server/connection_handoff.hpp"
#include "restws/server/detail/server_config.hpp"

namespace restws::detail {

class connection_t;
class reactor_t;
class server_core_impl_t;

/// The clock of the HTTP connections' deadlines: CLOCK_MONOTONIC_COARSE, read twice per request
/// (a few ns, where std::chrono::steady_clock costs ~25 here). Its resolution, one kernel tick
/// (1-10 ms), is finer than the period at which the reactor checks deadlines (5 ms at least), and
/// deadlines are set and checked with this same clock.
struct clock_t {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<clock_t>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return time_point{std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec}};
  }
};

/// The server-side record of a handed-off connection.
class handoff_registration_impl_t final : public handoff_registration_t {
 public:
  void set_stop_handler(std::function<void()> handler) override {
    std::lock_guard lock{mutex_};
    handler_ = std::move(handler);
  }
  std::function<void()> take_stop_handler() {
    std::lock_guard lock{mutex_};
    return std::exchange(handler_, {});
  }
  void set_kill_handler(std::function<void()> handler) override {
    std::lock_guard lock{mutex_};
    kill_handler_ = std::move(handler);
  }
  std::function<void()> take_kill_handler() {
    std::lock_guard lock{mutex_};
    return std::exchange(kill_handler_, {});
  }

 private:
  std::mutex mutex_;
  std::function<void()> handler_;
  std::function<void()> kill_handler_;
};

/// Lets connections reach their reactor from other threads only while it exists (a response
/// finished after the server was destroyed is dropped instead of touching freed memory).
struct reactor_gate_t {
  std::mutex mutex;
  reactor_t* reactor = nullptr;
};

class reactor_t {
 public:
  reactor_t(server_core_impl_t& core, const server_config_t& config);
  reactor_t(const reactor_t&) = delete;
  reactor_t& operator=(const reactor_t&) = delete;
  ~reactor_t();

  asio::io_context& io() noexcept { return io_; }
  const server_config_t& config() const noexcept { return config_; }
  /// The server's TLS certificates for a new connection (null: plain TCP).
  std::shared_ptr<const class tls_contexts_t> tls() const;
  abstract_logger_t& logger() const noexcept { return *config_.logger; }
  bool stopping() const noexcept { return stopping_; }
  const std::shared_ptr<reactor_gate_t>& gate() const noexcept { return gate_; }
  fd_poller_t& poller() noexcept { return *poller_; }

  /// The reactor whose io_context this thread runs (nullptr on other threads).
  static reactor_t* current() noexcept;
  /// Runs the io_context on this thread until it stops (exceptions escaping handlers are logged).
  void run();

  /// Starts the coarse timer. Call before running io().
  void start();
  /// Creates a connection for an accepted socket (on this reactor's thread).
  void add_connection(asio::ip::tcp::socket socket, connection_id_t id);
  /// Forgets a connection that closed or was handed off (on this reactor's thread).
  void remove_connection(connection_t& c);
  /// Calls the connection's read_deferred() once the handlers already queued have run (on this
  /// reactor's thread): one handler for all the reads deferred meanwhile.
  void defer_read(std::shared_ptr<connection_t> c);
  /// Records a handed-off connection (on this reactor's thread).
  std::shared_ptr<handoff_registration_t> register_handoff();
  /// Stop sequence, step 1 (on this reactor's thread): close idle connections, ask busy ones to
  /// finish, tell handed-off connections.
  void begin_stop();
  /// Stop sequence, step 3 (after cleanup_func): stop once handed-off connections are gone.
  void finish_stop();
  /// Runs the kill handler of every hand-off still alive (the stop's time limit is over).
  void kill_handoffs();

 private:
  /// Sets up io_uring batching for the HTTP connections if server_config_t::io_uring asks.
  void use_io_uring();
  void schedule_tick();
  void tick();
  void check_drained();
  bool handoffs_alive();

  server_core_impl_t& core_;
  std::shared_ptr<reactor_gate_t> gate_ = std::make_shared<reactor_gate_t>();
  const server_config_t& config_;
  asio::io_context io_{1};
  std::optional<fd_poller_t> poller_;  ///< made with io_, destroyed before it
  asio::steady_timer ticker_{io_};
  clock_t::duration tick_period_;
  std::vector<std::shared_ptr<connection_t>> deferred_reads_;
  std::vector<std::shared_ptr<connection_t>> draining_reads_;
  connection_t* first_ = nullptr;
  std::size_t connection_count_ = 0;
  std::vector<std::weak_ptr<handoff_registration_impl_t>> handoffs_;
  std::size_t handoffs_after_sweep_ = 0;  ///< handoffs_.size() after the last sweep
  bool stopping_ = false;
  bool drained_reported_ = false;
  bool finishing_ = false;
  clock_t::time_point finish_deadline_{};
};

}  // namespace restws::detail
