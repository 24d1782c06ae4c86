// Hostile and slow peers: malformed requests get the right status before the close and nothing
// after them is processed; silent and trickling clients, slow handlers and stalled readers are
// cut off by the timeouts.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_client.hpp"
#include "test_server.hpp"

namespace restws::testing {
namespace {

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n";
}

struct malformed_case_t {
  const char* name;
  std::string request;
  int status;
};

class malformed_request : public ::testing::TestWithParam<malformed_case_t> {};

TEST_P(malformed_request, is_answered_then_closed_and_nothing_after_it_runs) {
  std::atomic<int> handled{0};
  auto settings = settings_with([&](request_handle_t req) {
    ++handled;
    return echo_target(req);
  });
  settings.max_body_size(1000);
  test_server_t server{settings};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(GetParam().request + get("/after")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, GetParam().status);
  EXPECT_EQ(r->field("connection"), "close");
  EXPECT_TRUE(r->has_field("date"));  // RFC 9110 §6.6.1: in every 4xx response
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(c.buffered(), "");  // no response to the pipelined request
  EXPECT_EQ(handled.load(), 0);
  EXPECT_TRUE(server.log->contains("bad request"));
}

INSTANTIATE_TEST_SUITE_P(
    http_server, malformed_request,
    ::testing::Values(
        malformed_case_t{"bad_request_line", "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400},
        malformed_case_t{"missing_host", "GET / HTTP/1.1\r\n\r\n", 400},
        malformed_case_t{"smuggling_cl_and_te",
                         "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                         400},
        malformed_case_t{"bad_chunk",
                         "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "zz\r\n",
                         400},
        malformed_case_t{"body_too_large",
                         "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n", 413},
        malformed_case_t{"chunked_body_too_large",
                         "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "7d0\r\n" +
                             std::string(2000, 'x') + "\r\n0\r\n\r\n",
                         413},
        malformed_case_t{
            "header_too_large",
            "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431},
        malformed_case_t{"uri_too_long",
                         "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n", 414},
        malformed_case_t{"unknown_transfer_coding",
                         "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                         501},
        malformed_case_t{"unsupported_version", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505}),
    [](const auto& info) { return std::string{info.param.name}; });

TEST(http_server, an_http_1_2_request_is_answered_as_http_1_1_and_kept_alive) {
  // RFC 9110 §2.5: a higher minor version of HTTP/1 is processed as HTTP/1.1, not refused.
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send("GET /one HTTP/1.2\r\nHost: t\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->head.substr(0, 9), "HTTP/1.1 ");
  EXPECT_EQ(r->body, "/one");
  ASSERT_TRUE(c.send(get("/two")));  // the connection stays open, as for HTTP/1.1
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/two");
}

TEST(http_server, valid_request_before_a_bad_one_is_answered_first) {
  test_server_t server{settings_with([](auto req) { return echo_target(req); })};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/ok") + "BAD\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/ok");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(c.wait_closed());
}

test_settings_t short_timeouts() {
  auto s = settings_with([](auto req) { return echo_target(req); });
  s.read_next_http_message_timelimit(std::chrono::milliseconds{200});
  return s;
}

TEST(http_server, silent_client_is_dropped) {
  test_server_t server{short_timeouts()};
  test_client_t c{server.port()};
  EXPECT_TRUE(c.wait_closed(3s));
  EXPECT_EQ(c.buffered(), "");
  EXPECT_TRUE(server.log->contains("read_next_http_message_timelimit"));
}

TEST(http_server, idle_keep_alive_connection_is_dropped) {
  test_server_t server{short_timeouts()};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/one")));
  ASSERT_TRUE(c.read_response());
  EXPECT_TRUE(c.wait_closed(3s));
}

TEST(http_server, slowloris_is_answered_408_and_dropped) {
  test_server_t server{short_timeouts()};
  test_client_t c{server.port()};
  const std::string request = "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: " + std::string(100, 'a');
  // One byte every 20 ms: the whole request would take 2.5 s, the limit is 200 ms.
  std::size_t sent = 0;
  while (sent < request.size() && c.stays_silent(20ms))
    ASSERT_TRUE(c.send(request.substr(sent++, 1)));
  ASSERT_LT(sent, request.size());
  auto r = c.read_response(3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.wait_closed(3s));
}

TEST(http_server, unanswered_request_gets_503_after_handle_request_timeout) {
  std::vector<request_handle_t> held;  // touched on the reactor thread only
  auto settings = settings_with([&](request_handle_t req) {
    held.push_back(req);
    return request_accepted();
  });
  settings.handle_request_timeout(std::chrono::milliseconds{200});
  test_server_t server{settings};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/slow")));
  auto r = c.read_response(3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(server.log->contains("handle_request_timeout"));
  server.close();
  held.front()->create_response().set_body("late").done();  // dropped, no crash
}

TEST(http_server, reader_that_stalls_is_dropped_after_write_timelimit) {
  const std::string big(64 * 1024 * 1024, 'x');
  auto settings = settings_with(
      [&](request_handle_t req) { return req->create_response().set_body(big).done(); });
  settings.write_http_response_timelimit(std::chrono::milliseconds{200});
  test_server_t server{settings};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send(get("/big")));
  // Do not read: the kernel buffers fill and the write stalls. Then check the server gave up.
  EXPECT_TRUE(server.log->wait_for("write timed out", 5s));
}

}  // namespace
}  // namespace restws::testing

namespace restws::testing {
namespace {

// "/<i>", built without operator+ (GCC 12 raises a false -Wrestrict on it).
std::string numbered_target(int i) {
  std::string t{"/"};
  t += std::to_string(i);
  return t;
}

TEST(http_server, a_pipelining_client_that_never_reads_is_not_answered_without_bound) {
  // The connection answers in order and takes no new request while its answers are unsent
  // (max_pipelined_requests + a few): once the sockets are full, it stops reading, and what it
  // holds for this client stays bounded however many requests are in the pipe.
  const std::string body(64 * 1024, 'x');
  std::atomic<int> handled{0};
  auto settings = settings_with([&](request_handle_t req) {
    ++handled;
    std::string answer{req->header().path()};
    answer += body;
    return req->create_response().set_body(std::move(answer)).done();
  });
  settings.write_http_response_timelimit(std::chrono::milliseconds{30000});
  test_server_t server{settings};
  test_client_t c{server.port()};
  constexpr int requests = 4000;  // 256 MB of answers: far more than the sockets hold (~36 MB)
  std::string pipe;
  for (int i = 0; i < requests; ++i) pipe += get(numbered_target(i));
  ASSERT_TRUE(c.send(pipe));
  // Not a synchronisation: a window in which something must not happen (the server answering
  // everything into memory). Answering all 4000 takes well under this on any machine.
  std::this_thread::sleep_for(std::chrono::milliseconds{1000});
  EXPECT_LT(handled.load(), 1500);
  // The connection is still served, in order.
  for (int i = 0; i < 200; ++i) {
    auto r = c.read_response(5s);
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(r->status, 200);
    ASSERT_EQ(r->body.substr(0, r->body.size() - body.size()), numbered_target(i));
  }
}

}  // namespace
}  // namespace restws::testing
