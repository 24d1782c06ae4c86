// Malformed requests, table-driven: each names the exact parse error and the status it maps to.

#include <gtest/gtest.h>

#include <string>

#include "request_parser_test_util.hpp"
#include "restws/http/request_parser.hpp"

namespace restws::http {
namespace {

using E = parse_error_t;

struct bad_case_t {
  const char* name;
  std::string raw;
  E error;
  int status;
  parser_limits_t limits = {};
};

const std::string get_head = "GET / HTTP/1.1\r\nHost: h\r\n";
const std::string post_chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string with_field(const std::string& field) { return get_head + field + "\r\n\r\n"; }
std::string with_line(const std::string& request_line) {
  return request_line + "\r\nHost: h\r\n\r\n";
}
std::string post_with(const std::string& fields) {
  return "POST / HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n\r\nhello";
}
std::string chunked(const std::string& body) { return post_chunked + body; }
std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::vector<bad_case_t> bad_cases() {
  return {
      // ---- request line ----
      {"two_spaces_before_target", with_line("GET  / HTTP/1.1"), E::bad_request_line, 400},
      {"two_spaces_before_version", with_line("GET /  HTTP/1.1"), E::bad_request_line, 400},
      {"tab_as_separator", with_line("GET\t/ HTTP/1.1"), E::bad_request_line, 400},
      {"tab_before_version", with_line("GET /\tHTTP/1.1"), E::bad_request_line, 400},
      {"trailing_space_after_version", with_line("GET / HTTP/1.1 "), E::bad_request_line, 400},
      {"leading_space_before_method", with_line(" GET / HTTP/1.1"), E::bad_request_line, 400},
      {"no_version", with_line("GET /"), E::bad_request_line, 400},
      {"only_method", with_line("GET"), E::bad_request_line, 400},
      {"empty_method", with_line(" / HTTP/1.1"), E::bad_request_line, 400},
      {"method_with_bad_char", with_line("G@T / HTTP/1.1"), E::bad_request_line, 400},
      {"method_with_nul", with_line(std::string{"GE\0T / HTTP/1.1", 15}), E::bad_request_line, 400},
      {"target_with_space", with_line("GET /a b HTTP/1.1"), E::bad_request_line, 400},
      {"target_with_nul", with_line(std::string{"GET /a\0b HTTP/1.1", 17}), E::bad_request_line,
       400},
      {"target_with_del", with_line("GET /a\x7f HTTP/1.1"), E::bad_request_line, 400},
      {"target_with_non_ascii", with_line("GET /\xC3\xA9 HTTP/1.1"), E::bad_request_line, 400},
      {"target_with_bare_cr", with_line("GET /a\rb HTTP/1.1"), E::bad_request_line, 400},
      {"target_without_slash_or_scheme", with_line("GET example.com/x HTTP/1.1"),
       E::bad_request_line, 400},
      {"absolute_uri_scheme_starting_with_digit", with_line("GET 1http://h/ HTTP/1.1"),
       E::bad_request_line, 400},
      {"absolute_uri_empty_after_scheme", with_line("GET http: HTTP/1.1"), E::bad_request_line,
       400},
      {"asterisk_for_get", with_line("GET * HTTP/1.1"), E::bad_request_line, 400},
      {"connect_with_origin_form", with_line("CONNECT / HTTP/1.1"), E::bad_request_line, 400},
      {"connect_without_port", with_line("CONNECT example.com HTTP/1.1"), E::bad_request_line, 400},
      {"connect_with_bad_port", with_line("CONNECT example.com:8x HTTP/1.1"), E::bad_request_line,
       400},
      {"bare_lf_after_request_line", "GET / HTTP/1.1\nHost: h\r\n\r\n", E::bad_request_line, 400},
      {"bare_cr_ending_request_line", "GET / HTTP/1.1\rHost: h\r\n\r\n", E::bad_request_line, 400},
      {"bare_lf_as_leading_empty_line", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", E::bad_request_line,
       400},
      {"too_many_leading_empty_lines", repeat("\r\n", 9) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
       E::bad_request_line, 400},
      // ---- version ----
      {"lowercase_http", with_line("GET / http/1.1"), E::bad_version_syntax, 400},
      {"mixed_case_http", with_line("GET / Http/1.1"), E::bad_version_syntax, 400},
      {"version_two_minor_digits", with_line("GET / HTTP/1.10"), E::bad_version_syntax, 400},
      {"version_two_major_digits", with_line("GET / HTTP/01.1"), E::bad_version_syntax, 400},
      {"version_without_minor", with_line("GET / HTTP/1"), E::bad_version_syntax, 400},
      {"version_with_comma", with_line("GET / HTTP/1,1"), E::bad_version_syntax, 400},
      {"version_missing_slash", with_line("GET / HTTP1.1"), E::bad_version_syntax, 400},
      {"version_with_letters", with_line("GET / HTTP/a.b"), E::bad_version_syntax, 400},
      {"empty_version", with_line("GET / "), E::bad_version_syntax, 400},
      {"version_2_0", with_line("GET / HTTP/2.0"), E::unsupported_version, 505},
      {"version_0_9", with_line("GET / HTTP/0.9"), E::unsupported_version, 505},
      {"version_3_0", with_line("GET / HTTP/3.0"), E::unsupported_version, 505},
      // ---- field syntax ----
      {"space_before_colon", with_field("Host2 : x"), E::bad_field, 400},
      {"tab_before_colon", with_field("X\t: x"), E::bad_field, 400},
      {"space_in_name", with_field("X Y: x"), E::bad_field, 400},
      {"empty_name", with_field(": x"), E::bad_field, 400},
      {"no_colon", with_field("NoColonHere"), E::bad_field, 400},
      {"name_with_non_token_char", with_field("X(Y): x"), E::bad_field, 400},
      {"name_with_non_ascii", with_field("X\xC3\xA9: x"), E::bad_field, 400},
      {"nul_in_value", with_field(std::string{"X: a\0b", 6}), E::bad_field, 400},
      {"bare_cr_in_value", with_field("X: a\rb"), E::bad_field, 400},
      {"cr_cr_lf_line_end", get_head + "X: a\r\r\n\r\n", E::bad_field, 400},
      {"ctl_in_value",
       with_field("X: a\x01"
                  "b"),
       E::bad_field, 400},
      {"escape_in_value", with_field("X: \x1b[0m"), E::bad_field, 400},
      {"del_in_value", with_field("X: a\x7f"), E::bad_field, 400},
      {"bare_lf_after_field", get_head + "X: a\n\r\n", E::bad_field, 400},
      {"bare_lf_as_final_line", get_head + "\n", E::bad_field, 400},
      {"obs_fold_with_space", with_field("X: a\r\n b"), E::obs_fold, 400},
      {"obs_fold_with_tab", with_field("X: a\r\n\tb"), E::obs_fold, 400},
      {"whitespace_before_first_field", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", E::obs_fold, 400},
      {"transfer_encoding_by_obs_fold",
       "POST / HTTP/1.1\r\nHost: h\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n", E::obs_fold,
       400},
      {"transfer_encoding_value_folded",
       "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", E::obs_fold, 400},
      {"space_before_colon_on_transfer_encoding",
       "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", E::bad_field,
       400},
      // ---- Host ----
      {"missing_host", "GET / HTTP/1.1\r\nX: y\r\n\r\n", E::missing_host, 400},
      {"missing_host_with_absolute_uri", "GET http://h/ HTTP/1.1\r\n\r\n", E::missing_host, 400},
      {"repeated_host", with_field("Host: h"), E::repeated_host, 400},
      {"repeated_host_differing_case", with_field("HOST: other"), E::repeated_host, 400},
      {"repeated_host_in_http10", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", E::repeated_host,
       400},
      {"host_with_space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", E::bad_host, 400},
      {"host_with_slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", E::bad_host, 400},
      {"host_with_userinfo", "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", E::bad_host, 400},
      {"host_with_bad_port", "GET / HTTP/1.1\r\nHost: h:80a\r\n\r\n", E::bad_host, 400},
      {"host_list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", E::bad_host, 400},
      {"host_with_two_colons", "GET / HTTP/1.1\r\nHost: a:b:80\r\n\r\n", E::bad_host, 400},
      {"host_with_port_then_colon", "GET / HTTP/1.1\r\nHost: a:80:\r\n\r\n", E::bad_host, 400},
      {"connect_with_empty_host", "CONNECT :80 HTTP/1.1\r\nHost: h\r\n\r\n", E::bad_request_line,
       400},
      // ---- Content-Length ----
      {"cl_and_te", post_with("Content-Length: 5\r\nTransfer-Encoding: chunked"),
       E::content_length_and_transfer_encoding, 400},
      {"te_and_cl", post_with("Transfer-Encoding: chunked\r\nContent-Length: 5"),
       E::content_length_and_transfer_encoding, 400},
      {"cl_and_te_identity", post_with("Content-Length: 5\r\nTransfer-Encoding: identity"),
       E::content_length_and_transfer_encoding, 400},
      {"differing_duplicate_cl", post_with("Content-Length: 5\r\nContent-Length: 6"),
       E::bad_content_length, 400},
      {"differing_cl_list", post_with("Content-Length: 5, 6"), E::bad_content_length, 400},
      {"cl_with_plus_sign", post_with("Content-Length: +5"), E::bad_content_length, 400},
      {"cl_with_minus_sign", post_with("Content-Length: -5"), E::bad_content_length, 400},
      {"cl_with_inner_space", post_with("Content-Length: 1 2"), E::bad_content_length, 400},
      {"cl_hex", post_with("Content-Length: 0x5"), E::bad_content_length, 400},
      {"cl_empty", post_with("Content-Length:"), E::bad_content_length, 400},
      {"cl_empty_list_element", post_with("Content-Length: 5,"), E::bad_content_length, 400},
      {"cl_decimal_point", post_with("Content-Length: 5.0"), E::bad_content_length, 400},
      {"cl_overflow", post_with("Content-Length: 18446744073709551616"), E::bad_content_length,
       400},
      {"cl_huge_digits", post_with("Content-Length: 99999999999999999999999999"),
       E::bad_content_length, 400},
      {"cl_over_max_body", post_with("Content-Length: 6"), E::body_too_large, 413, {.max_body = 5}},
      {"cl_max_uint64_over_max_body", post_with("Content-Length: 18446744073709551615"),
       E::body_too_large, 413},
      // ---- Transfer-Encoding ----
      {"te_chunked_twice", post_with("Transfer-Encoding: chunked, chunked"),
       E::bad_transfer_encoding, 400},
      {"te_chunked_in_two_fields",
       post_with("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"),
       E::bad_transfer_encoding, 400},
      {"te_chunked_then_gzip", post_with("Transfer-Encoding: chunked, gzip"),
       E::bad_transfer_encoding, 400},
      {"te_gzip_only", post_with("Transfer-Encoding: gzip"), E::bad_transfer_encoding, 400},
      {"te_identity_only", post_with("Transfer-Encoding: identity"), E::bad_transfer_encoding, 400},
      {"te_unknown_only", post_with("Transfer-Encoding: foo"), E::bad_transfer_encoding, 400},
      {"te_empty", post_with("Transfer-Encoding:"), E::bad_transfer_encoding, 400},
      {"te_trailing_comma", post_with("Transfer-Encoding: chunked,"), E::bad_transfer_encoding,
       400},
      {"te_leading_comma", post_with("Transfer-Encoding: , chunked"), E::bad_transfer_encoding,
       400},
      {"te_chunked_with_suffix", post_with("Transfer-Encoding: chunkedx"), E::bad_transfer_encoding,
       400},
      {"te_quoted_chunked", post_with("Transfer-Encoding: \"chunked\""), E::bad_transfer_encoding,
       400},
      {"te_chunked_with_parameter", post_with("Transfer-Encoding: chunked;q=1"),
       E::bad_transfer_encoding, 400},
      {"te_chunked_with_empty_parameter", post_with("Transfer-Encoding: chunked;"),
       E::bad_transfer_encoding, 400},
      {"te_xchunked", post_with("Transfer-Encoding: xchunked"), E::bad_transfer_encoding, 400},
      {"te_vertical_tab", post_with("Transfer-Encoding: chunked\x0b"), E::bad_field, 400},
      {"te_name_with_nul", post_with(std::string{"Transfer-\0Encoding: chunked", 27}), E::bad_field,
       400},
      {"cl_space_before_colon", post_with("Content-Length : 5"), E::bad_field, 400},
      {"cl_with_nul", post_with(std::string{"Content-Length: 5\0", 18}), E::bad_field, 400},
      {"te_in_http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       E::bad_transfer_encoding, 400},
      {"te_gzip_then_chunked", post_with("Transfer-Encoding: gzip, chunked"),
       E::unknown_transfer_coding, 501},
      {"te_identity_then_chunked", post_with("Transfer-Encoding: identity, chunked"),
       E::unknown_transfer_coding, 501},
      {"te_foo_then_chunked_fields",
       post_with("Transfer-Encoding: foo\r\nTransfer-Encoding: chunked"),
       E::unknown_transfer_coding, 501},
      // ---- chunked body ----
      {"chunk_size_negative", chunked("-5\r\nhello\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_size_0x_prefix", chunked("0x10\r\n"), E::bad_chunk, 400},
      {"chunk_size_plus", chunked("+5\r\nhello\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_size_empty", chunked("\r\nhello\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_size_leading_space", chunked(" 5\r\nhello\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_size_trailing_space", chunked("5 \r\nhello\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_size_not_hex", chunked("g\r\n"), E::bad_chunk, 400},
      {"chunk_size_17_digits", chunked("00000000000000001\r\nx\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_size_bare_lf", chunked("5\nhello\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_size_bare_cr", chunked("5\rhello\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_data_missing_crlf", chunked("5\r\nhelloX\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_data_too_short", chunked("5\r\nhell\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_data_bare_lf", chunked("5\r\nhello\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_data_cr_without_lf", chunked("5\r\nhello\r0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_extension_ctl", chunked("5;a\x01\r\nhello\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_extension_bare_lf", chunked("5;a\nhello\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_extension_too_long",
       chunked("5;" + std::string(2000, 'a') + "\r\nhello\r\n0\r\n\r\n"), E::bad_chunk, 400},
      {"chunk_extension_without_semicolon", chunked("5 a\r\nhello\r\n0\r\n\r\n"), E::bad_chunk,
       400},
      {"chunk_over_max_body",
       chunked("6\r\nhello!\r\n0\r\n\r\n"),
       E::body_too_large,
       413,
       {.max_body = 5}},
      {"chunks_summing_over_max_body",
       chunked("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"),
       E::body_too_large,
       413,
       {.max_body = 5}},
      {"huge_chunk_size_is_too_large", chunked("FFFFFFFFFFFFFFFFF\r\n"), E::body_too_large, 413},
      {"trailer_without_colon", chunked("0\r\nX\r\n"), E::bad_chunk, 400},
      {"trailer_space_before_colon", chunked("0\r\nX : y\r\n\r\n"), E::bad_chunk, 400},
      {"trailer_obs_fold", chunked("0\r\nX: y\r\n z\r\n\r\n"), E::bad_chunk, 400},
      {"trailer_nul", chunked(std::string{"0\r\nX: \0\r\n\r\n", 11}), E::bad_chunk, 400},
      {"trailer_bare_lf", chunked("0\r\nX: y\n\r\n"), E::bad_chunk, 400},
      {"trailer_final_bare_lf", chunked("0\r\n\n"), E::bad_chunk, 400},
      {"trailer_too_large",
       chunked("0\r\nX: " + std::string(100, 'a') + "\r\n\r\n"),
       E::header_too_large,
       431,
       {.max_header_section = 100}},
      {"too_many_trailers",
       chunked("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
       E::header_too_large,
       431,
       {.max_field_count = 2}},
      // ---- limits ----
      {"head_over_limit",
       with_field("X: " + std::string(100, 'a')),
       E::header_too_large,
       431,
       {.max_header_section = 64}},
      {"request_line_over_limit",
       with_line("GET /" + std::string(100, 'a') + " HTTP/1.1"),
       E::uri_too_long,
       414,
       {.max_header_section = 64}},
      {"request_target_without_end_over_limit",
       "GET /" + std::string(100, 'a'),
       E::uri_too_long,
       414,
       {.max_header_section = 64}},
      {"method_over_limit_then_a_target",
       with_line(std::string(100, 'G') + " / HTTP/1.1"),
       E::bad_request_line,
       400,
       {.max_header_section = 64}},
      {"method_over_limit",
       std::string(100, 'G'),
       E::bad_request_line,
       400,
       {.max_header_section = 64}},
      {"too_many_fields",
       with_field("A: 1\r\nB: 2\r\nC: 3"),
       E::header_too_large,
       431,
       {.max_field_count = 3}},
  };
}

class malformed_request : public ::testing::TestWithParam<bad_case_t> {};

TEST_P(malformed_request, is_rejected_with_the_exact_error_and_status) {
  const auto& c = GetParam();
  const auto r = test::parse_one(c.raw, c.limits);
  EXPECT_EQ(r.status, parse_status_t::error);
  EXPECT_EQ(r.error, c.error) << describe(r.error);
  EXPECT_EQ(error_status(r.error), c.status);
}

INSTANTIATE_TEST_SUITE_P(request_parser, malformed_request, ::testing::ValuesIn(bad_cases()),
                         [](const auto& info) { return std::string{info.param.name}; });

}  // namespace
}  // namespace restws::http
