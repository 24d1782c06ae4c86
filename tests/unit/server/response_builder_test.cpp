#include "restws/server/connection_handoff.hpp"
#include "restws/server/request.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

namespace restws {
namespace {

struct fixture_t {
  std::shared_ptr<recording_response_sink_t> sink = std::make_shared<recording_response_sink_t>();

  request_handle_t make(http::method_t method = http::method_t::get, unsigned minor = 1,
                        http_connection_header_t conn = http_connection_header_t::keep_alive,
                        std::string target = "/") {
    return std::make_shared<request_t>(
        7, http_request_header_t{method, std::move(target), 1, minor, {}, conn}, "", sink, 3);
  }
};

TEST(response_builder, default_response_has_content_length_and_body) {
  fixture_t f;
  auto req = f.make();
  EXPECT_EQ(req->create_response().set_body("Hello").done(), request_accepted());
  EXPECT_EQ(f.sink->output(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello");
  ASSERT_EQ(f.sink->records().size(), 1u);
  EXPECT_EQ(f.sink->records()[0].id, 7u);
  EXPECT_TRUE(f.sink->records()[0].part.last);
  EXPECT_FALSE(f.sink->records()[0].part.close_connection);
}

TEST(response_builder, fields_are_sent_in_append_order_with_given_status) {
  fixture_t f;
  f.make()
      ->create_response(status_not_found())
      .append_header("Content-Type", "text/plain")
      .append_header("X-A", "1")
      .append_body("ab")
      .append_body("c")
      .done();
  EXPECT_EQ(f.sink->output(),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nX-A: 1\r\n"
            "Content-Length: 3\r\n\r\nabc");
}

TEST(response_builder, head_request_gets_length_without_body) {
  fixture_t f;
  f.make(http::method_t::head)->create_response().set_body("Hello").done();
  EXPECT_EQ(f.sink->output(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
}

TEST(response_builder, connection_close_is_announced_and_flagged) {
  fixture_t f;
  f.make()->create_response().connection_close().done();
  EXPECT_EQ(f.sink->output(), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(f.sink->records()[0].part.close_connection);
}

TEST(response_builder, request_asking_close_gets_close) {
  fixture_t f;
  f.make(http::method_t::get, 1, http_connection_header_t::close)->create_response().done();
  EXPECT_TRUE(f.sink->records()[0].part.close_connection);
}

TEST(response_builder, http10_keep_alive_is_announced) {
  fixture_t f;
  f.make(http::method_t::get, 0)->create_response().done();
  EXPECT_EQ(f.sink->output(),
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
}

TEST(response_builder, no_content_has_no_length) {
  fixture_t f;
  f.make()->create_response(status_no_content()).done();
  EXPECT_EQ(f.sink->output(), "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(response_builder, second_done_sends_nothing) {
  fixture_t f;
  auto resp = f.make()->create_response();
  resp.done();
  resp.done();
  EXPECT_EQ(f.sink->records().size(), 1u);
}

TEST(response_builder, large_body_is_not_copied_into_head) {
  fixture_t f;
  std::string big(100000, 'x');
  f.make()->create_response().set_body(big).done();
  ASSERT_EQ(f.sink->records().size(), 1u);
  EXPECT_EQ(f.sink->records()[0].part.body, big);
  EXPECT_EQ(f.sink->output().size(), big.size() + 43);
}

TEST(response_builder, a_head_of_any_size_is_kept_whole) {
  // Heads from a few bytes (kept in the builder's own buffer) to several KiB (moved to the
  // heap at some field), with the builder moved midway: each arrives whole, in order.
  for (const std::size_t fields : {0u, 1u, 5u, 6u, 7u, 40u, 400u}) {
    fixture_t f;
    auto builder = f.make()->create_response(status_created());
    std::string expected = "HTTP/1.1 201 Created\r\n";
    for (std::size_t i = 0; i < fields; ++i) {
      const std::string name = "X-Field-" + std::to_string(i);
      const std::string value(i % 50, static_cast<char>('a' + i % 26));
      builder.append_header(name, value);
      expected.append(name).append(": ").append(value).append("\r\n");
      if (i == fields / 2) {
        auto moved = std::move(builder);
        builder = std::move(moved);
      }
    }
    builder.set_body("body").done();
    expected.append("Content-Length: 4\r\n\r\nbody");
    EXPECT_EQ(f.sink->output(), expected) << fields << " fields";
  }
}

TEST(response_builder, a_large_head_goes_before_chunks) {
  fixture_t f;
  auto resp = f.make()->create_response<chunked_output_t>();
  std::string fields;
  for (int i = 0; i < 30; ++i) {
    const std::string name = "X-Long-" + std::to_string(i);
    resp.append_header(name, std::string(20, 'v'));
    fields.append(name).append(": ").append(std::string(20, 'v')).append("\r\n");
  }
  resp.append_chunk("abc").done();
  EXPECT_EQ(f.sink->output(), "HTTP/1.1 200 OK\r\n" + fields +
                                  "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
}

TEST(response_builder, date_field_is_imf_fixdate) {
  fixture_t f;
  f.make()->create_response().append_header_date_field().done();
  EXPECT_TRUE(std::regex_search(
      f.sink->output(),
      std::regex{"\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|"
                 "Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d GMT\r\n"}));
}

TEST(response_builder, builder_can_finish_on_another_thread) {
  fixture_t f;
  auto resp = f.make()->create_response();
  std::thread t{[r = std::move(resp)]() mutable { r.set_body("x").done(); }};
  t.join();
  EXPECT_TRUE(f.sink->completed());
}

TEST(chunked_output, flush_sends_head_and_chunks_then_done_ends_body) {
  fixture_t f;
  auto resp = f.make()->create_response<chunked_output_t>();
  resp.append_header("Content-Type", "text/plain").append_chunk("Hello").flush();
  EXPECT_EQ(f.sink->output(),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nHello\r\n");
  EXPECT_FALSE(f.sink->completed());
  resp.append_chunk(std::string(16, 'a')).append_chunk("").done();
  EXPECT_EQ(f.sink->output().substr(f.sink->output().find("Hello\r\n") + 7),
            "10\r\naaaaaaaaaaaaaaaa\r\n0\r\n\r\n");
  EXPECT_TRUE(f.sink->completed());
}

TEST(chunked_output, http10_peer_gets_raw_body_and_close) {
  fixture_t f;
  auto resp = f.make(http::method_t::get, 0)->create_response<chunked_output_t>();
  resp.append_chunk("ab").done();
  EXPECT_EQ(f.sink->output(), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nab");
  EXPECT_TRUE(f.sink->records().back().part.close_connection);
}

TEST(request, exposes_ids_header_and_body) {
  auto sink = std::make_shared<recording_response_sink_t>();
  http_header_fields_t fields{{"Host", "x"}};
  auto req = std::make_shared<request_t>(
      2,
      http_request_header_t{http::method_t::post, "/a/b?x=1#f", 1, 1, fields,
                            http_connection_header_t::keep_alive},
      "body", sink, 9);
  EXPECT_EQ(req->request_id(), 2u);
  EXPECT_EQ(req->connection_id(), 9u);
  EXPECT_EQ(req->body(), "body");
  EXPECT_EQ(req->header().path(), "/a/b");
  EXPECT_EQ(req->header().query(), "x=1");
  EXPECT_EQ(req->header().value_of("host"), "x");
}

TEST(request, take_connection_without_socket_throws) {
  fixture_t f;
  auto req = f.make();
  EXPECT_THROW(take_connection(*req), std::logic_error);
}

}  // namespace
}  // namespace restws

namespace restws {
namespace {

TEST(user_controlled_output, sends_the_fields_given_without_adding_a_length) {
  auto sink = std::make_shared<recording_response_sink_t>();
  auto req = std::make_shared<request_t>(1, http_request_header_t{}, "", sink);
  req->create_response<user_controlled_output_t>()
      .append_header("Content-Length", "2")
      .set_body("ok")
      .done();
  EXPECT_EQ(sink->output(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
}

}  // namespace
}  // namespace restws
