// Starting and stopping: close() with clients connected finishes in-flight responses, then runs
// cleanup_func; run_async()'s handle stops; a connection handed off (WebSocket upgrade) gets the
// socket, the bytes already read, and a stop notification.

#include <gtest/gtest.h>

#include <asio/read.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <future>
#include <thread>

#include "test_client.hpp"
#include "test_server.hpp"

namespace restws::testing {
namespace {

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n";
}

TEST(http_server_stop, closes_idle_connections) {
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  test_client_t idle{server.port()};
  test_client_t used{server.port()};
  ASSERT_TRUE(used.send(get("/x")));
  ASSERT_TRUE(used.read_response());
  server.close();
  EXPECT_TRUE(idle.wait_closed(1s));
  EXPECT_TRUE(used.wait_closed(1s));
  test_client_t late{server.port()};
  EXPECT_FALSE(late.connected() && late.send(get("/y")) && late.read_response(500ms));
}

TEST(http_server_stop, finishes_the_in_flight_response_then_runs_cleanup) {
  std::promise<request_handle_t> got_request;
  std::atomic<bool> cleaned{false};
  auto settings = settings_with([&](request_handle_t req) {
    got_request.set_value(req);
    return request_accepted();
  });
  std::atomic<bool> response_sent_before_cleanup{false};
  std::atomic<bool> response_sent{false};
  settings.cleanup_func([&] {
    response_sent_before_cleanup = response_sent.load();
    cleaned = true;
  });
  test_server_t server{settings};
  test_client_t busy{server.port()};
  test_client_t idle{server.port()};
  ASSERT_TRUE(busy.send(get("/in-flight")));
  auto req = got_request.get_future().get();

  std::thread stopper{[&] { server.close(); }};
  ASSERT_TRUE(idle.wait_closed(2s));  // the stop has begun
  EXPECT_FALSE(cleaned.load());       // ...but waits for the in-flight response
  response_sent = true;
  req->create_response().set_body("finished").done();
  auto r = busy.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "finished");
  EXPECT_EQ(r->field("connection"), "close");
  EXPECT_TRUE(busy.wait_closed(2s));
  stopper.join();
  EXPECT_TRUE(cleaned.load());
  EXPECT_TRUE(response_sent_before_cleanup.load());
}

TEST(http_server_stop, run_async_handle_stops_and_waits) {
  std::atomic<int> cleanups{0};
  auto settings = on_thread_pool<test_traits_t>(2);
  settings.port(0).address("127.0.0.1");
  settings.request_handler([](request_handle_t req) { return echo_target(req); });
  settings.cleanup_func([&] { ++cleanups; });
  auto handle = run_async(settings);
  test_client_t c{handle->port()};
  ASSERT_TRUE(c.send(get("/async")));
  ASSERT_TRUE(c.read_response());
  handle->stop();
  handle->wait();
  EXPECT_EQ(cleanups.load(), 1);
  EXPECT_TRUE(c.wait_closed(1s));
}

TEST(connection_handoff, new_owner_gets_socket_and_bytes_read_after_the_request) {
  std::shared_ptr<handoff_registration_t> registration;
  std::atomic<bool> stop_notified{false};
  std::optional<asio::ip::tcp::socket> owned;
  auto settings = settings_with([&](request_handle_t req) {
    auto h = take_connection(*req);
    EXPECT_EQ(h.connection_id, req->connection_id());
    std::string extra = h.already_read;
    if (extra.size() < 5) {  // the rest may still be in the socket
      std::string more(5 - extra.size(), '\0');
      asio::read(h.socket, asio::buffer(more));
      extra += more;
    }
    asio::write(h.socket, asio::buffer("HTTP/1.1 101 Switching Protocols\r\n\r\ngot:" + extra));
    registration = h.registration;
    registration->set_stop_handler([&] {
      stop_notified = true;
      owned->close();
    });
    owned.emplace(std::move(h.socket));
    EXPECT_NO_THROW(req->create_response().done());  // ignored: not sent
    return request_accepted();
  });
  settings.cleanup_func([&] { registration.reset(); });
  test_server_t server{settings};
  test_client_t c{server.port()};
  ASSERT_TRUE(
      c.send("GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\nEXTRA"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 101);
  EXPECT_TRUE(c.stays_silent(100ms) || c.buffered() == "got:EXTRA");
  EXPECT_EQ(c.buffered(), "got:EXTRA");
  server.close();
  EXPECT_TRUE(stop_notified.load());
  EXPECT_TRUE(c.wait_closed(1s));
}

TEST(connection_handoff, request_pipelined_behind_one_in_handling_cannot_be_taken) {
  // "/take" is dispatched while "/first" is still being handled: the connection is busy, so the
  // hand-off is refused and both requests are answered normally.
  std::atomic<int> threw{0};
  std::promise<request_handle_t> first;
  std::promise<void> take_tried;
  auto settings = settings_with([&](request_handle_t req) {
    if (req->header().path() == "/first") {
      first.set_value(req);  // answered later, by the test
      return request_accepted();
    }
    try {
      take_connection(*req);
    } catch (const std::logic_error&) {
      ++threw;
    }
    take_tried.set_value();
    return echo_target(req);
  });
  settings.max_pipelined_requests(2);
  test_server_t server{settings};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/first") + get("/take")));
  auto first_req = first.get_future();
  ASSERT_EQ(first_req.wait_for(3s), std::future_status::ready);
  ASSERT_EQ(take_tried.get_future().wait_for(3s), std::future_status::ready);
  echo_target(first_req.get());
  ASSERT_TRUE(c.read_response());
  ASSERT_TRUE(c.read_response());
  EXPECT_EQ(threw.load(), 1);
}

}  // namespace
}  // namespace restws::testing

namespace restws::testing {
namespace {

TEST(http_server_stop, answer_after_the_server_is_destroyed_is_dropped) {
  std::promise<request_handle_t> got_request;
  auto settings = settings_with([&](request_handle_t req) {
    got_request.set_value(req);
    return request_accepted();
  });
  settings.handle_request_timeout(std::chrono::milliseconds{100});  // bounds the stop
  request_handle_t req;
  {
    test_server_t server{settings};
    test_client_t c{server.port()};
    ASSERT_TRUE(c.send(get("/held")));
    req = got_request.get_future().get();
  }
  EXPECT_EQ(req->create_response().set_body("too late").done(), request_accepted());
}

}  // namespace
}  // namespace restws::testing

namespace restws::testing {
namespace {

TEST(http_server_stop, completes_while_a_closed_connection_still_lingers) {
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  test_client_t c{server.port()};  // reads the answer but never closes its side
  ASSERT_TRUE(c.send("GET /bye HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(c.read_response());
  const auto start = std::chrono::steady_clock::now();
  server.close();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(c.wait_closed(1s));
}

}  // namespace
}  // namespace restws::testing
