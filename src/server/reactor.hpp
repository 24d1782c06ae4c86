#pragma once
// One reactor: an io_context run by one thread, the connections living on it (an intrusive list)
// and one coarse timer that checks their deadlines. Everything here runs on the reactor's thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "restws/server/connection_handoff.hpp"
#include "restws/server/detail/server_config.hpp"

namespace restws::detail {

class connection_t;
class reactor_t;
class server_core_impl_t;

using clock_t = std::chrono::steady_clock;

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

/// Memory for the reads connections re-arm, one block per outstanding read, kept for reuse by
/// the reactor's thread: re-arming a read allocates nothing once a reactor has as many blocks as
/// it has connections waiting (up to max_blocks). Asio's own per-thread cache holds only two,
/// fewer than a reactor's connections re-arm in one pass; a block in every connection would cost
/// idle WebSockets memory (their HTTP phase leaves it in the heap). Used on the reactor's thread,
/// and where its io_context is destroyed, never at once.
class handler_pool_t {
 public:
  static constexpr std::size_t block_size = 256;  ///< a read operation takes ~200 bytes
  static constexpr std::size_t max_blocks = 256;

  handler_pool_t() { free_.reserve(max_blocks); }
  handler_pool_t(const handler_pool_t&) = delete;
  handler_pool_t& operator=(const handler_pool_t&) = delete;
  ~handler_pool_t() {
    for (void* p : free_) ::operator delete(p);
  }

  void* allocate(std::size_t size) {
    if (size > block_size) return ::operator new(size);
    if (free_.empty()) return ::operator new(block_size);
    void* p = free_.back();
    free_.pop_back();
    return p;
  }
  void deallocate(void* p, std::size_t size) noexcept {
    if (size <= block_size && free_.size() < max_blocks)
      free_.push_back(p);  // within the capacity reserved: cannot throw
    else
      ::operator delete(p);
  }

 private:
  std::vector<void*> free_;
};

template <typename T>
class pool_allocator_t {
 public:
  using value_type = T;
  explicit pool_allocator_t(handler_pool_t& pool) noexcept : pool_{&pool} {}
  template <typename U>
  pool_allocator_t(const pool_allocator_t<U>& other) noexcept : pool_{other.pool()} {}

  T* allocate(std::size_t n) { return static_cast<T*>(pool_->allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { pool_->deallocate(p, n * sizeof(T)); }
  handler_pool_t* pool() const noexcept { return pool_; }
  template <typename U>
  bool operator==(const pool_allocator_t<U>& other) const noexcept {
    return pool_ == other.pool();
  }

 private:
  handler_pool_t* pool_;
};

class reactor_t {
 public:
  reactor_t(server_core_impl_t& core, const server_config_t& config);
  reactor_t(const reactor_t&) = delete;
  reactor_t& operator=(const reactor_t&) = delete;
  ~reactor_t();

  asio::io_context& io() noexcept { return io_; }
  const server_config_t& config() const noexcept { return config_; }
  abstract_logger_t& logger() const noexcept { return *config_.logger; }
  bool stopping() const noexcept { return stopping_; }
  const std::shared_ptr<reactor_gate_t>& gate() const noexcept { return gate_; }
  handler_pool_t& read_pool() noexcept { return read_pool_; }

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
  /// Starts the connection's next read once the handlers already queued have run and the reactor
  /// has looked at its sockets again (on this reactor's thread): one handler for all the reads
  /// deferred meanwhile.
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
  void schedule_tick();
  void tick();
  void check_drained();
  bool handoffs_alive();

  server_core_impl_t& core_;
  std::shared_ptr<reactor_gate_t> gate_ = std::make_shared<reactor_gate_t>();
  const server_config_t& config_;
  handler_pool_t read_pool_;  ///< outlives io_: its operations are destroyed with io_
  asio::io_context io_{1};
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
