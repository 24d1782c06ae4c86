#include "restws/http/response_head_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using restws::http::find_response_head_end;
using restws::http::parse_response_head;
using restws::http::response_head_limits_t;
using restws::http::response_parse_error_t;

constexpr std::string_view kSwitching =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept:  s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  \r\n"
    "\r\n";

TEST(response_head_parser, parses_a_101_with_trimmed_values) {
  const auto r = parse_response_head(kSwitching);
  ASSERT_EQ(r.error, response_parse_error_t::none);
  EXPECT_EQ(r.head.status, 101);
  EXPECT_EQ(r.head.reason, "Switching Protocols");
  EXPECT_EQ(r.head.version_minor, 1u);
  EXPECT_EQ(r.head.fields.fields_count(), 3u);
  EXPECT_EQ(r.head.fields.value_of("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(response_head_parser, finds_the_end_across_many_reads_and_leaves_frames_after_it) {
  const std::string wire = std::string{kSwitching} + "\x81\x02hi";
  std::size_t scanned = 0;
  bool too_large = false;
  std::optional<std::size_t> end;
  for (std::size_t n = 1; n <= wire.size() && !end; ++n)
    end = find_response_head_end(std::string_view{wire}.substr(0, n), scanned, too_large);
  ASSERT_TRUE(end);
  EXPECT_FALSE(too_large);
  EXPECT_EQ(*end, kSwitching.size());  // the frame bytes are not the head's
}

TEST(response_head_parser, reports_a_head_over_the_limit) {
  response_head_limits_t limits;
  limits.max_head = 64;
  std::string wire = "HTTP/1.1 101 OK\r\nX: " + std::string(100, 'a');
  std::size_t scanned = 0;
  bool too_large = false;
  EXPECT_FALSE(find_response_head_end(wire, scanned, too_large, limits));
  EXPECT_TRUE(too_large);
  wire = "HTTP/1.1 101 OK\r\nX: " + std::string(60, 'a') + "\r\n\r\n";  // ends past the limit
  scanned = 0;
  EXPECT_FALSE(find_response_head_end(wire, scanned, too_large, limits));
  EXPECT_TRUE(too_large);
}

TEST(response_head_parser, accepts_an_empty_reason_with_or_without_its_space) {
  EXPECT_EQ(parse_response_head("HTTP/1.1 101\r\n\r\n").error, response_parse_error_t::none);
  EXPECT_EQ(parse_response_head("HTTP/1.1 101 \r\n\r\n").error, response_parse_error_t::none);
}

struct bad_case_t {
  const char* wire;
  response_parse_error_t error;
};

class response_head_parser_rejects : public ::testing::TestWithParam<bad_case_t> {};

TEST_P(response_head_parser_rejects, malformed_heads) {
  EXPECT_EQ(parse_response_head(GetParam().wire).error, GetParam().error) << GetParam().wire;
}

INSTANTIATE_TEST_SUITE_P(
    cases, response_head_parser_rejects,
    ::testing::Values(
        bad_case_t{"HTTP/1.1 10\r\n\r\n", response_parse_error_t::bad_status_line},
        bad_case_t{"HTTP/1.1  101 OK\r\n\r\n", response_parse_error_t::bad_status_line},
        bad_case_t{"http/1.1 101 OK\r\n\r\n", response_parse_error_t::bad_status_line},
        bad_case_t{"HTTP/1.1 1O1 OK\r\n\r\n", response_parse_error_t::bad_status_line},
        bad_case_t{"HTTP/1.1 099 OK\r\n\r\n", response_parse_error_t::bad_status_line},
        bad_case_t{"HTTP/1.1 1011\r\n\r\n", response_parse_error_t::bad_status_line},
        bad_case_t{"HTTP/1.1 101 O\x01K\r\n\r\n", response_parse_error_t::bad_status_line},
        bad_case_t{"HTTP/2.0 101 OK\r\n\r\n", response_parse_error_t::bad_version},
        bad_case_t{"HTTP/1.2 101 OK\r\n\r\n", response_parse_error_t::bad_version},
        bad_case_t{"HTTP/1.1 101 OK\r\nUpgrade websocket\r\n\r\n",
                   response_parse_error_t::bad_field},
        bad_case_t{"HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n",
                   response_parse_error_t::bad_field},
        bad_case_t{"HTTP/1.1 101 OK\r\nUp\"grade: websocket\r\n\r\n",
                   response_parse_error_t::bad_field},
        bad_case_t{"HTTP/1.1 101 OK\r\nUpgrade: web\nsocket\r\n\r\n",
                   response_parse_error_t::bad_field},
        bad_case_t{"HTTP/1.1 101 OK\r\nUpgrade: web\rsocket\r\n\r\n",
                   response_parse_error_t::bad_field},
        bad_case_t{"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n folded\r\n\r\n",
                   response_parse_error_t::obs_fold},
        bad_case_t{"HTTP/1.1 101 OK\r\n", response_parse_error_t::bad_status_line}));

TEST(response_head_parser, limits_the_number_of_fields) {
  response_head_limits_t limits;
  limits.max_fields = 2;
  EXPECT_EQ(parse_response_head("HTTP/1.1 101 OK\r\nA: 1\r\nB: 2\r\n\r\n", limits).error,
            response_parse_error_t::none);
  EXPECT_EQ(parse_response_head("HTTP/1.1 101 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits).error,
            response_parse_error_t::head_too_large);
}

}  // namespace
