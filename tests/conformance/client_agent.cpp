// The client under test for client_conformance.py: connects to the URL given, echoes every
// data frame as received (fragments as fragments, like examples/ws_echo on the server side),
// answers pings with pongs, and exits once the connection is closed (status 0), or at once with
// status 1 if it cannot connect.
#include <restws/server/logger.hpp>
#include <restws/websocket/client.hpp>
#include <restws/websocket/websocket.hpp>

#include <iostream>
#include <memory>

namespace rws = restws::websocket::basic;

namespace {
// The library releases a connection's handler when its socket is closed for good: then we stop.
struct stop_on_release_t {
  asio::io_context& io;
  ~stop_on_release_t() { io.stop(); }
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: client_agent URL\n";
    return 2;
  }
  asio::io_context io;
  int status = 0;
  rws::ws_handle_t ws;
  auto guard = std::make_shared<stop_on_release_t>(io);
  auto handler = [guard](rws::ws_handle_t wsh, rws::message_handle_t m) {
    switch (m->opcode()) {
      case rws::opcode_t::ping_frame: {
        auto pong = *m;
        pong.set_opcode(rws::opcode_t::pong_frame);
        wsh->try_send_message(pong);
        break;
      }
      case rws::opcode_t::pong_frame:
      case rws::opcode_t::connection_close_frame:
        break;
      default:
        wsh->try_send_message(*m);
    }
  };
  guard.reset();  // the handler holds the only reference
  rws::client_settings_t settings;
  // Its log lines (why it failed a connection) go to stderr, which the runner shows on failure.
  settings.logger = std::make_shared<restws::single_threaded_ostream_logger_t>(
      std::cerr, restws::log_level_t::warn);
  rws::async_connect(
      io, argv[1], std::move(handler),
      [&](const std::error_code& ec, rws::ws_handle_t handle) {
        if (ec) {
          std::cerr << "client_agent: " << ec.message() << '\n';
          status = 1;
          io.stop();
          return;
        }
        ws = std::move(handle);  // kept open until the server closes it
      },
      std::move(settings));
  io.run();
  return status;
}
