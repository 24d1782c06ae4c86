// fanout_server: restws's WebSocket fan-out server for benchmarks (bench/compare.sh fanout,
// ws_load --fanout). Every WebSocket, on any path, subscribes to topic "fanout" when it opens;
// each data message a connection sends is published to the topic with ws_t::publish, which
// skips the sender: with ws_load --fanout, the publisher's messages reach every subscriber.
// uWebSockets' peer of the comparison does the same with ws->subscribe() and ws->publish().
// No logging on the hot path (null_logger_t). Stops cleanly on SIGINT/SIGTERM.
// Usage: fanout_server [--port N] [--threads T] [--address A] [--io-uring | --no-io-uring]
//        (defaults 8080, 1 (on_this_thread; T > 1: on_thread_pool(T)), 127.0.0.1; io_uring the
//        library's default, automatic)

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include <restws/all.hpp>
#include <restws/websocket/websocket.hpp>

namespace {

namespace rws = restws::websocket::basic;
using traits_t = restws::traits_t<restws::asio_timer_manager_t, restws::null_logger_t>;

constexpr std::string_view topic = "fanout";

struct options_t {
  std::uint16_t port = 8080;
  std::size_t threads = 1;
  std::string address = "127.0.0.1";
  rws::io_uring_mode_t io_uring = rws::ws_settings_t{}.io_uring;
};

void on_message(const rws::ws_handle_t& wsh, const rws::message_handle_t& m) {
  switch (m->opcode()) {
    case rws::opcode_t::text_frame:
    case rws::opcode_t::binary_frame:
      // One copy per publish (ws_t::publish takes the payload by value), none per receiver;
      // uWebSockets' publish copies the message once too.
      wsh->publish(topic, m->payload(), m->opcode());
      break;
    default:  // ping: answered by auto_pong; pong, close: nothing to do
      break;
  }
}

restws::request_handling_status_t handle(const options_t& o, const restws::request_handle_t& req) {
  if (req->header().connection() != restws::http_connection_header_t::upgrade) {
    return restws::request_rejected();
  }
  rws::ws_settings_t settings;
  settings.auto_pong = true;
  settings.io_uring = o.io_uring;
  settings.keep_open = true;  // the library holds each WebSocket open until it closes
  try {
    auto wsh = rws::upgrade<traits_t>(
        *req, rws::activation_t::immediate,
        [](rws::ws_handle_t h, rws::message_handle_t m) { on_message(h, m); }, settings);
    // On the connection's own thread: the subscription holds before any message it can get.
    wsh->subscribe(topic);
  } catch (const rws::upgrade_error_t&) {
    // upgrade() already answered the request (400 or 426).
  }
  return restws::request_accepted();
}

bool parse_options(int argc, char** argv, options_t& o) {
  for (int i = 1; i < argc; i += 2) {
    const std::string_view opt = argv[i];
    if (opt == "--io-uring" || opt == "--no-io-uring") {
      o.io_uring = opt == "--io-uring" ? rws::io_uring_mode_t::on : rws::io_uring_mode_t::off;
      --i;  // takes no value
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
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  options_t o;
  if (!parse_options(argc, argv, o)) {
    std::cerr << "usage: fanout_server [--port N] [--threads T] [--address A] "
                 "[--io-uring | --no-io-uring]\n";
    return 2;
  }
  try {
    // One reactor on this thread, or T reactors (this thread being one of them), one hub.
    auto settings = o.threads == 1 ? restws::on_this_thread<traits_t>()
                                   : restws::on_thread_pool<traits_t>(o.threads);
    settings.port(o.port).address(o.address).request_handler(
        [o](restws::request_handle_t req) { return handle(o, req); });
    restws::run(settings);
  } catch (const std::exception& ex) {
    std::cerr << "fanout_server: " << ex.what() << '\n';
    return 1;
  }
  return 0;
}
