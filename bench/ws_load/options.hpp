// Command line of the ws_load WebSocket load generator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ws_load {

/// What to run: how many connections, which message size, for how long, against which server.
struct options {
  std::size_t connections = 100;
  std::size_t size = 20;
  double seconds = 10.0;
  std::string host = "127.0.0.1";
  std::uint16_t port = 9001;
  std::string path = "/";
  bool deflate = false;  // offer permessage-deflate, compress every message, inflate the echoes
  std::string corpus;    // text messages, one per line (instead of --size binary ones)
  std::uint64_t max_messages = 0;  // 0: bounded by --seconds only
  unsigned threads = 1;
  int server_pid = 0;  // 0: do not measure the server's CPU time
  double connect_timeout = 10.0;
  std::size_t connect_concurrency = 256;
  bool spread_source = false;  // forced on when connections > 20000
  bool idle = false;           // hold the connections open without sending (memory per connection)
  bool flood = false;   // send frames as fast as the socket takes them, never read (backpressure)
  double warmup = 0.0;  // seconds of load before the measured window (not with --idle, --flood)
  bool tls = false;     // wss://: a TLS handshake before the upgrade, every frame through TLS
  // SNI sent with --tls: --tls-server-name, else the host unless it is an IP literal; empty: none.
  std::string tls_server_name;
  // Each connection slot repeats connect, (TLS,) upgrade, one echo, close: counts those cycles.
  bool handshakes = false;
  // --fanout SUBS: SUBS subscribers and one publisher (fanout.hpp); 0: the echo load.
  std::size_t fanout = 0;
  std::size_t fanout_window = 32;  // messages in flight: k waits until all have k - window
};

/// The usage text printed for --help and on a bad command line.
std::string usage(const char* program);

/// Whether `host` is an IPv4 or IPv6 address literal (no SNI is sent for those, RFC 6066).
bool is_ip_literal(const std::string& host);

/// Parses argv. Returns nothing and sets `error` on an unknown flag, a missing or bad value.
/// Not thread-safe (call once from main).
std::optional<options> parse_options(int argc, char** argv, std::string& error);

}  // namespace ws_load
