// echo_server: restws' WebSocket echo server for benchmarks (the target of bench/compare.sh and
// uWebSockets' load_test).
//   any path, upgrade request -> WebSocket: text/binary/continuation frames echoed frame by frame
//                                (same opcode, same fin flag, payload shared, not copied), pings
//                                answered with pongs
//   any GET, no upgrade        -> 200 "Hello, World!" (so it doubles as the HTTP hello target)
// No logging on the hot path (null_logger_t). Stops cleanly on SIGINT/SIGTERM.
// Usage: echo_server [--port N] [--threads T] [--address A] [--io-uring | --no-io-uring]
//                    [--deflate | --deflate-context] [--deflate-min-size N] [--deflate-level L]
//                    [--tls-cert FILE --tls-key FILE]   (wss and https: PEM chain and key)
//                    [--coroutines]   (the echo through ws_stream_t, a coroutine per connection)
//        (defaults 8080, 1, 127.0.0.1; ws_settings_t::io_uring is the library's default,
//        automatic, unless --io-uring (on) or --no-io-uring (off) is given; --deflate turns on
//        permessage-deflate with the library's defaults (no context kept either way),
//        --deflate-context with context takeover both ways, as uWebSockets'
//        DEDICATED_COMPRESSOR | DEDICATED_DECOMPRESSOR; --deflate-min-size: messages under N
//        bytes are echoed uncompressed, default 64; a huge N inflates what arrives and compresses
//        nothing, as uWebSockets' EchoServer does, for uWebSockets' load_test, which expects
//        uncompressed echoes; --deflate-level: 1 by default, 6 is zlib's default and
//        uWebSockets' fixed level)

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include <restws/all.hpp>
#include <restws/tls.hpp>
#include <restws/websocket/stream.hpp>
#include <restws/websocket/websocket.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

namespace {

namespace rws = restws::websocket::basic;
using traits_t = restws::traits_t<restws::asio_timer_manager_t, restws::null_logger_t>;
using tls_traits_t = restws::tls_traits_t<restws::asio_timer_manager_t, restws::null_logger_t>;

// Echoes every data frame as received. send_message(const message_t&) shares the received
// payload bytes with the outgoing frame (no copy).
void on_message(const rws::ws_handle_t& wsh, const rws::message_handle_t& m) {
  switch (m->opcode()) {
    case rws::opcode_t::text_frame:
    case rws::opcode_t::binary_frame:
    case rws::opcode_t::continuation_frame:
      try {
        wsh->send_message(*m);
      } catch (const rws::ws_closed_error_t&) {
        // The peer's close crossed our echo: nothing to answer any more.
      }
      break;
    default:  // ping: answered by auto_pong; pong, close: nothing to do
      break;
  }
}

// --coroutines: the same echo through ws_stream_t (a coroutine per connection), frame by frame
// as above, to measure what the coroutine API costs over the callbacks.
asio::awaitable<void> echo(rws::ws_stream_handle_t ws) {
  try {
    for (;;) {
      auto m = co_await ws->read();
      const auto op = m->opcode();
      if (op == rws::opcode_t::connection_close_frame) co_return;
      if (op == rws::opcode_t::text_frame || op == rws::opcode_t::binary_frame ||
          op == rws::opcode_t::continuation_frame)
        co_await ws->send(*m);
    }
  } catch (const std::system_error&) {  // closed mid-send
  }
}

struct options_t {
  std::uint16_t port = 8080;
  std::size_t threads = 1;
  std::string address = "127.0.0.1";
  rws::io_uring_mode_t io_uring = rws::ws_settings_t{}.io_uring;
  rws::ws_settings_t::deflate_t deflate;  // off unless --deflate or --deflate-context
  std::string tls_cert;                   // both set: wss (and https) instead
  std::string tls_key;
  bool coroutines = false;
};

template <typename Traits>
restws::request_handling_status_t handle(const options_t& o, const restws::request_handle_t& req) {
  if (req->header().connection() == restws::http_connection_header_t::upgrade) {
    rws::ws_settings_t settings;
    settings.auto_pong = true;
    settings.io_uring = o.io_uring;
    settings.deflate = o.deflate;
    // The library holds each WebSocket open until it closes: no registry of handles here.
    settings.keep_open = true;
    try {
      if (o.coroutines) {
        settings.keep_open = false;  // the coroutine holds the stream, which holds the WebSocket
        auto ws = rws::ws_stream_t::upgrade<Traits>(*req, settings, 1024 * 1024, true);
        asio::co_spawn(ws->get_executor(), echo(ws), asio::detached);
        return restws::request_accepted();
      }
      rws::upgrade<Traits>(
          *req, rws::activation_t::immediate,
          [](rws::ws_handle_t h, rws::message_handle_t m) { on_message(h, m); }, settings);
    } catch (const rws::upgrade_error_t&) {
      // upgrade() already answered the request (400 or 426).
    }
    return restws::request_accepted();
  }
  if (req->header().method() != restws::http::method_t::get) return restws::request_rejected();
  return req->create_response()
      .append_header("Content-Type", "text/plain")
      .append_header_date_field()
      .set_body("Hello, World!")
      .done();
}

bool parse_options(int argc, char** argv, options_t& o) {
  for (int i = 1; i < argc; i += 2) {
    const std::string_view opt = argv[i];
    if (opt == "--io-uring" || opt == "--no-io-uring") {
      o.io_uring = opt == "--io-uring" ? rws::io_uring_mode_t::on : rws::io_uring_mode_t::off;
      --i;  // takes no value
      continue;
    }
    if (opt == "--coroutines") {
      o.coroutines = true;
      --i;
      continue;
    }
    if (opt == "--deflate" || opt == "--deflate-context") {
      o.deflate.enabled = true;
      if (opt == "--deflate-context") {
        o.deflate.server_no_context_takeover = false;
        o.deflate.client_no_context_takeover = false;
      }
      --i;
      continue;
    }
    if (i + 1 >= argc) return false;
    const char* value = argv[i + 1];
    char* end = nullptr;
    if (opt == "--port") {
      const unsigned long p = std::strtoul(value, &end, 10);
      if (*end != '\0' || p > 65535) return false;
      o.port = static_cast<std::uint16_t>(p);
    } else if (opt == "--threads") {
      const unsigned long t = std::strtoul(value, &end, 10);
      if (*end != '\0' || t == 0 || t > 1024) return false;
      o.threads = t;
    } else if (opt == "--address") {
      o.address = value;
    } else if (opt == "--tls-cert") {
      o.tls_cert = value;
    } else if (opt == "--tls-key") {
      o.tls_key = value;
    } else if (opt == "--deflate-level") {
      const long level = std::strtol(value, &end, 10);
      if (*end != '\0' || level < 0 || level > 9) return false;
      o.deflate.level = static_cast<int>(level);
    } else if (opt == "--deflate-min-size") {
      const unsigned long long n = std::strtoull(value, &end, 10);
      if (*end != '\0') return false;
      o.deflate.min_size = n;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

template <typename Traits>
void serve(const options_t& o) {
  // One reactor on this thread, or T reactors (this thread being one of them).
  auto settings =
      o.threads == 1 ? restws::on_this_thread<Traits>() : restws::on_thread_pool<Traits>(o.threads);
  settings.port(o.port).address(o.address).request_handler(
      [o](restws::request_handle_t req) { return handle<Traits>(o, req); });
  if constexpr (std::is_same_v<Traits, tls_traits_t>)
    settings.tls_context(restws::make_tls_context(o.tls_cert, o.tls_key));
  restws::run(settings);
}

int main(int argc, char** argv) {
  options_t o;
  if (!parse_options(argc, argv, o) || o.tls_cert.empty() != o.tls_key.empty()) {
    std::cerr << "usage: echo_server [--port N] [--threads T] [--address A] "
                 "[--io-uring | --no-io-uring] [--deflate | --deflate-context] "
                 "[--deflate-min-size N] [--deflate-level L] [--tls-cert FILE --tls-key FILE] "
                 "[--coroutines]\n";
    return 2;
  }
  try {
    if (o.tls_cert.empty()) {
      serve<traits_t>(o);
    } else {
      serve<tls_traits_t>(o);
    }
  } catch (const std::exception& ex) {
    std::cerr << "echo_server: " << ex.what() << '\n';
    return 1;
  }
  return 0;
}
