// The parser must give the same result however the bytes are split across reads.

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "request_parser_test_util.hpp"
#include "restws/http/request_parser.hpp"

namespace restws::http {
namespace {

using test::parse_pipeline;
using test::parse_stream;

const std::vector<std::string> valid_streams = {
    "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nConnection: Upgrade\r\n\r\n",
    "\r\n\r\nPOST /form HTTP/1.0\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\nhello "
    "world",
    "PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;ext=\"a b\"\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Sum: 1\r\nX-T:  v "
    "\r\n\r\n",
    // pipelined, back to back, incl. a CRLF between requests
    "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
    "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
    "POST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\nT: 1\r\n\r\n"
    "\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
};

std::vector<std::size_t> every_byte(std::size_t n) {
  std::vector<std::size_t> cuts(n > 0 ? n - 1 : 0);
  std::iota(cuts.begin(), cuts.end(), std::size_t{1});
  return cuts;
}

TEST(request_parser_split, valid_requests_parse_the_same_at_every_single_split) {
  for (const auto& raw : valid_streams) {
    const auto expected = parse_pipeline(raw);
    ASSERT_FALSE(expected.empty());
    for (const auto& r : expected) ASSERT_EQ(r.status, parse_status_t::complete) << raw;
    for (std::size_t k = 0; k <= raw.size(); ++k)
      EXPECT_EQ(parse_stream(raw, {k}), expected) << "split at " << k << " of\n" << raw;
  }
}

TEST(request_parser_split, valid_requests_parse_the_same_at_every_pair_of_splits) {
  for (const auto& raw : valid_streams) {
    const auto expected = parse_pipeline(raw);
    for (std::size_t a = 1; a < raw.size(); a += 3)
      for (std::size_t b = a; b < raw.size(); b += 5)
        ASSERT_EQ(parse_stream(raw, {a, b}), expected) << "splits " << a << "," << b;
  }
}

TEST(request_parser_split, valid_requests_parse_the_same_one_byte_at_a_time) {
  for (const auto& raw : valid_streams)
    EXPECT_EQ(parse_stream(raw, every_byte(raw.size())), parse_pipeline(raw)) << raw;
}

TEST(request_parser_split, body_fed_in_two_pieces_at_every_split_gives_the_same_body) {
  for (const auto& raw : valid_streams) {
    request_parser_t ref;
    ASSERT_EQ(ref.parse_head(raw), parse_status_t::complete);
    const std::string_view body_bytes = std::string_view{raw}.substr(ref.head().head_size);
    std::string expected;
    std::size_t expected_used = 0;
    ASSERT_EQ(ref.parse_body(body_bytes, expected, expected_used), parse_status_t::complete);
    for (std::size_t j = 0; j <= body_bytes.size(); ++j) {
      request_parser_t p;
      ASSERT_EQ(p.parse_head(raw), parse_status_t::complete);
      std::string body;
      std::size_t used1 = 0, used2 = 0;
      auto st = p.parse_body(body_bytes.substr(0, j), body, used1);
      if (st != parse_status_t::complete) {
        ASSERT_EQ(st, parse_status_t::incomplete);
        ASSERT_EQ(used1, j);  // an incomplete body consumes all it was given
        st = p.parse_body(body_bytes.substr(j), body, used2);
      }
      EXPECT_EQ(st, parse_status_t::complete) << j;
      EXPECT_EQ(body, expected) << j;
      EXPECT_EQ(used1 + used2, expected_used) << j;
      EXPECT_EQ(p.trailers(), ref.trailers()) << j;
    }
  }
}

TEST(request_parser_split, parse_head_does_not_rescan_lines_it_already_validated) {
  // Observable proof that the scan position is kept (O(new bytes) per call): bytes of lines
  // validated by an earlier call are not looked at again, so corrupting them afterwards (which a
  // real caller never does) goes unnoticed, while the views reflect the current buffer.
  request_parser_t p;
  std::string buf = "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1";
  EXPECT_EQ(p.parse_head(buf), parse_status_t::incomplete);
  buf[1] = '@';  // "G@T" would be a bad method token
  buf += "\r\n\r\nBODY";
  ASSERT_EQ(p.parse_head(buf), parse_status_t::complete);
  EXPECT_EQ(p.head().method_name, "G@T");
  EXPECT_EQ(p.head().head_size, buf.size() - 4);
  ASSERT_EQ(p.head().fields.size(), 2u);
  EXPECT_EQ(p.head().fields[1].value, "1");
}

TEST(request_parser_split, malformed_requests_fail_the_same_at_every_split) {
  const std::vector<std::string> bad = {
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\nY: b\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA : b\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(200, 'x') + "\r\n\r\n",
      "GET /" + std::string(200, 'x') + " HTTP/1.1\r\nHost: h\r\n\r\n",
      // The limit falls inside the method: 400 however much of the line has arrived.
      std::string(200, 'G') + " / HTTP/1.1\r\nHost: h\r\n\r\n",
  };
  const parser_limits_t limits{.max_header_section = 128};
  for (const auto& raw : bad) {
    const auto expected = parse_pipeline(raw, limits);
    ASSERT_EQ(expected.back().status, parse_status_t::error) << raw;
    for (std::size_t k = 0; k <= raw.size(); ++k)
      EXPECT_EQ(parse_stream(raw, {k}, limits), expected) << "split at " << k << " of\n" << raw;
    EXPECT_EQ(parse_stream(raw, every_byte(raw.size()), limits), expected) << raw;
  }
}

}  // namespace
}  // namespace restws::http
