#pragma once
// Sans-IO parser of an HTTP/1.1 response head (RFC 9112 §4, §5): what a WebSocket client reads
// before its connection switches protocols. No sockets: it reads a byte buffer.
//
// Use: append what arrives to one buffer and call find_response_head_end() (it resumes its scan
// where the previous call stopped) until it returns the head's size, then parse_response_head()
// over those bytes. Bytes after the head belong to the next protocol (WebSocket frames the
// server sent right after its 101) and are the caller's.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "restws/http/header_fields.hpp"

namespace restws::http {

struct response_head_limits_t {
  std::size_t max_head = 16 * 1024;  ///< status line + fields + CRLFs, bytes
  std::size_t max_fields = 100;
};

enum class response_parse_error_t : std::uint8_t {
  none,
  bad_status_line,  ///< not "HTTP/1.x SP 3DIGIT [SP reason] CRLF"
  bad_version,      ///< a version other than HTTP/1.0 or HTTP/1.1
  bad_field,        ///< no colon, space before it, a bad name or value byte, bare CR or LF
  obs_fold,         ///< obsolete line folding (RFC 9112 §5.2)
  head_too_large,   ///< over max_head bytes or max_fields fields
};

/// Short English description for error messages.
std::string_view describe(response_parse_error_t e) noexcept;

struct response_head_t {
  unsigned version_major = 1;
  unsigned version_minor = 1;
  int status = 0;      ///< 100–999 as sent (RFC 9110 §15: three digits)
  std::string reason;  ///< may be empty
  http_header_fields_t fields;
};

/// Where a response head ends in `buffer` (the size including the final CRLF CRLF), or
/// std::nullopt if it has not all arrived. `scanned` carries the scan's progress between calls
/// over the same growing buffer (start at 0), so a head that arrives in many reads costs
/// O(its size). Returns std::nullopt and sets `too_large` once `buffer` holds more than
/// limits.max_head bytes without an end.
std::optional<std::size_t> find_response_head_end(std::string_view buffer, std::size_t& scanned,
                                                  bool& too_large,
                                                  const response_head_limits_t& limits = {});

struct response_parse_result_t {
  response_parse_error_t error = response_parse_error_t::none;
  response_head_t head;  ///< meaningful when error == none
};

/// Parses a complete head (the bytes find_response_head_end() measured, CRLF CRLF included).
response_parse_result_t parse_response_head(std::string_view head,
                                            const response_head_limits_t& limits = {});

}  // namespace restws::http
