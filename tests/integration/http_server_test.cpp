// The HTTP/1.1 server over real loopback sockets: keep-alive, pipelining, close, HTTP/1.0,
// request bodies, 100-continue, errors from handlers, asynchronous and chunked responses.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_client.hpp"
#include "test_server.hpp"

namespace restws::testing {
namespace {

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n";
}

TEST(http_server, answers_a_get) {
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/hello")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "/hello");
  EXPECT_EQ(r->field("content-type"), "text/plain");
}

TEST(http_server, keeps_the_connection_alive_between_requests) {
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  test_client_t c{server.port()};
  for (int i = 0; i < 5; ++i) {
    const std::string target = "/r" + std::to_string(i);
    ASSERT_TRUE(c.send(get(target)));
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, target);
    EXPECT_FALSE(r->has_field("connection"));
  }
}

TEST(http_server, answers_16_pipelined_requests_in_order) {
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  test_client_t c{server.port()};
  std::string batch;
  for (int i = 0; i < 16; ++i) batch += get("/p" + std::to_string(i));
  ASSERT_TRUE(c.send(batch));
  for (int i = 0; i < 16; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "/p" + std::to_string(i));
  }
}

TEST(http_server, pipelined_async_responses_keep_request_order) {
  // Answers come back in reverse order from other threads; the wire order must not change.
  std::mutex m;
  std::vector<request_handle_t> held;
  auto settings = settings_with([&](request_handle_t req) {
    std::lock_guard lock{m};
    held.push_back(req);
    if (held.size() == 4) {
      std::vector<std::thread> ts;
      for (auto it = held.rbegin(); it != held.rend(); ++it)
        ts.emplace_back([r = *it] { echo_target(r); });
      for (auto& t : ts) t.join();
    }
    return request_accepted();
  });
  settings.max_pipelined_requests(4);
  test_server_t server{settings};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/a") + get("/b") + get("/c") + get("/d")));
  for (const char* t : {"/a", "/b", "/c", "/d"}) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << t;
    EXPECT_EQ(r->body, t);
  }
}

TEST(http_server, a_pipelined_burst_larger_than_a_read_is_answered_in_full_by_async_handlers) {
  // ~60 KiB of pipelined requests: one read takes part of it, parsing stops at the pipelining
  // limit, and the socket's readiness was already reported. Once answers go out, the rest must
  // still be read (no wait for a readiness edge that already passed).
  std::mutex m;
  std::condition_variable cv;
  std::deque<request_handle_t> queue;
  bool done = false;
  auto settings = settings_with([&](request_handle_t req) {
    {
      std::lock_guard lock{m};
      queue.push_back(std::move(req));
    }
    cv.notify_one();
    return request_accepted();
  });
  settings.max_pipelined_requests(2);
  test_server_t server{settings};
  std::thread answerer{[&] {
    std::unique_lock lock{m};
    for (;;) {
      cv.wait(lock, [&] { return done || !queue.empty(); });
      if (queue.empty()) return;
      auto req = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      echo_target(req);
      lock.lock();
    }
  }};
  test_client_t c{server.port()};
  constexpr int count = 64;
  const std::string filler(900, 'x');
  std::string burst;
  for (int i = 0; i < count; ++i) {  // append, not operator+ (GCC 12 -O3 raises -Wrestrict)
    burst.append("GET /").append(std::to_string(i)).append(" HTTP/1.1\r\nHost: t\r\nX-Filler: ");
    burst.append(filler).append("\r\n\r\n");
  }
  ASSERT_TRUE(c.send(burst));
  for (int i = 0; i < count; ++i) {
    auto r = c.read_response(5s);
    ASSERT_TRUE(r) << i;
    std::string target{"/"};
    target.append(std::to_string(i));
    EXPECT_EQ(r->body, target);
  }
  {
    std::lock_guard lock{m};
    done = true;
  }
  cv.notify_one();
  answerer.join();
}

TEST(http_server, connection_close_is_honoured) {
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" + get("/after")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/x");
  EXPECT_EQ(r->field("connection"), "close");
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(c.buffered(), "");  // the request after the close is not answered
}

TEST(http_server, http10_closes_unless_keep_alive_asked) {
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  {
    test_client_t c{server.port()};
    ASSERT_TRUE(c.send("GET /old HTTP/1.0\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "/old");
    EXPECT_EQ(r->field("connection"), "close");
    EXPECT_TRUE(c.wait_closed());
  }
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send("GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field("connection"), "keep-alive");
  ASSERT_TRUE(c.send("GET /ka2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/ka2");
}

TEST(http_server, head_gets_headers_without_body) {
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send("HEAD /abc HTTP/1.1\r\nHost: t\r\n\r\n" + get("/next")));
  auto r = c.read_response(5s, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field("content-length"), "4");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/next");
}

TEST(http_server, decodes_a_chunked_request_body) {
  test_server_t server{settings_with([](request_handle_t req) {
    return req->create_response().set_body("got:" + req->body()).done();
  })};
  test_client_t c{server.port()};
  ASSERT_TRUE(
      c.send("POST /u HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nHello\r\n"));
  ASSERT_TRUE(c.send("7\r\n, World\r\n0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "got:Hello, World");
}

TEST(http_server, sends_100_continue_before_reading_the_body) {
  test_server_t server{settings_with([](request_handle_t req) {
    return req->create_response().set_body("got:" + req->body()).done();
  })};
  test_client_t c{server.port()};
  ASSERT_TRUE(
      c.send("POST /u HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send("data"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "got:data");
}

TEST(http_server, rejected_request_gets_404_and_a_log_line) {
  test_server_t server{settings_with([](auto) { return request_rejected(); })};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/missing")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_TRUE(server.log->contains("GET /missing: rejected"));
  ASSERT_TRUE(c.send(get("/again")));  // still alive
  EXPECT_TRUE(c.read_response());
}

TEST(http_server, rejected_status_is_a_setting) {
  auto settings = settings_with([](auto) { return request_rejected(); });
  settings.rejected_request_status(status_not_implemented());
  test_server_t server{settings};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/missing")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501);
}

TEST(http_server, handler_exception_gives_500_and_server_stays_up) {
  test_server_t server{settings_with([](request_handle_t req) -> request_handling_status_t {
    if (req->header().path() == "/boom") throw std::runtime_error{"kaboom"};
    return echo_target(req);
  })};
  {
    test_client_t c{server.port()};
    ASSERT_TRUE(c.send(get("/boom")));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
  }
  EXPECT_TRUE(server.log->contains("kaboom"));
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/fine")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/fine");
}

TEST(http_server, response_from_another_thread_is_delivered) {
  std::vector<std::thread> workers;
  std::mutex m;
  auto settings = settings_with([&](request_handle_t req) {
    std::lock_guard lock{m};
    workers.emplace_back([req] { req->create_response().set_body("from thread").done(); });
    return request_accepted();
  });
  {
    test_server_t server{settings};
    test_client_t c{server.port()};
    ASSERT_TRUE(c.send(get("/async")));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "from thread");
    ASSERT_TRUE(c.send(get("/async2")));
    r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "from thread");
  }
  for (auto& t : workers) t.join();
}

TEST(http_server, responses_larger_than_the_socket_buffers_arrive_whole_and_in_order) {
  // 8 MiB each, more than loopback's socket buffers hold: the server's sends block and go on at
  // each output edge. Two pipelined requests: the second response must follow the first intact.
  std::string big(8 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 23);
  test_server_t server{settings_with([&big](request_handle_t req) {
    std::string body = big;
    body.append(req->header().path());  // which request this answers
    return req->create_response().set_body(std::move(body)).done();
  })};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/first") + get("/second")));
  for (const std::string path : {"/first", "/second"}) {
    auto r = c.read_response(20s);
    ASSERT_TRUE(r) << path;
    ASSERT_EQ(r->body.size(), big.size() + path.size()) << path;
    EXPECT_TRUE(r->body.compare(0, big.size(), big) == 0) << path;
    EXPECT_EQ(r->body.substr(big.size()), path);
  }
  ASSERT_TRUE(c.send(get("/third")));  // still usable
  auto r = c.read_response(20s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.substr(big.size()), "/third");
}

TEST(http_server, small_responses_to_a_client_that_does_not_read_are_all_delivered_in_order) {
  // Small whole responses are sent from the handler's call while nothing is queued; when the
  // socket buffers fill (the client reads only after sending everything), a send takes part of
  // one or none, the rest is queued and later responses queue behind it. However the two ways
  // interleave, every response must arrive whole and in request order.
  const std::string filler(1500, 'x');
  test_server_t server{settings_with([&filler](request_handle_t req) {
    return req->create_response().set_body(filler + std::string{req->header().path()}).done();
  })};
  test_client_t c{server.port()};
  constexpr int requests = 20000;  // 30 MB of responses: more than loopback's buffers hold
  std::string all;
  for (int i = 0; i < requests; ++i) all += get("/r" + std::to_string(i));
  ASSERT_TRUE(c.send(all));
  for (int i = 0; i < requests; ++i) {
    auto r = c.read_response(20s);
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(r->body, filler + "/r" + std::to_string(i));
  }
  EXPECT_TRUE(c.stays_silent(50ms));
}

TEST(http_server, chunked_output_is_streamed) {
  test_server_t server{settings_with([](request_handle_t req) {
    auto resp = req->create_response<chunked_output_t>();
    resp.append_header("Content-Type", "text/plain");
    resp.append_chunk("one,").flush();
    resp.append_chunk("two,").append_chunk("three");
    return resp.done();
  })};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/stream")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field("transfer-encoding"), "chunked");
  EXPECT_EQ(r->body, "one,two,three");
  ASSERT_TRUE(c.send(get("/stream")));  // still usable
  EXPECT_TRUE(c.read_response());
}

TEST(http_server, serves_ipv6_loopback_when_available) {
  test_settings_t settings = settings_with([](auto req) { return echo_target(req); });
  std::unique_ptr<test_server_t> server;
  try {
    server = std::make_unique<test_server_t>(settings, "::1");
  } catch (const std::exception& ex) {
    GTEST_SKIP() << "no IPv6 loopback: " << ex.what();
  }
  test_client_t c{server->port(), "::1"};
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(get("/v6")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/v6");
}

TEST(http_server, localhost_address_is_resolved) {
  test_server_t server{settings_with([](auto req) { return echo_target(req); }), "localhost"};
  test_client_t c{server.port()};
  if (!c.connected()) GTEST_SKIP() << "localhost resolved to ::1 only";
  ASSERT_TRUE(c.send(get("/lh")));
  EXPECT_TRUE(c.read_response());
}

TEST(http_server, thread_pool_serves_many_connections) {
  auto settings = on_thread_pool<test_traits_t>(3);
  settings.request_handler([](request_handle_t req) { return echo_target(req); });
  test_server_t server{settings};
  std::vector<std::unique_ptr<test_client_t>> clients;
  for (int i = 0; i < 9; ++i) {
    clients.push_back(std::make_unique<test_client_t>(server.port()));
    ASSERT_TRUE(clients.back()->send(get("/c" + std::to_string(i))));
  }
  for (int i = 0; i < 9; ++i) {
    auto r = clients[static_cast<std::size_t>(i)]->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "/c" + std::to_string(i));
  }
}

TEST(http_server_io_uring, automatic_answers_and_logs_its_choice_once) {
  // The default, io_uring_mode_t::automatic: the server times a system call and picks io_uring
  // or plain calls for its HTTP connections; it says which, once for its two reactors, and
  // answers either way.
  ASSERT_EQ(test_settings_t{}.config().io_uring, io_uring_mode_t::automatic);
  auto log = std::make_shared<log_store_t>();
  http_server_t<test_traits_t> server{
      on_thread_pool<test_traits_t>(2)
          .port(0)
          .address("127.0.0.1")
          .logger(log)
          .request_handler([](auto req) { return echo_target(req); })};
  server.open();
  std::vector<std::unique_ptr<test_client_t>> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(std::make_unique<test_client_t>(server.port()));
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < clients.size(); ++i)
      ASSERT_TRUE(clients[i]->send(get("/c" + std::to_string(i) + "r" + std::to_string(round))));
    for (std::size_t i = 0; i < clients.size(); ++i) {
      auto r = clients[i]->read_response();
      ASSERT_TRUE(r) << i;
      EXPECT_EQ(r->body, "/c" + std::to_string(i) + "r" + std::to_string(round));
    }
  }
  std::vector<std::string> choices;
  {
    std::lock_guard lock{log->mutex};
    for (const auto& l : log->lines)
      if (l.find("http: a system call takes") != std::string::npos) choices.push_back(l);
  }
  ASSERT_EQ(choices.size(), 1u);  // two reactors, one line
  const auto& line = choices.front();
  const long ns = std::stol(line.substr(line.find("takes ") + 6));
  EXPECT_GT(ns, 0);
  const bool batches = line.find("through io_uring") != std::string::npos;
  const bool plain = line.find("plain system calls") != std::string::npos;
  EXPECT_NE(batches, plain) << line;
  EXPECT_EQ(batches, ns >= 300) << line;
  clients.clear();
  server.close();
}

TEST(http_server_io_uring, clients_in_lock_step_get_their_own_answers) {
  // Many connections ready in one round: their reads go to the kernel in one submission and
  // their answers in one more (with io_uring on), each answer to its own client, in order.
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  std::vector<std::unique_ptr<test_client_t>> clients;
  for (int i = 0; i < 16; ++i) clients.push_back(std::make_unique<test_client_t>(server.port()));
  for (int round = 0; round < 50; ++round) {
    for (std::size_t i = 0; i < clients.size(); ++i) {
      std::string batch;  // two pipelined requests: the second waits behind the first's answer
      for (int k = 0; k < 2; ++k)
        batch +=
            get("/c" + std::to_string(i) + "r" + std::to_string(round) + "k" + std::to_string(k));
      ASSERT_TRUE(clients[i]->send(batch));
    }
    for (std::size_t i = 0; i < clients.size(); ++i) {
      for (int k = 0; k < 2; ++k) {
        auto r = clients[i]->read_response();
        ASSERT_TRUE(r) << i << " " << round;
        EXPECT_EQ(r->body,
                  "/c" + std::to_string(i) + "r" + std::to_string(round) + "k" + std::to_string(k));
      }
    }
  }
}

TEST(http_server_io_uring, one_handler_answers_the_requests_of_many_connections) {
  // The handler holds each request and answers all of them from the last one's call: the
  // answers of connections that read nothing in that round are sent with it (with io_uring on,
  // in the round's one submission of writes), each to its own client.
  constexpr std::size_t clients_count = 40;
  std::vector<request_handle_t> held;  // touched on the server's one thread only
  test_server_t server{settings_with([&](request_handle_t req) {
    held.push_back(std::move(req));
    if (held.size() == clients_count) {
      for (auto& r : held) echo_target(r);
      held.clear();
    }
    return request_accepted();
  })};
  std::vector<std::unique_ptr<test_client_t>> clients;
  for (std::size_t i = 0; i < clients_count; ++i)
    clients.push_back(std::make_unique<test_client_t>(server.port()));
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < clients_count; ++i)
      ASSERT_TRUE(clients[i]->send(get("/c" + std::to_string(i) + "r" + std::to_string(round))));
    for (std::size_t i = 0; i < clients_count; ++i) {
      auto r = clients[i]->read_response();
      ASSERT_TRUE(r) << i << " " << round;
      EXPECT_EQ(r->body, "/c" + std::to_string(i) + "r" + std::to_string(round));
    }
  }
}

}  // namespace
}  // namespace restws::testing
