#include "restws/http/request_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "request_parser_test_util.hpp"

namespace restws::http {
namespace {

using test::parse_one;

TEST(request_parser, parses_simple_get) {
  const std::string raw =
      "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
  request_parser_t p;
  ASSERT_EQ(p.parse_head(raw), parse_status_t::complete);
  const auto& h = p.head();
  EXPECT_EQ(h.method, method_t::get);
  EXPECT_EQ(h.method_name, "GET");
  EXPECT_EQ(h.target, "/index.html?q=1");
  EXPECT_EQ(h.version_major, 1u);
  EXPECT_EQ(h.version_minor, 1u);
  ASSERT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.fields[0].name, "Host");
  EXPECT_EQ(h.fields[0].value, "example.com");
  EXPECT_EQ(h.fields[1].name, "Accept");
  EXPECT_EQ(h.fields[1].value, "*/*");
  EXPECT_EQ(h.body_kind, body_kind_t::none);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_FALSE(h.connection_upgrade);
  EXPECT_FALSE(h.expect_continue);
  EXPECT_EQ(h.head_size, raw.size());
  std::string body;
  std::size_t consumed = 99;
  EXPECT_EQ(p.parse_body("", body, consumed), parse_status_t::complete);
  EXPECT_EQ(consumed, 0u);
}

TEST(request_parser, head_views_point_into_the_callers_buffer) {
  const std::string raw = "POST /a HTTP/1.1\r\nHost: h\r\nX-Y:  v  \r\n\r\n";
  request_parser_t p;
  ASSERT_EQ(p.parse_head(raw), parse_status_t::complete);
  const auto inside = [&](std::string_view v) {
    return v.data() >= raw.data() && v.data() + v.size() <= raw.data() + raw.size();
  };
  EXPECT_TRUE(inside(p.head().method_name));
  EXPECT_TRUE(inside(p.head().target));
  for (const auto& f : p.head().fields) {
    EXPECT_TRUE(inside(f.name));
    EXPECT_TRUE(inside(f.value));
  }
}

TEST(request_parser, trims_optional_whitespace_around_field_values) {
  const auto r = parse_one("GET / HTTP/1.1\r\nHost:\t h \t\r\nEmpty:\r\nSpaces:   \r\n\r\n");
  ASSERT_EQ(r.status, parse_status_t::complete);
  ASSERT_EQ(r.fields.size(), 3u);
  EXPECT_EQ(r.fields[0].second, "h");
  EXPECT_EQ(r.fields[1].second, "");
  EXPECT_EQ(r.fields[2].second, "");
}

TEST(request_parser, keeps_inner_whitespace_and_obs_text_in_values) {
  const auto r = parse_one("GET / HTTP/1.1\r\nHost: h\r\nUA: a  b\tc \xC3\xA9\r\n\r\n");
  ASSERT_EQ(r.status, parse_status_t::complete);
  EXPECT_EQ(r.fields[1].second, "a  b\tc \xC3\xA9");
}

TEST(request_parser, accepts_every_request_target_form) {
  struct case_t {
    const char* method;
    const char* target;
  };
  for (const auto& c : {case_t{"GET", "/"}, case_t{"GET", "/a/b?c=d&e=%20"},
                        case_t{"GET", "http://example.com/x?y"}, case_t{"GET", "https://h:8443"},
                        case_t{"CONNECT", "example.com:443"}, case_t{"CONNECT", "[::1]:8080"},
                        case_t{"OPTIONS", "*"}, case_t{"OPTIONS", "/path"}}) {
    const std::string raw =
        std::string{c.method} + " " + c.target + " HTTP/1.1\r\nHost: example.com\r\n\r\n";
    const auto r = parse_one(raw);
    EXPECT_EQ(r.status, parse_status_t::complete) << raw;
    EXPECT_EQ(r.target, c.target);
  }
}

TEST(request_parser, maps_known_and_unknown_methods) {
  EXPECT_EQ(parse_one("PATCH / HTTP/1.1\r\nHost: h\r\n\r\n").method, "PATCH");
  request_parser_t p;
  ASSERT_EQ(p.parse_head("DELETE / HTTP/1.1\r\nHost: h\r\n\r\n"), parse_status_t::complete);
  EXPECT_EQ(p.head().method, method_t::delete_);
  request_parser_t q;
  ASSERT_EQ(q.parse_head("PROPFIND / HTTP/1.1\r\nHost: h\r\n\r\n"), parse_status_t::complete);
  EXPECT_EQ(q.head().method, method_t::unknown);
  EXPECT_EQ(q.head().method_name, "PROPFIND");
}

TEST(request_parser, http10_without_host_is_accepted_and_not_kept_alive) {
  const auto r = parse_one("GET / HTTP/1.0\r\n\r\n");
  ASSERT_EQ(r.status, parse_status_t::complete);
  EXPECT_EQ(r.minor, 0u);
  EXPECT_FALSE(r.keep_alive);
}

TEST(request_parser, a_higher_http1_minor_version_is_processed_as_http11) {
  // RFC 9110 §2.5: as the highest minor version of HTTP/1 we implement, so Host is required
  // and the connection is kept alive by default.
  const auto r = parse_one("GET / HTTP/1.2\r\nHost: h\r\n\r\n");
  ASSERT_EQ(r.status, parse_status_t::complete);
  EXPECT_EQ(r.minor, 1u);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(parse_one("GET / HTTP/1.9\r\n\r\n").error, parse_error_t::missing_host);
}

TEST(request_parser, http10_keep_alive_needs_the_token) {
  EXPECT_TRUE(parse_one("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
  EXPECT_FALSE(parse_one("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").keep_alive);
}

TEST(request_parser, http11_is_kept_alive_unless_close) {
  EXPECT_TRUE(parse_one("GET / HTTP/1.1\r\nHost: h\r\n\r\n").keep_alive);
  EXPECT_FALSE(parse_one("GET / HTTP/1.1\r\nHost: h\r\nConnection: CLOSE\r\n\r\n").keep_alive);
  EXPECT_FALSE(
      parse_one("GET / HTTP/1.1\r\nHost: h\r\nConnection: a\r\nConnection: x, close\r\n\r\n")
          .keep_alive);
  EXPECT_TRUE(parse_one("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n").keep_alive);
}

TEST(request_parser, detects_connection_upgrade_token_in_any_case) {
  const auto r = parse_one(
      "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, "
      "UpGrade\r\n\r\n");
  ASSERT_EQ(r.status, parse_status_t::complete);
  EXPECT_TRUE(r.upgrade);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_FALSE(parse_one("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgraded\r\n\r\n").upgrade);
}

TEST(request_parser, detects_expect_100_continue_case_insensitively) {
  EXPECT_TRUE(
      parse_one("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx")
          .expect_continue);
  EXPECT_FALSE(parse_one("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n").expect_continue);
}

TEST(request_parser, ignores_expect_continue_in_http10) {
  EXPECT_FALSE(parse_one("PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").expect_continue);
}

TEST(request_parser, reads_content_length_body) {
  const auto r = parse_one("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloEXTRA");
  ASSERT_EQ(r.status, parse_status_t::complete);
  EXPECT_EQ(r.body_kind, body_kind_t::content_length);
  EXPECT_EQ(r.content_length, 5u);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.used, r.head_size + 5);
}

TEST(request_parser, accepts_repeated_identical_content_length) {
  for (const char* cl : {"Content-Length: 3\r\nContent-Length: 3\r\n", "Content-Length: 3, 3\r\n",
                         "Content-Length: 003\r\n", "content-length:3 ,3\r\n"}) {
    const auto r = parse_one(std::string{"POST / HTTP/1.1\r\nHost: h\r\n"} + cl + "\r\nabc");
    EXPECT_EQ(r.status, parse_status_t::complete) << cl;
    EXPECT_EQ(r.body, "abc") << cl;
  }
}

TEST(request_parser, zero_content_length_completes_without_input) {
  const auto r = parse_one("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(r.status, parse_status_t::complete);
  EXPECT_EQ(r.body, "");
}

TEST(request_parser, body_equal_to_max_body_is_accepted) {
  const auto r =
      parse_one("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd", {.max_body = 4});
  EXPECT_EQ(r.status, parse_status_t::complete);
}

TEST(request_parser, decodes_chunked_body_with_extensions_and_trailers) {
  const auto r = parse_one(
      "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "A ; a=\"q s\";b\r\n, world!!!\r\n"
      "0\r\nX-Checksum: abc\r\nX-Other:  z \r\n\r\nNEXT");
  ASSERT_EQ(r.status, parse_status_t::complete);
  EXPECT_EQ(r.body_kind, body_kind_t::chunked);
  EXPECT_EQ(r.body, "hello, world!!!");
  ASSERT_EQ(r.trailers.size(), 2u);
  EXPECT_EQ(r.trailers[0], (std::pair<std::string, std::string>{"X-Checksum", "abc"}));
  EXPECT_EQ(r.trailers[1], (std::pair<std::string, std::string>{"X-Other", "z"}));
  EXPECT_EQ(r.used + 4, std::string_view{"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
                                         "chunked\r\n\r\n5;name=value\r\nhello\r\nA ; a=\"q "
                                         "s\";b\r\n, world!!!\r\n0\r\nX-Checksum: abc\r\nX-Other: "
                                         " z \r\n\r\nNEXT"}
                            .size());
}

TEST(request_parser, accepts_chunked_in_any_case_and_with_ows) {
  for (const char* te : {"Transfer-Encoding: Chunked", "transfer-encoding:   CHUNKED  "}) {
    const auto r = parse_one(std::string{"POST / HTTP/1.1\r\nHost: h\r\n"} + te +
                             "\r\n\r\n1\r\nx\r\n0\r\n\r\n");
    EXPECT_EQ(r.status, parse_status_t::complete) << te;
    EXPECT_EQ(r.body, "x");
  }
}

TEST(request_parser, chunk_sizes_accept_upper_and_lower_hex_and_leading_zeros) {
  const auto r = parse_one(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "000000000000000a\r\n0123456789\r\nB\r\nabcdefghijk\r\n0\r\n\r\n");
  ASSERT_EQ(r.status, parse_status_t::complete);
  EXPECT_EQ(r.body, "0123456789abcdefghijk");
}

TEST(request_parser, skips_leading_empty_lines) {
  const std::string raw = "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
  const auto r = parse_one(raw);
  ASSERT_EQ(r.status, parse_status_t::complete);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.head_size, raw.size());
}

TEST(request_parser, reports_incomplete_until_the_blank_line) {
  request_parser_t p;
  std::string buf = "GET / HTTP/1.1\r\nHost: h\r\n";
  EXPECT_EQ(p.parse_head(buf), parse_status_t::incomplete);
  buf += "\r";
  EXPECT_EQ(p.parse_head(buf), parse_status_t::incomplete);
  buf += "\n";
  EXPECT_EQ(p.parse_head(buf), parse_status_t::complete);
}

TEST(request_parser, head_exactly_at_the_limit_is_accepted) {
  const std::string raw = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_EQ(parse_one(raw, {.max_header_section = raw.size()}).status, parse_status_t::complete);
  EXPECT_EQ(parse_one(raw, {.max_header_section = raw.size() - 1}).error,
            parse_error_t::header_too_large);
}

TEST(request_parser, refuses_an_endless_header_line_before_it_ends) {
  request_parser_t p{{.max_header_section = 64}};
  std::string buf = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
  EXPECT_EQ(p.parse_head(buf), parse_status_t::incomplete);
  buf.append(64, 'a');  // no CRLF ever arrives
  EXPECT_EQ(p.parse_head(buf), parse_status_t::error);
  EXPECT_EQ(p.error(), parse_error_t::header_too_large);
  EXPECT_EQ(error_status(p.error()), 431);
}

TEST(request_parser, refuses_an_endless_request_target_with_414_before_it_ends) {
  request_parser_t p{{.max_header_section = 64}};
  std::string buf = "GET /";
  EXPECT_EQ(p.parse_head(buf), parse_status_t::incomplete);
  buf.append(64, 'a');  // no space, no CRLF ever arrives
  EXPECT_EQ(p.parse_head(buf), parse_status_t::error);
  EXPECT_EQ(p.error(), parse_error_t::uri_too_long);
  EXPECT_EQ(error_status(p.error()), 414);
}

TEST(request_parser, refuses_oversized_content_length_before_the_body) {
  request_parser_t p{{.max_body = 10}};
  EXPECT_EQ(p.parse_head("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n"),
            parse_status_t::error);
  EXPECT_EQ(p.error(), parse_error_t::body_too_large);
}

TEST(request_parser, refuses_oversized_chunk_before_its_data) {
  request_parser_t p{{.max_body = 10}};
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  ASSERT_EQ(p.parse_head(head), parse_status_t::complete);
  std::string body;
  std::size_t consumed = 0;
  EXPECT_EQ(p.parse_body("5\r\n12345\r\n", body, consumed), parse_status_t::incomplete);
  EXPECT_EQ(p.parse_body("6", body, consumed), parse_status_t::error);
  EXPECT_EQ(p.error(), parse_error_t::body_too_large);
}

TEST(request_parser, parses_pipelined_requests_after_reset) {
  const std::string raw =
      "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok"
      "POST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
      "\r\nGET /4 HTTP/1.0\r\n\r\n";
  const auto rs = test::parse_pipeline(raw);
  ASSERT_EQ(rs.size(), 4u);
  EXPECT_EQ(rs[0].target, "/1");
  EXPECT_EQ(rs[1].body, "ok");
  EXPECT_EQ(rs[2].body, "hi");
  EXPECT_EQ(rs[3].target, "/4");
  for (const auto& r : rs) EXPECT_EQ(r.status, parse_status_t::complete);

  request_parser_t p;  // the same parser object, reset between requests
  std::string_view rest = raw;
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(p.parse_head(rest), parse_status_t::complete);
    std::string body;
    std::size_t consumed = 0;
    ASSERT_EQ(p.parse_body(rest.substr(p.head().head_size), body, consumed),
              parse_status_t::complete);
    EXPECT_EQ(body, rs[static_cast<std::size_t>(i)].body);
    rest.remove_prefix(p.head().head_size + consumed);
    p.reset();
  }
  EXPECT_TRUE(rest.empty());
}

TEST(request_parser, errors_are_sticky) {
  request_parser_t p;
  EXPECT_EQ(p.parse_head("GET  / HTTP/1.1\r\n"), parse_status_t::error);
  EXPECT_EQ(p.parse_head("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), parse_status_t::error);
  p.reset();
  EXPECT_EQ(p.error(), parse_error_t::none);
  EXPECT_EQ(p.parse_head("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), parse_status_t::complete);
}

TEST(request_parser, error_status_maps_each_error_class) {
  EXPECT_EQ(error_status(parse_error_t::bad_field), 400);
  EXPECT_EQ(error_status(parse_error_t::bad_host), 400);
  EXPECT_EQ(error_status(parse_error_t::body_too_large), 413);
  EXPECT_EQ(error_status(parse_error_t::header_too_large), 431);
  EXPECT_EQ(error_status(parse_error_t::uri_too_long), 414);
  EXPECT_EQ(error_status(parse_error_t::unknown_transfer_coding), 501);
  EXPECT_EQ(error_status(parse_error_t::unsupported_version), 505);
  EXPECT_FALSE(describe(parse_error_t::bad_chunk).empty());
}

}  // namespace
}  // namespace restws::http
