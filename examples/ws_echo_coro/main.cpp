// The echo server with a C++20 coroutine per connection (restws/websocket/stream.hpp): GET /chat
// upgrades, and the coroutine reads each message and sends it back until the close.
//   ws_echo_coro [--port N] [--address A] [--threads N]     (default localhost:8080, 1 thread)
#include <restws/all.hpp>
#include <restws/websocket/stream.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include <cstdlib>
#include <iostream>
#include <string_view>

namespace rws = restws::websocket::basic;
using router_t = restws::router::express_router_t<>;
using traits_t = restws::traits_t<restws::asio_timer_manager_t, restws::null_logger_t, router_t>;

asio::awaitable<void> echo(rws::ws_stream_handle_t ws) {
  try {
    for (;;) {
      auto m = co_await ws->read();
      if (m->opcode() == rws::opcode_t::connection_close_frame) co_return;
      co_await ws->send(*m);
    }
  } catch (const std::system_error&) {  // the connection went away mid-operation
  }
}

int main(int argc, char** argv) {
  unsigned short port = 8080;
  std::string address = "localhost";
  std::size_t threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view a = argv[i];
    if (a == "--port")
      port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
    else if (a == "--address")
      address = argv[i + 1];
    else if (a == "--threads")
      threads = static_cast<std::size_t>(std::atoi(argv[i + 1]));
    else {
      std::cerr << "usage: ws_echo_coro [--port N] [--address A] [--threads N]\n";
      return 2;
    }
  }
  auto router = std::make_unique<router_t>();
  router->http_get("/chat", [](auto req, auto) {
    auto ws = rws::ws_stream_t::upgrade<traits_t>(*req);
    asio::co_spawn(ws->get_executor(), echo(ws), asio::detached);
    return restws::request_accepted();
  });
  restws::run(restws::on_thread_pool<traits_t>(threads).port(port).address(address).request_handler(
      std::move(router)));
}
