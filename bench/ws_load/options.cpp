#include "options.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

namespace ws_load {
namespace {

template <typename T>
bool parse_integer(std::string_view text, T& out) {
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

bool parse_seconds(std::string_view text, double& out, bool zero_ok = false) {
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end && (out > 0 || (zero_ok && out == 0)) && out <= 24 * 3600;
}

}  // namespace

std::string usage(const char* program) {
  return std::string("usage: ") + program +
         " [--connections N] [--size BYTES] [--seconds T] [--host H] [--port P] [--path /]\n"
         "       [--max-messages M] [--threads K] [--server-pid PID] [--connect-timeout T]\n"
         "       [--connect-concurrency C] [--spread-source] [--idle | --flood] [--warmup W]\n"
         "       [--deflate] [--corpus FILE] [--tls] [--tls-server-name NAME] [--handshakes]\n"
         "       [--fanout SUBS [--fanout-window W]]\n"
         "Each connection keeps one masked binary message of BYTES in flight: send, wait for the\n"
         "echo, compare it byte for byte, send again. Prints msg/s each second and a final line\n"
         "'summary key=value ...' with the echo latency's p50, p99 and max. With --server-pid,\n"
         "also the server's CPU time per message and its memory (RSS) per connection. --warmup\n"
         "runs the load W seconds before the measured window of T seconds. --idle holds the\n"
         "connections open for T seconds without sending. --flood sends masked binary frames of\n"
         "BYTES as fast as each socket takes them for T seconds and never reads (a client that\n"
         "ignores backpressure); it reports the bytes sent and whether and when the server\n"
         "closed a connection. --corpus sends the lines of FILE as text messages instead, in turn\n"
         "(each connection starts at its own line). --deflate offers permessage-deflate (as\n"
         "browsers do), compresses every message it sends, inflates and checks every echo, and\n"
         "reports the compression ratio of both sides; a server that declines fails the run.\n"
         "--tls speaks wss://: a TLS handshake (certificates are not verified; SNI is NAME, else\n"
         "the host unless it is an IP address) before the upgrade, then every frame through TLS;\n"
         "it works with every mode. --handshakes: each of the N connections repeats a cycle\n"
         "instead: TCP connect, TLS handshake (with --tls: a full one, sessions are not resumed),\n"
         "upgrade, one echo of the message, a close frame, the server's close frame and end of\n"
         "TCP, close; prints cycles/s (and with --server-pid the server's CPU time per cycle),\n"
         "the latency figures are whole cycles', --max-messages bounds the cycles and a cycle\n"
         "longer than --connect-timeout fails the run.\n"
         "--fanout SUBS: SUBS subscriber connections and one publisher (opened last) on a server\n"
         "that publishes each message a connection sends to all the others (bench/fanout_server);\n"
         "the publisher sends binary messages of BYTES (--max-messages of them, or for T "
         "seconds),\n"
         "message k only once every subscriber has message k - W (--fanout-window, default 32);\n"
         "each subscriber checks it gets every message once, whole and in order. Prints\n"
         "deliveries/s and (--server-pid) the server's CPU time per delivery; fails on a loss.\n"
         "Exits 1 on a mismatch, a failed handshake or a dropped connection\n"
         "(with --flood: only on a failed handshake), 2 on a bad command line.\n";
}

bool is_ip_literal(const std::string& host) {
  unsigned char address[16];
  return inet_pton(AF_INET, host.c_str(), address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), address) == 1;
}

std::optional<options> parse_options(int argc, char** argv, std::string& error) {
  options result;
  bool server_name_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string_view(argv[++i]);
    };
    bool ok = true;
    if (flag == "--deflate") {
      result.deflate = true;
    } else if (flag == "--spread-source") {
      result.spread_source = true;
    } else if (flag == "--idle") {
      result.idle = true;
    } else if (flag == "--flood") {
      result.flood = true;
    } else if (flag == "--tls") {
      result.tls = true;
    } else if (flag == "--handshakes") {
      result.handshakes = true;
    } else if (flag == "--connections" || flag == "--size" || flag == "--seconds" ||
               flag == "--host" || flag == "--port" || flag == "--path" ||
               flag == "--max-messages" || flag == "--threads" || flag == "--server-pid" ||
               flag == "--connect-timeout" || flag == "--connect-concurrency" ||
               flag == "--warmup" || flag == "--corpus" || flag == "--tls-server-name" ||
               flag == "--fanout" || flag == "--fanout-window") {
      const auto text = value();
      if (!text) {
        error = "missing value after " + std::string(flag);
        return std::nullopt;
      }
      if (flag == "--connections") {
        ok = parse_integer(*text, result.connections) && result.connections > 0 &&
             result.connections <= 1'000'000;
      } else if (flag == "--size") {
        ok = parse_integer(*text, result.size) && result.size <= 64u * 1024 * 1024;
      } else if (flag == "--seconds") {
        ok = parse_seconds(*text, result.seconds);
      } else if (flag == "--host") {
        result.host = std::string(*text);
      } else if (flag == "--port") {
        ok = parse_integer(*text, result.port) && result.port != 0;
      } else if (flag == "--path") {
        result.path = std::string(*text);
        ok = !result.path.empty() && result.path[0] == '/' &&
             result.path.find_first_of(" \r\n") == std::string::npos;
      } else if (flag == "--max-messages") {
        ok = parse_integer(*text, result.max_messages);
      } else if (flag == "--threads") {
        ok = parse_integer(*text, result.threads) && result.threads > 0 && result.threads <= 64;
      } else if (flag == "--server-pid") {
        ok = parse_integer(*text, result.server_pid) && result.server_pid > 0;
      } else if (flag == "--connect-timeout") {
        ok = parse_seconds(*text, result.connect_timeout);
      } else if (flag == "--corpus") {
        result.corpus = std::string(*text);
        ok = !result.corpus.empty();
      } else if (flag == "--tls-server-name") {
        result.tls_server_name = std::string(*text);
        server_name_given = true;
        // A DNS name (RFC 6066): not empty, no spaces or control characters, under 256 bytes.
        ok = !result.tls_server_name.empty() && result.tls_server_name.size() < 256 &&
             std::all_of(result.tls_server_name.begin(), result.tls_server_name.end(),
                         [](char c) { return c > ' ' && c != 0x7f; });
      } else if (flag == "--fanout") {
        ok = parse_integer(*text, result.fanout) && result.fanout > 0 && result.fanout <= 100'000;
      } else if (flag == "--fanout-window") {
        ok = parse_integer(*text, result.fanout_window) && result.fanout_window > 0 &&
             result.fanout_window <= 65536;
      } else if (flag == "--warmup") {
        ok = parse_seconds(*text, result.warmup, /*zero_ok=*/true);
      } else {
        ok = parse_integer(*text, result.connect_concurrency) && result.connect_concurrency > 0;
      }
      if (!ok) {
        error = "bad value for " + std::string(flag) + ": " + std::string(*text);
        return std::nullopt;
      }
    } else {
      error = "unknown argument: " + std::string(flag);
      return std::nullopt;
    }
  }
  if (result.idle && result.flood) {
    error = "--idle and --flood exclude each other";
    return std::nullopt;
  }
  if (result.flood && result.max_messages != 0) {
    error = "--max-messages counts echoes, which --flood does not read";
    return std::nullopt;
  }
  if (result.flood && (result.deflate || !result.corpus.empty())) {
    error = "--flood sends raw binary frames: not with --deflate or --corpus";
    return std::nullopt;
  }
  if (result.warmup > 0 && (result.idle || result.flood || result.max_messages != 0)) {
    error = "--warmup needs the echo load without --idle, --flood or --max-messages";
    return std::nullopt;
  }
  if (result.handshakes && (result.idle || result.flood)) {
    error = "--handshakes cycles connections: not with --idle or --flood";
    return std::nullopt;
  }
  if (result.fanout != 0 && (result.idle || result.flood || result.handshakes || result.deflate ||
                             result.tls || !result.corpus.empty() || result.warmup > 0)) {
    error =
        "--fanout sends plain binary messages: not with --idle, --flood, --handshakes, "
        "--deflate, --tls, --corpus or --warmup";
    return std::nullopt;
  }
  if (server_name_given && !result.tls) {
    error = "--tls-server-name needs --tls";
    return std::nullopt;
  }
  if (result.tls && !server_name_given && !is_ip_literal(result.host)) {
    result.tls_server_name = result.host;
  }
  if (result.connections > 20000) result.spread_source = true;
  return result;
}

}  // namespace ws_load
