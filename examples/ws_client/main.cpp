// A command-line WebSocket client, like websocat: connects to a ws:// or wss:// URL, sends each
// line of stdin as a text message, prints each message that arrives on a line of stdout. At the
// end of stdin it closes (1000) and exits once the server has answered.
//
//   ws_client [options] URL
//     --subprotocol NAME       offer NAME (repeatable, in order of preference)
//     --header "Name: value"   an extra request field (repeatable), e.g. Origin or Authorization
//     --deflate                offer permessage-deflate
//     --ca FILE                trust the CAs in FILE (PEM) instead of the system's store (wss)
//     --insecure               do not verify the server's certificate (tests only)
//     --binary                 send lines as binary messages
//     --expect N               at the end of stdin, wait for N messages in all before closing
//                              (for scripts: lines sent, then their answers); --wait-ms bounds
//                              the wait (10000)
//
// Exit status: 0 after a normal close, 1 when the connection cannot be made (the reason on
// stderr), 2 for bad arguments, 3 when the connection ends abnormally.
#include <restws/websocket/client.hpp>
#include <restws/websocket/websocket.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace rws = restws::websocket::basic;

namespace {

int usage(const char* why) {
  std::cerr << "ws_client: " << why
            << "\nusage: ws_client [--subprotocol NAME]... [--header 'Name: value']... "
               "[--deflate] [--ca FILE] [--insecure] [--binary] URL\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  rws::client_settings_t settings;
  settings.ws.deliver_whole_messages = true;
  settings.ws.auto_pong = true;
  std::string url;
  bool binary = false;
  long expect = 0;
  long wait_ms = 10000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--subprotocol") {
      const char* v = value();
      if (!v) return usage("--subprotocol needs a name");
      settings.subprotocols.emplace_back(v);
    } else if (a == "--header") {
      const char* v = value();
      const std::string_view h = v ? v : "";
      const auto colon = h.find(':');
      if (colon == std::string_view::npos) return usage("--header needs 'Name: value'");
      std::string_view field_value = h.substr(colon + 1);
      while (!field_value.empty() && field_value.front() == ' ') field_value.remove_prefix(1);
      settings.headers.add_field(std::string{h.substr(0, colon)}, std::string{field_value});
    } else if (a == "--deflate") {
      settings.offer_deflate = true;
    } else if (a == "--ca") {
      const char* v = value();
      if (!v) return usage("--ca needs a file");
      settings.tls.ca_file = v;
    } else if (a == "--insecure") {
      settings.tls.verify_peer = false;
    } else if (a == "--binary") {
      binary = true;
    } else if (a == "--expect" || a == "--wait-ms") {
      const char* v = value();
      if (!v) return usage("--expect and --wait-ms need a number");
      (a == "--expect" ? expect : wait_ms) = std::strtol(v, nullptr, 10);
    } else if (!a.empty() && a.front() == '-') {
      return usage("unknown option");
    } else if (url.empty()) {
      url = a;
    } else {
      return usage("one URL only");
    }
  }
  if (url.empty()) return usage("no URL");

  asio::io_context io;
  int status = 3;  // until a normal close says otherwise
  rws::ws_handle_t ws;
  // Messages received, and the end of stdin: the close waits for both (--expect). Shared with
  // the stdin thread, which may outlive main()'s locals (it is blocked reading when we exit).
  struct progress_t {
    std::mutex mutex;
    std::condition_variable changed;
    long received = 0;
  };
  auto progress = std::make_shared<progress_t>();
  auto on_message = [&](rws::ws_handle_t, rws::message_handle_t m) {
    switch (m->opcode()) {
      case rws::opcode_t::text_frame:
      case rws::opcode_t::binary_frame:
        std::cout << m->payload() << '\n' << std::flush;
        {
          std::lock_guard lock{progress->mutex};
          ++progress->received;
        }
        progress->changed.notify_all();
        break;
      case rws::opcode_t::connection_close_frame: {
        const auto code = rws::status_code_from_bin(m->payload());
        if (code == rws::status_code_t::normal_closure || code == rws::status_code_t::going_away) {
          status = 0;
        } else {
          std::cerr << "ws_client: connection closed: " << static_cast<int>(code) << ' '
                    << m->payload().substr(m->payload().size() >= 2 ? 2 : 0) << '\n';
        }
        asio::post(io, [&] {
          ws.reset();
          io.stop();
        });
        break;
      }
      default:
        break;
    }
  };
  try {
    rws::async_connect(
        io, url, on_message,
        [&](const std::error_code& ec, rws::ws_handle_t handle) {
          if (ec) {
            std::cerr << "ws_client: cannot connect to " << url << ": " << ec.message() << '\n';
            status = 1;
            io.stop();
            return;
          }
          ws = handle;
          // stdin is read on a thread of its own: ws_t may be used from any thread.
          std::thread{[progress, handle, binary, expect, wait_ms] {
            const auto opcode = binary ? rws::opcode_t::binary_frame : rws::opcode_t::text_frame;
            std::string line;
            while (std::getline(std::cin, line)) {
              if (handle->try_send_message(rws::final_frame, opcode, line) ==
                  rws::send_status_t::closed)
                return;
            }
            std::unique_lock lock{progress->mutex};
            if (!progress->changed.wait_for(lock, std::chrono::milliseconds{wait_ms},
                                            [&] { return progress->received >= expect; }))
              std::cerr << "ws_client: " << progress->received << " of " << expect
                        << " messages within --wait-ms\n";
            handle->shutdown();
          }}.detach();
        },
        settings);
  } catch (const std::invalid_argument& e) {
    return usage(e.what());
  }
  io.run();
  return status;
}
