// Coroutines (restws/websocket/stream.hpp) over loopback: a coroutine echo server for a callback
// client, a coroutine client for a callback server, the close and the read after it, a slow
// coroutine holding its peer back (the inbox's bound), a send waiting while the queue is over
// its cap, errors as exceptions and as error codes.

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "integration/test_server.hpp"
#include "integration/ws_client_fixture.hpp"
#include "integration/ws_test_client.hpp"
#include "restws/all.hpp"
#include "restws/websocket/stream.hpp"

namespace restws::testing {
namespace {

namespace rws = restws::websocket::basic;
using opcode_t = rws::opcode_t;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

template <typename P>
bool eventually(P pred, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = clock_type::now() + timeout;
  while (!pred()) {
    if (clock_type::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

std::string url(std::uint16_t port) { return "ws://127.0.0.1:" + std::to_string(port) + "/s"; }

// What the server's coroutines did, for the test to see.
struct server_side_t {
  std::mutex mutex;
  std::vector<rws::ws_stream_handle_t> streams;
  std::promise<std::error_code> after_close;  ///< a read after the close
  std::atomic<int> sends_done{0};
  std::shared_ptr<asio::steady_timer> gate;  ///< holds a coroutine until cancelled
};

using coroutine_t = std::function<asio::awaitable<void>(rws::ws_stream_handle_t)>;

test_settings_t coroutine_server(std::shared_ptr<server_side_t> side, coroutine_t body,
                                 rws::ws_settings_t ws = {}, std::size_t max_inbox = 1 << 20) {
  test_settings_t s = on_this_thread<test_traits_t>();
  s.request_handler([side, body, ws, max_inbox](const request_handle_t& req) {
    auto stream = rws::ws_stream_t::upgrade<test_traits_t>(*req, ws, max_inbox);
    {
      std::lock_guard lock{side->mutex};
      side->streams.push_back(stream);
    }
    asio::co_spawn(stream->get_executor(), body(stream), asio::detached);
    return request_accepted();
  });
  return s;
}

asio::awaitable<void> echo_then_read_again(rws::ws_stream_handle_t ws,
                                           std::shared_ptr<server_side_t> side) {
  for (;;) {
    auto m = co_await ws->read();
    if (m->opcode() == opcode_t::connection_close_frame) break;
    co_await ws->send(*m);
  }
  auto [ec, m] = co_await ws->async_read(asio::experimental::as_tuple(asio::use_awaitable));
  side->after_close.set_value(ec);
}

TEST(ws_stream, a_coroutine_echoes_every_message_then_sees_the_close) {
  auto side = std::make_shared<server_side_t>();
  test_server_t server{coroutine_server(
      side, [side](rws::ws_stream_handle_t ws) { return echo_then_read_again(ws, side); })};
  auto inbox = std::make_shared<inbox_t>();
  client_runner_t client;
  auto r = client.connect(url(server.port()), inbox);
  ASSERT_FALSE(r.ec) << r.ec.message();
  constexpr int count = 500;
  for (int i = 0; i < count; ++i)
    r.ws->send_message(rws::final_frame, i % 2 ? opcode_t::binary_frame : opcode_t::text_frame,
                       std::string(static_cast<std::size_t>(i * 37), 'a' + i % 26));
  for (int i = 0; i < count; ++i) {
    const auto m = inbox->pop();
    ASSERT_TRUE(m) << i;
    EXPECT_EQ(m->opcode, i % 2 ? opcode_t::binary_frame : opcode_t::text_frame);
    ASSERT_EQ(m->payload, std::string(static_cast<std::size_t>(i * 37), 'a' + i % 26));
  }
  auto after = side->after_close.get_future();
  r.ws->shutdown();
  ASSERT_EQ(after.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(after.get(), asio::error::eof);
}

TEST(ws_stream, a_coroutine_client_talks_to_a_callback_server) {
  test_settings_t s = on_this_thread<test_traits_t>();
  rws::ws_settings_t keep_open;
  keep_open.keep_open = true;  // no registry: the library holds the connection
  s.request_handler([keep_open](const request_handle_t& req) {
    auto h = rws::upgrade<test_traits_t>(
        *req, rws::activation_t::immediate,
        [](rws::ws_handle_t wsh, rws::message_handle_t m) {
          if (m->opcode() == opcode_t::text_frame)
            wsh->send_message(rws::final_frame, opcode_t::text_frame,
                              "re: " + std::string{m->payload()});
        },
        keep_open);
    return request_accepted();
  });
  test_server_t server{s};
  asio::io_context io;
  std::promise<std::vector<std::string>> got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto ws = co_await rws::async_connect_stream(io, url(server.port()));
        std::vector<std::string> answers;
        for (const char* text : {"one", "two", "three"}) {
          co_await ws->send(text);
          answers.emplace_back((co_await ws->read())->payload());
        }
        ws->close();
        auto close = co_await ws->read();
        answers.push_back(close->opcode() == opcode_t::connection_close_frame ? "closed" : "?");
        got.set_value(answers);
      },
      [&](std::exception_ptr e) {
        if (e) got.set_exception(e);
      });
  io.run_for(10s);
  auto f = got.get_future();
  ASSERT_EQ(f.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(f.get(), (std::vector<std::string>{"re: one", "re: two", "re: three", "closed"}));
}

TEST(ws_stream, errors_are_exceptions_or_error_codes_as_the_token_says) {
  std::uint16_t port;
  {
    test_settings_t s = on_this_thread<test_traits_t>();
    s.request_handler([](const request_handle_t&) { return request_rejected(); });
    test_server_t server{s};
    port = server.port();
  }
  asio::io_context io;
  std::error_code thrown, returned;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        try {
          co_await rws::async_connect_stream(io, url(port));
        } catch (const std::system_error& e) {
          thrown = e.code();
        }
        auto [ec, ws] = co_await rws::async_connect_stream(
            io, "ws://[::1", asio::experimental::as_tuple(asio::use_awaitable));
        returned = ec;
      },
      asio::detached);
  io.run_for(10s);
  EXPECT_EQ(thrown, asio::error::connection_refused);
  EXPECT_EQ(returned, rws::client_error_t::bad_url);
}

asio::awaitable<void> wait_then_echo(rws::ws_stream_handle_t ws,
                                     std::shared_ptr<server_side_t> side) {
  co_await side->gate->async_wait(
      asio::experimental::as_tuple(asio::use_awaitable));  // until cancelled
  for (;;) {
    auto m = co_await ws->read();
    if (m->opcode() == opcode_t::connection_close_frame) co_return;
    co_await ws->send(*m);
  }
}

TEST(ws_stream, a_coroutine_that_does_not_read_holds_its_peer_back) {
  auto side = std::make_shared<server_side_t>();
  constexpr std::size_t max_inbox = 256 * 1024;
  constexpr std::size_t message = 64 * 1024;
  constexpr int count = 512;  // 32 MiB: more than the kernel's buffers hold
  test_server_t server{coroutine_server(
      side,
      [side](rws::ws_stream_handle_t ws) {
        side->gate = std::make_shared<asio::steady_timer>(ws->get_executor(), 1h);
        return wait_then_echo(ws, side);
      },
      {}, max_inbox)};
  auto inbox = std::make_shared<inbox_t>();
  client_runner_t client;
  rws::client_settings_t settings;
  settings.ws.max_backpressure = 64 * 1024 * 1024;  // the client queues it all
  auto r = client.connect(url(server.port()), inbox, settings);
  ASSERT_FALSE(r.ec) << r.ec.message();
  for (int i = 0; i < count; ++i)
    r.ws->send_message(rws::final_frame, opcode_t::binary_frame,
                       std::string(message, static_cast<char>(i)));
  rws::ws_stream_handle_t stream;
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock{side->mutex};
    if (side->streams.empty()) return false;
    stream = side->streams.front();
    return stream->inbox_size() >= max_inbox;
  }));
  // Paused: the inbox stays within its bound, and the rest waits in TCP and the client's queue.
  for (int i = 0; i < 100; ++i) {
    ASSERT_LE(stream->inbox_size(), max_inbox + message);
    std::this_thread::sleep_for(5ms);  // an observation window, not a synchronisation
  }
  EXPECT_GT(r.ws->buffered_amount(), 0u);
  asio::post(stream->get_executor(), [side] { side->gate->cancel(); });
  for (int i = 0; i < count; ++i) {
    const auto m = inbox->pop(10s);
    ASSERT_TRUE(m) << i;
    ASSERT_EQ(m->payload, std::string(message, static_cast<char>(i)));
    ASSERT_LE(stream->inbox_size(), max_inbox + message);
  }
  // The gate is a timer of the server's reactor: it goes before the server does (ASan).
  std::promise<void> dropped;
  asio::post(stream->get_executor(), [&] {
    side->gate.reset();
    dropped.set_value();
  });
  EXPECT_EQ(dropped.get_future().wait_for(5s), std::future_status::ready);
}

asio::awaitable<void> send_many(rws::ws_stream_handle_t ws, std::shared_ptr<server_side_t> side,
                                int count, std::size_t size) {
  for (int i = 0; i < count; ++i) {
    co_await ws->send(std::string(size, static_cast<char>('a' + i % 26)), opcode_t::binary_frame);
    ++side->sends_done;
  }
}

TEST(ws_stream, a_send_waits_while_the_queue_is_over_its_cap) {
  auto side = std::make_shared<server_side_t>();
  constexpr std::size_t cap = 128 * 1024;
  constexpr std::size_t size = 64 * 1024;
  constexpr int count = 256;  // 16 MiB for a client that does not read
  rws::ws_settings_t ws;
  ws.max_backpressure = cap;
  test_server_t server{coroutine_server(
      side, [side](rws::ws_stream_handle_t s) { return send_many(s, side, count, size); }, ws)};
  ws_test_client_t c{server.port(), 64 * 1024};
  ASSERT_NE(c.handshake("/s").find(" 101 "), std::string::npos);
  rws::ws_stream_handle_t stream;
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock{side->mutex};
    if (side->streams.empty()) return false;
    stream = side->streams.front();
    return stream->handle()->buffered_amount() > cap;
  }));
  // The coroutine waits in send(): the queue stays at the cap plus the message that crossed it.
  for (int i = 0; i < 100; ++i) {
    ASSERT_LE(stream->handle()->buffered_amount(), cap + size);
    std::this_thread::sleep_for(5ms);  // an observation window, not a synchronisation
  }
  EXPECT_LT(side->sends_done.load(), count);
  for (int i = 0; i < count; ++i) {
    const auto f = c.read_frame(10s);
    ASSERT_TRUE(f) << i;
    ASSERT_EQ(f->payload, std::string(size, static_cast<char>('a' + i % 26)));
  }
  EXPECT_TRUE(eventually([&] { return side->sends_done.load() == count; }));
}

}  // namespace
}  // namespace restws::testing
