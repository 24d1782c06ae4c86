// ws_client with coroutines (restws/websocket/stream.hpp): connects to URL, sends each
// argument after it as a text message, prints each answer, closes.
//   ws_client_coro URL [MESSAGE...]
// Exit status: 0 after a normal close, 1 on a connection error (the reason on stderr).
#include <restws/websocket/stream.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include <iostream>
#include <string>
#include <vector>

namespace rws = restws::websocket::basic;

asio::awaitable<int> session(asio::io_context& io, std::string url,
                             std::vector<std::string> messages) {
  try {
    auto ws = co_await rws::async_connect_stream(io, url);
    for (auto& text : messages) {
      co_await ws->send(text);
      auto answer = co_await ws->read();
      std::cout << answer->payload() << '\n';
    }
    ws->close();
    while ((co_await ws->read())->opcode() != rws::opcode_t::connection_close_frame) {
    }
    co_return 0;
  } catch (const std::system_error& e) {
    std::cerr << "ws_client_coro: " << url << ": " << e.code().message() << '\n';
    co_return 1;
  }
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: ws_client_coro URL [MESSAGE...]\n";
    return 2;
  }
  asio::io_context io;
  int status = 1;
  asio::co_spawn(io, session(io, argv[1], {argv + 2, argv + argc}), [&](std::exception_ptr, int s) {
    status = s;
    io.stop();
  });
  io.run();
  return status;
}
