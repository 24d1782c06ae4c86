// Requests split at every byte, long heads that outgrow the read buffer, bodies across reads.

#include <gtest/gtest.h>

#include "test_client.hpp"
#include "test_server.hpp"

namespace restws::testing {
namespace {

request_handling_status_t echo_body(const request_handle_t& req) {
  return req->create_response()
      .set_body(std::string{req->header().request_target()} + ":" + req->body())
      .done();
}

TEST(http_server_framing, pipelined_requests_sent_byte_by_byte_are_all_answered) {
  auto settings = settings_with([](request_handle_t req) { return echo_body(req); });
  settings.buffer_size(512);
  test_server_t server{settings};
  test_client_t c{server.port()};
  const std::string batch =
      "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz"
      "POST /b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
      "GET /c HTTP/1.1\r\nHost: t\r\n\r\n";
  for (char ch : batch) ASSERT_TRUE(c.send(std::string(1, ch)));
  for (const char* expected : {"/a:xyz", "/b:hi", "/c:"}) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << expected;
    EXPECT_EQ(r->body, expected);
  }
}

TEST(http_server_framing, head_longer_than_the_read_buffer_is_accepted_up_to_the_limit) {
  auto settings = settings_with([](request_handle_t req) {
    return req->create_response().set_body(req->header().value_of("x-long")).done();
  });
  settings.buffer_size(512);
  test_server_t server{settings};
  test_client_t c{server.port()};
  const std::string value(12000, 'v');
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Long: " + value + "\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, value);
}

TEST(http_server_framing, body_larger_than_the_read_buffer_arrives_whole) {
  auto settings = settings_with([](request_handle_t req) {
    return req->create_response().set_body(std::to_string(req->body().size())).done();
  });
  settings.buffer_size(512);
  test_server_t server{settings};
  test_client_t c{server.port()};
  const std::string body(500000, 'b');
  ASSERT_TRUE(c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 500000\r\n\r\n" + body +
                     "GET /next HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "500000");
  EXPECT_TRUE(c.read_response());
}

TEST(http_server_framing, client_half_close_still_gets_its_answers) {
  test_server_t server{settings_with([](request_handle_t req) { return echo_body(req); })};
  test_client_t c{server.port()};
  ASSERT_TRUE(c.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n"));
  c.shutdown_write();
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/1:");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/2:");
  EXPECT_TRUE(c.wait_closed());
}

TEST(http_server_framing, trailers_of_a_chunked_body_reach_the_handler) {
  test_server_t server{settings_with([](request_handle_t req) {
    return req->create_response().set_body(req->trailers().value_of("x-sum")).done();
  })};
  test_client_t c{server.port()};
  ASSERT_TRUE(
      c.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
             "1\r\na\r\n0\r\nX-Sum: 42\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "42");
}

}  // namespace
}  // namespace restws::testing
