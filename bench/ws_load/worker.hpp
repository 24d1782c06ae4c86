// One thread's share of the connections, driven by its own epoll instance.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "options.hpp"

namespace ws_load {

/// Counters a worker publishes for the coordinating thread (single writer each, relaxed).
struct worker_counters {
  std::atomic<std::uint64_t> messages{0};
  std::atomic<std::uint64_t> mismatches{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> handshake_failures{0};
  std::atomic<std::uint64_t> established{0};
  std::atomic<std::uint64_t> open{0};
};

/// State shared by all workers and the coordinating thread.
struct run_control {
  std::atomic<bool> go{false};    // all handshakes settled: start sending (and give up the rest)
  std::atomic<bool> stop{false};  // the run is over
  std::atomic<std::uint64_t> messages_started{0};  // used only with --max-messages
};

struct connection;

/// Opens connections [first, first + count) of the run, does their handshakes, then (once
/// `control.go` is set) keeps one message in flight on each until `control.stop`.
class worker {
 public:
  worker(const options& opts, const sockaddr_in& server, std::size_t first, std::size_t count,
         run_control& control, worker_counters& counters);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  /// Runs the event loop on the calling thread until `control.stop` is set.
  void run();

 private:
  void start_connections();
  void open_connection(connection& conn);
  void on_event(connection& conn, std::uint32_t events);
  void on_connected(connection& conn);
  void send_handshake(connection& conn);
  void read_handshake(connection& conn);
  void read_frames(connection& conn);
  void feed(connection& conn, const unsigned char* data, std::size_t size);
  void send_next_message(connection& conn);
  void flush(connection& conn);
  void want_write(connection& conn, bool on);
  void fail_handshake(connection& conn, const std::string& reason);
  void fail_open(connection& conn, const char* reason);
  void close_connection(connection& conn);
  void begin_load();
  void say_goodbye();

  const options& opts_;
  sockaddr_in server_;
  std::size_t first_;
  run_control& control_;
  worker_counters& counters_;
  std::vector<std::unique_ptr<connection>> connections_;
  std::size_t next_to_open_ = 0;
  std::size_t pending_ = 0;  // connecting or handshaking
  int epoll_fd_ = -1;
  bool load_started_ = false;
  std::mt19937_64 rng_;
  std::vector<unsigned char> read_buffer_;
  std::uint64_t messages_ = 0;
  std::uint64_t mismatches_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t handshake_failures_ = 0;
  std::uint64_t reported_failures_ = 0;
};

}  // namespace ws_load
