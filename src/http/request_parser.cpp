// Request head parsing (RFC 9112 §2-§3, §5, §6; RFC 9110 §5-§7). The body part lives in
// request_body_parser.cpp.
//
// Line endings: only CRLF is accepted. RFC 9112 §2.2 lets a recipient accept a bare LF, but a
// parser that does so disagrees with a strict front proxy about where a line ends, which is the
// root of request smuggling; so a bare LF (LF not preceded by CR) and a bare CR (CR not followed by
// LF) are both rejected with 400, in the head, in chunk framing and in trailers.
//
// Incremental scanning: the parser keeps the offset up to which it already searched for LF and
// the start of the current line, so feeding a growing buffer costs O(new bytes). Each complete
// line is validated once, in order, and the header-section limit is checked against the partial
// line as well, so an endless header line is refused as soon as it exceeds the limit. Because
// every check depends only on the bytes before it, the result does not depend on how the input
// was split.

#include "restws/http/request_parser.hpp"

#include <cstring>

#include "http_syntax.hpp"
#include "restws/http/header_fields.hpp"

namespace restws::http {
namespace {

using detail::is_token;
using detail::trim_ows;

/// RFC 9112 §2.2 asks to ignore "at least one" empty line before the request line; we ignore a
/// few (a client may send CRLF after a POST body) but not an endless stream of them.
constexpr std::size_t max_leading_empty_lines = 8;

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// Request-target bytes: visible ASCII only (no SP, CTL, DEL or non-ASCII; RFC 9112 §3.2 and
/// RFC 3986). Characters RFC 3986 leaves out but clients send ('|', '{', ...) are tolerated.
constexpr bool is_target_char(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  return c > 0x20 && c < 0x7f;
}

/// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )  (RFC 3986 §3.1)
bool is_scheme(std::string_view s) noexcept {
  if (s.empty() || !is_alpha(s.front())) return false;
  for (char c : s)
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  return true;
}

using detail::is_reg_name_char;

bool is_port(std::string_view s, bool allow_empty) noexcept {
  if (s.empty()) return allow_empty;
  if (s.size() > 5) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

/// uri-host [ ":" port ] (RFC 9110 §7.2). `need_port`: authority-form of CONNECT (RFC 9112 §3.2.3).
bool is_host_port(std::string_view s, bool need_port) noexcept {
  std::string_view host = s;
  std::string_view port;
  bool has_port = false;
  if (!s.empty() && s.front() == '[') {  // IP-literal
    const auto close = s.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : s.substr(1, close - 1))
      if (!is_alpha(c) && !is_digit(c) && c != ':' && c != '.') return false;
    host = s.substr(0, close + 1);
    const auto rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      has_port = true;
      port = rest.substr(1);
    }
  } else {
    // One pass (the Host field is checked on every request): reg-name characters up to the one
    // ':' allowed, then the port (is_port() checks its digits).
    std::size_t i = 0;
    while (i < s.size() && is_reg_name_char(s[i])) ++i;
    if (i != s.size()) {
      if (s[i] != ':') return false;
      has_port = true;
      host = s.substr(0, i);
      port = s.substr(i + 1);
    }
  }
  if (need_port) return !host.empty() && has_port && is_port(port, false);
  return !has_port || is_port(port, true);
}

/// Content-Length = 1*DIGIT, possibly as a list of identical values ("5, 5"), RFC 9110 §8.6.
/// `value` keeps the value seen so far across repeated fields.
bool merge_content_length(std::string_view field, bool& seen, std::uint64_t& value) noexcept {
  while (true) {
    const auto comma = field.find(',');
    const auto item = trim_ows(field.substr(0, comma));
    if (item.empty()) return false;
    std::uint64_t n = 0;
    for (char c : item) {
      if (!is_digit(c)) return false;
      const auto d = static_cast<std::uint64_t>(c - '0');
      if (n > (UINT64_MAX - d) / 10) return false;  // overflow
      n = n * 10 + d;
    }
    if (seen && n != value) return false;
    seen = true;
    value = n;
    if (comma == std::string_view::npos) return true;
    field.remove_prefix(comma + 1);
  }
}

/// Transfer-Encoding (RFC 9112 §6.1, §6.3), decided as follows for a request:
///  - an empty list element, a coding that is not a token, or "chunked" with parameters: 400
///    (we do not guess at framing);
///  - "chunked" more than once (§6.1: MUST NOT be applied twice): 400;
///  - final coding not "chunked": 400, because §6.3 item 4 says the body length cannot be
///    determined and the server MUST answer 400 and close; this holds for known (gzip) and
///    unknown (foo) codings alike, since either way the framing is unknowable;
///  - "chunked" last but another coding before it (gzip, identity, foo): 501, because §6.1 says a
///    server SHOULD answer 501 to a transfer coding it does not implement; we implement only
///    chunked.
/// Coding names are case-insensitive (§7). Codings of all Transfer-Encoding fields are joined in
/// order, as for any list-based field (RFC 9110 §5.3).
struct te_state_t {
  unsigned chunked = 0;
  bool last_is_chunked = false;
  bool other = false;
};

bool merge_transfer_encoding(std::string_view field, te_state_t& te) noexcept {
  while (true) {
    const auto comma = field.find(',');
    const auto item = trim_ows(field.substr(0, comma));
    const auto semicolon = item.find(';');
    const auto coding = trim_ows(item.substr(0, semicolon));
    if (!is_token(coding)) return false;
    if (iequals(coding, "chunked")) {
      // chunked defines no parameters (RFC 9112 §7); "chunked;x" may be read differently by a
      // proxy, so it is not framing we can trust.
      if (semicolon != std::string_view::npos) return false;
      ++te.chunked;
      te.last_is_chunked = true;
    } else {
      te.other = true;
      te.last_is_chunked = false;
    }
    if (comma == std::string_view::npos) return true;
    field.remove_prefix(comma + 1);
  }
}

}  // namespace

int error_status(parse_error_t e) noexcept {
  switch (e) {
    case parse_error_t::none:
      return 200;
    case parse_error_t::header_too_large:
      return 431;
    case parse_error_t::uri_too_long:
      return 414;
    case parse_error_t::body_too_large:
      return 413;
    case parse_error_t::unsupported_version:
      return 505;
    case parse_error_t::unknown_transfer_coding:
      return 501;
    default:
      return 400;
  }
}

std::string_view describe(parse_error_t e) noexcept {
  switch (e) {
    case parse_error_t::none:
      return "no error";
    case parse_error_t::bad_request_line:
      return "malformed request line";
    case parse_error_t::bad_version_syntax:
      return "malformed HTTP version";
    case parse_error_t::bad_field:
      return "malformed header field";
    case parse_error_t::obs_fold:
      return "obsolete line folding in header";
    case parse_error_t::missing_host:
      return "HTTP/1.1 request without Host";
    case parse_error_t::repeated_host:
      return "more than one Host field";
    case parse_error_t::bad_content_length:
      return "invalid Content-Length";
    case parse_error_t::content_length_and_transfer_encoding:
      return "both Content-Length and Transfer-Encoding";
    case parse_error_t::bad_transfer_encoding:
      return "invalid Transfer-Encoding";
    case parse_error_t::bad_chunk:
      return "malformed chunked body";
    case parse_error_t::header_too_large:
      return "request header section too large";
    case parse_error_t::uri_too_long:
      return "request-target too long";
    case parse_error_t::body_too_large:
      return "request body too large";
    case parse_error_t::unsupported_version:
      return "HTTP version not supported";
    case parse_error_t::unknown_transfer_coding:
      return "transfer coding not implemented";
    case parse_error_t::bad_host:
      return "invalid Host value";
  }
  return "unknown error";
}

request_parser_t::request_parser_t(parser_limits_t limits) noexcept : limits_{limits} {}

void request_parser_t::reset() noexcept {
  head_.fields.clear();  // keeps the capacity for the next request on this connection
  auto fields = std::move(head_.fields);
  head_ = request_head_t{};
  head_.fields = std::move(fields);
  error_ = parse_error_t::none;
  head_phase_ = 0;
  scanned_ = line_start_ = head_start_ = leading_empty_lines_ = 0;
  method_span_ = target_span_ = span_t{};
  field_offsets_.clear();
  body_received_ = chunk_remaining_ = 0;
  body_state_ = chunk_digits_ = 0;
  chunk_ext_semicolon_ = false;
  chunk_ext_size_ = trailer_bytes_ = 0;
  chunk_line_.clear();
  trailers_.clear();
}

parse_status_t request_parser_t::fail(parse_error_t e) noexcept {
  error_ = e;
  return parse_status_t::error;
}

// Flattened: the line handlers and syntax checks below are inlined into this one entry point
// (per request: ~80 instructions fewer).
__attribute__((flatten)) parse_status_t request_parser_t::parse_head(std::string_view buffer) {
  if (error_ != parse_error_t::none) return parse_status_t::error;
  if (head_phase_ == 2) return parse_status_t::complete;
  if (buffer.size() < scanned_) reset();  // not the growing buffer we saw: start over
  while (scanned_ < buffer.size()) {
    const void* lf = std::memchr(buffer.data() + scanned_, '\n', buffer.size() - scanned_);
    if (lf == nullptr) break;
    const auto line_end = static_cast<std::size_t>(static_cast<const char*>(lf) - buffer.data());
    scanned_ = line_end + 1;
    if (const auto st = on_head_line(buffer, line_end); st != parse_status_t::incomplete) return st;
  }
  scanned_ = buffer.size();
  // Partial line: refuse as soon as the head cannot fit any more.
  if (buffer.size() - head_start_ > limits_.max_header_section)
    return fail(too_large(buffer.substr(line_start_)));
  return parse_status_t::incomplete;
}

parse_error_t request_parser_t::too_large(std::string_view line) const noexcept {
  // A request line over the limit is a request-target too long to parse: 414 (RFC 9112 §3), if
  // the method ends within the limit (only those bytes count, so that the answer does not depend
  // on how much of the line had arrived); a field section over it, 431.
  if (head_phase_ != 0) return parse_error_t::header_too_large;
  return line.substr(0, limits_.max_header_section).find(' ') != std::string_view::npos
             ? parse_error_t::uri_too_long
             : parse_error_t::bad_request_line;
}

parse_status_t request_parser_t::on_head_line(std::string_view buffer, std::size_t lf) {
  if (lf + 1 - head_start_ > limits_.max_header_section)
    return fail(too_large(buffer.substr(line_start_, lf - line_start_)));
  if (lf == line_start_ || buffer[lf - 1] != '\r')  // bare LF
    return fail(head_phase_ == 0 ? parse_error_t::bad_request_line : parse_error_t::bad_field);
  const auto line = buffer.substr(line_start_, lf - 1 - line_start_);
  const auto offset = line_start_;
  line_start_ = lf + 1;
  if (head_phase_ == 0) {
    if (line.empty()) {
      if (++leading_empty_lines_ > max_leading_empty_lines)
        return fail(parse_error_t::bad_request_line);
      head_start_ = line_start_;
      return parse_status_t::incomplete;
    }
    head_phase_ = 1;
    return on_request_line(line, offset);
  }
  if (line.empty()) return finish_head(buffer, lf + 1);
  std::string_view name, value;
  switch (detail::split_field_line(line, name, value)) {
    case detail::field_line_result_t::obs_fold:
      return fail(parse_error_t::obs_fold);
    case detail::field_line_result_t::bad:
      return fail(parse_error_t::bad_field);
    case detail::field_line_result_t::ok:
      break;
  }
  if (field_offsets_.size() >= limits_.max_field_count)
    return fail(parse_error_t::header_too_large);
  field_offsets_.push_back(
      {{offset, name.size()},
       {static_cast<std::size_t>(value.data() - line.data()) + offset, value.size()}});
  return parse_status_t::incomplete;
}

parse_status_t request_parser_t::on_request_line(std::string_view line, std::size_t offset) {
  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3): exactly one SP each.
  const auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return fail(parse_error_t::bad_request_line);
  const auto method = line.substr(0, sp1);
  if (!is_token(method)) return fail(parse_error_t::bad_request_line);
  const auto rest = line.substr(sp1 + 1);
  const auto sp2 = rest.find(' ');
  if (sp2 == std::string_view::npos) return fail(parse_error_t::bad_request_line);
  const auto target = rest.substr(0, sp2);
  if (target.empty()) return fail(parse_error_t::bad_request_line);
  for (char c : target)
    if (!is_target_char(c)) return fail(parse_error_t::bad_request_line);
  const auto version = rest.substr(sp2 + 1);
  // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !is_digit(version[5]) ||
      version[6] != '.' || !is_digit(version[7])) {
    // More whitespace is a malformed request line rather than a malformed version.
    if (version.find_first_of(" \t") != std::string_view::npos)
      return fail(parse_error_t::bad_request_line);
    return fail(parse_error_t::bad_version_syntax);
  }
  head_.version_major = static_cast<unsigned>(version[5] - '0');
  head_.version_minor = static_cast<unsigned>(version[7] - '0');
  if (head_.version_major != 1) return fail(parse_error_t::unsupported_version);
  // A higher minor version of HTTP/1 is processed as the highest we implement (RFC 9110 §2.5).
  if (head_.version_minor > 1) head_.version_minor = 1;

  head_.method = method_from_string(method);
  // request-target forms (RFC 9112 §3.2): asterisk-form only for OPTIONS, authority-form only and
  // always for CONNECT, otherwise origin-form ("/...") or absolute-form ("scheme:...").
  bool form_ok = false;
  if (head_.method == method_t::connect) {
    form_ok = is_host_port(target, true);
  } else if (target == "*") {
    form_ok = head_.method == method_t::options;
  } else if (target.front() == '/') {
    form_ok = true;
  } else {
    const auto colon = target.find(':');
    form_ok = colon != std::string_view::npos && colon + 1 < target.size() &&
              is_scheme(target.substr(0, colon));
  }
  if (!form_ok) return fail(parse_error_t::bad_request_line);
  method_span_ = {offset, method.size()};
  target_span_ = {offset + sp1 + 1, target.size()};
  return parse_status_t::incomplete;
}

parse_status_t request_parser_t::finish_head(std::string_view buffer, std::size_t head_end) {
  head_.head_size = head_end;
  head_.method_name = buffer.substr(method_span_.offset, method_span_.size);
  head_.target = buffer.substr(target_span_.offset, target_span_.size);
  head_.fields.clear();
  head_.fields.reserve(field_offsets_.size());
  for (const auto& f : field_offsets_)
    head_.fields.push_back(
        {buffer.substr(f.name.offset, f.name.size), buffer.substr(f.value.offset, f.value.size)});

  const bool http11 = head_.version_minor == 1;
  std::size_t hosts = 0;
  std::string_view host;
  bool has_cl = false, has_te = false, cl_ok = true, te_ok = true;
  bool close = false, keep_alive = false;
  std::uint64_t content_length = 0;
  te_state_t te;
  for (const auto& [name, value] : head_.fields) {
    // Only these five names matter here; their lengths differ, so the length picks the candidate.
    if (name.size() != 4 && name.size() != 6 && name.size() != 10 && name.size() != 14 &&
        name.size() != 17)
      continue;
    if (iequals(name, "host")) {
      ++hosts;
      host = value;
    } else if (iequals(name, "content-length")) {
      cl_ok = cl_ok && merge_content_length(value, has_cl, content_length);
      has_cl = true;
    } else if (iequals(name, "transfer-encoding")) {
      has_te = true;
      te_ok = te_ok && merge_transfer_encoding(value, te);
    } else if (iequals(name, "connection")) {
      close = close || has_token(value, "close");
      keep_alive = keep_alive || has_token(value, "keep-alive");
      head_.connection_upgrade = head_.connection_upgrade || has_token(value, "upgrade");
    } else if (iequals(name, "expect")) {
      // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request MUST be ignored.
      head_.expect_continue = head_.expect_continue || (http11 && iequals(value, "100-continue"));
    }
  }
  // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, for more than one Host field line,
  // and for a Host with an invalid value.
  if (hosts == 0 && http11) return fail(parse_error_t::missing_host);
  if (hosts > 1) return fail(parse_error_t::repeated_host);
  if (hosts == 1 && !is_host_port(host, false)) return fail(parse_error_t::bad_host);
  // RFC 9112 §6.3 item 3: both present is a smuggling attempt; we reject rather than let
  // Transfer-Encoding override.
  if (has_cl && has_te) return fail(parse_error_t::content_length_and_transfer_encoding);
  if (has_te) {
    // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
    if (!http11 || !te_ok || te.chunked > 1 || !te.last_is_chunked)
      return fail(parse_error_t::bad_transfer_encoding);
    if (te.other) return fail(parse_error_t::unknown_transfer_coding);
    head_.body_kind = body_kind_t::chunked;
  } else if (has_cl) {
    if (!cl_ok) return fail(parse_error_t::bad_content_length);
    if (content_length > limits_.max_body) return fail(parse_error_t::body_too_large);
    head_.body_kind = body_kind_t::content_length;
    head_.content_length = content_length;
  }
  head_.keep_alive = http11 ? !close : (keep_alive && !close);
  head_phase_ = 2;
  return parse_status_t::complete;
}

}  // namespace restws::http
