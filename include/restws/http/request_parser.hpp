#pragma once
// Sans-IO HTTP/1.1 request parser (RFC 9112). No sockets, no Asio: it reads byte spans.
//
// Use: feed the bytes received so far for the current request head to parse_head() until it
// returns complete (the head must be contiguous; the parser remembers how far it already scanned,
// so re-feeding a growing buffer costs O(new bytes)). head() then refers into that buffer (zero
// copy) and stays valid while the buffer is unchanged. Then feed the bytes after the head to
// parse_body() in any split; it appends decoded body bytes and reports how many input bytes it
// used, the rest belonging to the next (pipelined) request. reset() before the next request.
//
// Every failure is final for the connection: the server answers error_status(error()) and closes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "restws/http/method.hpp"

namespace restws::http {

struct parser_limits_t {
  std::size_t max_header_section = 16 * 1024;  ///< request line + fields + CRLFs, bytes
  std::size_t max_field_count = 100;
  std::uint64_t max_body = 1024 * 1024;    ///< decoded body bytes (Content-Length or chunked)
  std::size_t max_chunk_extension = 1024;  ///< bytes of chunk extensions on one chunk-size line
};

enum class parse_error_t : std::uint8_t {
  none,
  bad_request_line,    ///< 400: malformed method/target/version, bad spacing
  bad_version_syntax,  ///< 400: "HTTP/1.1x", "http/1.1", "HTTP/1"
  bad_field,           ///< 400: no colon, space before colon, bad name char, NUL/bare CR/LF
  obs_fold,            ///< 400: obsolete line folding
  missing_host,        ///< 400: HTTP/1.1 without Host
  repeated_host,       ///< 400: more than one Host
  bad_content_length,  ///< 400: not digits, overflow, differing duplicates
  content_length_and_transfer_encoding,  ///< 400: both present (smuggling)
  bad_transfer_encoding,                 ///< 400: chunked not last, repeated chunked, empty coding
  bad_chunk,                             ///< 400: malformed chunk size / extension / CRLF / trailer
  header_too_large,                      ///< 431: head over max_header_section or max_field_count
  body_too_large,                        ///< 413: body over max_body
  unsupported_version,                   ///< 505: syntactically valid version other than 1.x
  unknown_transfer_coding,               ///< 501: a transfer coding other than chunked
  bad_host,                              ///< 400: Host value is not a valid uri-host [ ":" port ]
  uri_too_long,                          ///< 414: request line over max_header_section
};

/// The HTTP status a server answers for a parse error (400, 413, 414, 431, 501, 505).
int error_status(parse_error_t e) noexcept;
/// Short English description for log lines.
std::string_view describe(parse_error_t e) noexcept;

enum class parse_status_t : std::uint8_t { incomplete, complete, error };

enum class body_kind_t : std::uint8_t { none, content_length, chunked };

struct field_view_t {
  std::string_view name;
  std::string_view value;  ///< leading/trailing whitespace removed
};

struct request_head_t {
  method_t method = method_t::unknown;
  std::string_view method_name;  ///< the token as sent
  std::string_view target;       ///< request-target as sent
  unsigned version_major = 1;
  unsigned version_minor = 1;
  std::vector<field_view_t> fields;  ///< in order, repeated fields kept
  body_kind_t body_kind = body_kind_t::none;
  std::uint64_t content_length = 0;  ///< when body_kind == content_length
  bool keep_alive = true;           ///< HTTP/1.1 default unless "close"; 1.0 only with "keep-alive"
  bool connection_upgrade = false;  ///< Connection field holds the "upgrade" token
  bool expect_continue = false;     ///< Expect: 100-continue
  std::size_t head_size = 0;        ///< bytes of the buffer the head used (incl. final CRLF)
};

class request_parser_t {
 public:
  explicit request_parser_t(parser_limits_t limits = {}) noexcept;

  /// `buffer`: all bytes received for this request so far, starting at its first byte
  /// (empty lines before the request line are skipped, RFC 9112 §2.2). It may hold bytes past the
  /// head (body, next request); they are not looked at. Between calls the buffer may move
  /// (reallocate) but its earlier bytes must not change. Returns incomplete (feed more), complete
  /// (head() is ready) or error (error() says why; the head is refused as early as possible, e.g.
  /// an over-long header line before its end arrives). Only CRLF ends a line: bare LF / bare CR
  /// are errors. After complete or error, further calls return the same status until reset().
  /// Not thread-safe (one parser per connection).
  parse_status_t parse_head(std::string_view buffer);
  /// Valid after parse_head() returned complete.
  const request_head_t& head() const noexcept { return head_; }

  /// Feeds body bytes (after head().head_size). Appends decoded bytes to `body`; sets `consumed`
  /// to the number of input bytes used. Returns complete at the end of the body (immediately for
  /// body_kind none). For chunked bodies, trailer fields are collected in trailers(). While
  /// incomplete, all of `input` is consumed (partial chunk framing is kept inside the parser).
  /// Returns error with error() set on a framing error or a body over max_body (checked as the
  /// chunk size is read, before its data); returns error with error() == none if called before
  /// parse_head() returned complete (misuse).
  parse_status_t parse_body(std::string_view input, std::string& body, std::size_t& consumed);
  /// Trailer fields of a chunked body (owned copies), after parse_body() returned complete.
  const std::vector<std::pair<std::string, std::string>>& trailers() const noexcept {
    return trailers_;
  }

  parse_error_t error() const noexcept { return error_; }
  const parser_limits_t& limits() const noexcept { return limits_; }
  /// Ready for the next request on the same connection.
  void reset() noexcept;

 private:
  parser_limits_t limits_;
  request_head_t head_;
  parse_error_t error_ = parse_error_t::none;
  // Head scanning state: offsets (not views) because the caller's buffer may move between calls.
  struct span_t {
    std::size_t offset = 0;
    std::size_t size = 0;
  };
  struct field_offsets_t {
    span_t name;
    span_t value;
  };
  parse_status_t fail(parse_error_t e) noexcept;
  /// The error for a head over max_header_section whose current line (so far) is `line`.
  parse_error_t too_large(std::string_view line) const noexcept;
  parse_status_t on_head_line(std::string_view buffer, std::size_t line_end);
  parse_status_t on_request_line(std::string_view line, std::size_t offset);
  parse_status_t finish_head(std::string_view buffer, std::size_t head_end);
  parse_status_t parse_chunked(std::string_view input, std::string& body, std::size_t& consumed);
  parse_status_t on_trailer_byte(char c);

  std::uint8_t head_phase_ = 0;  ///< 0: before the request line, 1: fields, 2: complete
  std::size_t scanned_ = 0;      ///< bytes already searched for LF
  std::size_t line_start_ = 0;   ///< start of the line being scanned
  std::size_t head_start_ = 0;   ///< start of the request line (after skipped empty lines)
  std::size_t leading_empty_lines_ = 0;
  span_t method_span_;
  span_t target_span_;
  std::vector<field_offsets_t> field_offsets_;

  // Body decoding state.
  std::uint64_t body_received_ = 0;
  std::uint64_t chunk_remaining_ = 0;  ///< content-length left, or chunk size (being) read
  std::uint8_t body_state_ = 0;
  std::uint8_t chunk_digits_ = 0;
  bool chunk_ext_semicolon_ = false;
  std::size_t chunk_ext_size_ = 0;
  std::size_t trailer_bytes_ = 0;
  std::string chunk_line_;
  std::vector<std::pair<std::string, std::string>> trailers_;
};

}  // namespace restws::http
