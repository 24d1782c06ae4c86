// One thread's share of the connections, driven by its own epoll instance.
#pragma once

#include <netinet/in.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "latency.hpp"
#include "messages.hpp"
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
  std::atomic<std::uint64_t> bytes_sent{0};     // --flood
  std::atomic<std::uint64_t> frames_sent{0};    // --flood: whole frames
  std::atomic<std::uint64_t> server_closed{0};  // --flood: connections the server ended
  // --deflate / --corpus: payload bytes as sent and before compression, both ways.
  std::atomic<std::uint64_t> sent_wire_bytes{0};
  std::atomic<std::uint64_t> sent_plain_bytes{0};
  std::atomic<std::uint64_t> echo_wire_bytes{0};
  std::atomic<std::uint64_t> echo_plain_bytes{0};
  std::atomic<std::uint64_t> echo_compressed{0};  // echoes that came with RSV1
  std::atomic<std::uint64_t> cycles{0};           // --handshakes: cycles completed
};

/// State shared by all workers and the coordinating thread.
struct run_control {
  std::atomic<bool> go{false};  // all handshakes settled: start sending (and give up the rest)
  std::atomic<bool> measuring{false};  // the measured window (after --warmup): record latencies
  std::atomic<bool> stop{false};       // the run is over
  std::atomic<std::uint64_t> messages_started{0};  // used only with --max-messages
};

struct connection;
class tls_context;

/// Opens connections [first, first + count) of the run, does their handshakes, then (once
/// `control.go` is set) keeps one message in flight on each until `control.stop` (with --flood:
/// sends frames on each as fast as it takes them, and never reads). With `messages` (--deflate,
/// --corpus), each message in flight is one of those, compared whole when its echo is complete.
/// With `tls` (--tls), every connection does a TLS handshake before its upgrade and speaks through
/// it. With --handshakes, nothing happens before `control.go`; then each connection repeats a
/// cycle (connect, TLS, upgrade, one echo, close) until `control.stop` or --max-messages cycles.
class worker {
 public:
  using clock_type = std::chrono::steady_clock;

  worker(const options& opts, const sockaddr_in& server, std::size_t first, std::size_t count,
         run_control& control, worker_counters& counters, const message_set* messages,
         const tls_context* tls);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  /// Runs the event loop on the calling thread until `control.stop` is set.
  void run();

  /// After run() returned: the echo latencies recorded while `control.measuring` was set.
  const latency_histogram& latencies() const { return latencies_; }
  /// After run() returned, with --flood: when the server first ended a connection (its FIN or
  /// a reset), and which it was ("fin", "reset", "error"); nothing if it never did.
  std::optional<clock_type::time_point> first_close() const { return first_close_; }
  const char* first_close_kind() const { return first_close_kind_; }
  /// After run() returned, with --tls: the first session's protocol and cipher ("" if none).
  const std::string& tls_description() const { return tls_description_; }

 private:
  void start_connections();
  void open_connection(connection& conn);
  void on_event(connection& conn, std::uint32_t events);
  void on_connected(connection& conn);
  void start_upgrade(connection& conn);
  enum class push_result { done, blocked, failed };
  /// Sends conn.handshake_out from handshake_sent on (the upgrade request, a close frame):
  /// done when all of it went; blocked (now waiting to write); failed (io_error() says why).
  push_result push_out(connection& conn);
  void send_handshake(connection& conn);
  void read_handshake(connection& conn);
  void read_frames(connection& conn);
  void feed(connection& conn, const unsigned char* data, std::size_t size);
  void feed_whole(connection& conn, const unsigned char* data, std::size_t size);
  bool start_whole(connection& conn, const std::string& extensions);
  void echo_done(connection& conn, bool matched);
  const std::string& wire_payload(const connection& conn, std::size_t index);
  void start_echo(connection& conn);
  void send_next_message(connection& conn);
  void flush(connection& conn);
  void on_flood_event(connection& conn, std::uint32_t events);
  void flood(connection& conn);
  void note_server_close(connection& conn, const char* kind);
  void want_write(connection& conn, bool on);
  void set_interest(connection& conn, bool write);
  void fail_handshake(connection& conn, const std::string& reason);
  void fail_open(connection& conn, const char* reason);
  void close_connection(connection& conn);
  void begin_load();
  void say_goodbye();
  // --tls (worker_tls.cpp: what only a TLS connection runs stays out of the plain path)
  void start_tls(connection& conn);
  void continue_tls_handshake(connection& conn);
  void on_tls_event(connection& conn);
  void after_tls_read_waits(connection& conn);
  // --handshakes (cycles.cpp)
  void run_cycles();
  void begin_cycles();
  void cycle_echo_done(connection& conn, bool matched);
  void start_cycle(connection& conn);
  void send_close(connection& conn);
  void flush_close(connection& conn);
  void on_closing_event(connection& conn);
  void feed_closing(connection& conn, const unsigned char* data, std::size_t size);
  void finish_cycle(connection& conn);
  void check_stalled_cycles();

  const options& opts_;
  sockaddr_in server_;
  std::size_t first_;
  run_control& control_;
  worker_counters& counters_;
  const message_set* message_set_;
  const tls_context* tls_;
  std::string tls_description_;
  std::array<std::vector<std::string>, 16> compressed_;  // message_set_ compressed, per window bits
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
  std::uint64_t bytes_sent_ = 0;
  std::uint64_t frames_sent_ = 0;
  std::uint64_t server_closed_ = 0;
  std::uint64_t cycles_ = 0;
  clock_type::time_point next_stall_check_{};
  latency_histogram latencies_;
  std::optional<clock_type::time_point> first_close_;
  const char* first_close_kind_ = "na";
};

}  // namespace ws_load
