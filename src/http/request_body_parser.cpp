// Request body decoding: Content-Length bodies and the chunked transfer coding (RFC 9112 §6-§7).
//
// The chunked decoder is a byte-at-a-time state machine (chunk data is copied in bulk), so it
// gives the same result whatever the input split, and it never buffers more than one trailer
// line. Strictness (smuggling safety): chunk-size is 1*16 HEXDIG with no sign, prefix or
// whitespace; only CRLF ends a line (a bare LF or bare CR is 400); whitespace after the size is
// accepted only before a ";" extension (BWS, RFC 9112 §7.1.1); extensions are ignored but their
// bytes are checked (no CTL) and bounded by parser_limits_t::max_chunk_extension; the data must
// be followed by exactly CRLF; trailer fields are checked like header fields (RFC 9112 §7.1.2)
// and bounded by max_header_section and max_field_count. The decoded size is checked against
// max_body while the chunk size is being read, so an oversized chunk is refused before its data.

#include <algorithm>

#include "http_syntax.hpp"
#include "restws/http/request_parser.hpp"

namespace restws::http {
namespace {

enum body_state_t : std::uint8_t {
  not_started = 0,
  cl_data,
  size_first,  ///< expecting the first hex digit of a chunk-size
  size_digits,
  extension,
  size_lf,
  chunk_data,
  data_cr,
  data_lf,
  trailer,
  done,
};

constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr unsigned max_chunk_size_digits = 16;  // fits std::uint64_t

}  // namespace

parse_status_t request_parser_t::parse_body(std::string_view input, std::string& body,
                                            std::size_t& consumed) {
  consumed = 0;
  if (error_ != parse_error_t::none) return parse_status_t::error;
  if (head_phase_ != 2) return parse_status_t::error;  // misuse: no complete head (error() none)
  if (body_state_ == not_started) {
    switch (head_.body_kind) {
      case body_kind_t::none:
        body_state_ = done;
        break;
      case body_kind_t::content_length:
        chunk_remaining_ = head_.content_length;
        body_state_ = chunk_remaining_ == 0 ? done : cl_data;
        break;
      case body_kind_t::chunked:
        body_state_ = size_first;
        break;
    }
  }
  if (body_state_ == done) return parse_status_t::complete;
  if (body_state_ == cl_data) {
    const auto n = static_cast<std::size_t>(
        std::min<std::uint64_t>(chunk_remaining_, static_cast<std::uint64_t>(input.size())));
    body.append(input.data(), n);
    consumed = n;
    chunk_remaining_ -= n;
    body_received_ += n;
    if (chunk_remaining_ != 0) return parse_status_t::incomplete;
    body_state_ = done;
    return parse_status_t::complete;
  }
  return parse_chunked(input, body, consumed);
}

parse_status_t request_parser_t::parse_chunked(std::string_view input, std::string& body,
                                               std::size_t& consumed) {
  std::size_t i = 0;
  while (i < input.size()) {
    const char c = input[i];
    switch (body_state_) {
      case size_first:
      case size_digits: {
        const int v = hex_value(c);
        if (v >= 0) {
          if (body_state_ == size_first) {
            chunk_remaining_ = 0;
            chunk_digits_ = 0;
            body_state_ = size_digits;
          }
          if (++chunk_digits_ > max_chunk_size_digits) return fail(parse_error_t::bad_chunk);
          chunk_remaining_ = chunk_remaining_ * 16 + static_cast<std::uint64_t>(v);
          if (chunk_remaining_ > limits_.max_body - body_received_)
            return fail(parse_error_t::body_too_large);
        } else if (body_state_ == size_first) {
          return fail(parse_error_t::bad_chunk);
        } else if (c == '\r') {
          body_state_ = size_lf;
        } else if (c == ';' || detail::is_ows(c)) {
          chunk_ext_semicolon_ = c == ';';
          chunk_ext_size_ = 1;
          body_state_ = extension;
        } else {
          return fail(parse_error_t::bad_chunk);
        }
        break;
      }
      case extension:
        if (c == '\r') {
          if (!chunk_ext_semicolon_) return fail(parse_error_t::bad_chunk);  // "5 \r\n"
          body_state_ = size_lf;
          break;
        }
        if (++chunk_ext_size_ > limits_.max_chunk_extension) return fail(parse_error_t::bad_chunk);
        if (!chunk_ext_semicolon_) {
          if (c == ';')
            chunk_ext_semicolon_ = true;
          else if (!detail::is_ows(c))
            return fail(parse_error_t::bad_chunk);
        } else if (!detail::is_field_value_char(c)) {
          return fail(parse_error_t::bad_chunk);
        }
        break;
      case size_lf:
        if (c != '\n') return fail(parse_error_t::bad_chunk);
        if (chunk_remaining_ == 0) {  // last-chunk
          body_state_ = trailer;
          chunk_line_.clear();
          trailer_bytes_ = 0;
        } else {
          body_state_ = chunk_data;
        }
        break;
      case chunk_data: {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(
            chunk_remaining_, static_cast<std::uint64_t>(input.size() - i)));
        body.append(input.data() + i, n);
        i += n;
        chunk_remaining_ -= n;
        body_received_ += n;
        if (chunk_remaining_ == 0) body_state_ = data_cr;
        continue;
      }
      case data_cr:
        if (c != '\r') return fail(parse_error_t::bad_chunk);
        body_state_ = data_lf;
        break;
      case data_lf:
        if (c != '\n') return fail(parse_error_t::bad_chunk);
        body_state_ = size_first;
        break;
      case trailer:
        if (const auto st = on_trailer_byte(c); st != parse_status_t::incomplete) {
          consumed = i + (st == parse_status_t::complete ? 1 : 0);
          return st;
        }
        break;
      default:
        return fail(parse_error_t::bad_chunk);  // unreachable
    }
    ++i;
  }
  consumed = input.size();
  return parse_status_t::incomplete;
}

parse_status_t request_parser_t::on_trailer_byte(char c) {
  if (++trailer_bytes_ > limits_.max_header_section) return fail(parse_error_t::header_too_large);
  if (c != '\n') {
    chunk_line_.push_back(c);
    return parse_status_t::incomplete;
  }
  if (chunk_line_.empty() || chunk_line_.back() != '\r') return fail(parse_error_t::bad_chunk);
  chunk_line_.pop_back();
  if (chunk_line_.empty()) {
    body_state_ = done;
    return parse_status_t::complete;
  }
  std::string_view name, value;
  if (detail::split_field_line(chunk_line_, name, value) != detail::field_line_result_t::ok)
    return fail(parse_error_t::bad_chunk);
  if (trailers_.size() >= limits_.max_field_count) return fail(parse_error_t::header_too_large);
  trailers_.emplace_back(std::string{name}, std::string{value});
  chunk_line_.clear();
  return parse_status_t::incomplete;
}

}  // namespace restws::http
