#include "restws/http/response_head_parser.hpp"

#include "http_syntax.hpp"

namespace restws::http {

std::string_view describe(response_parse_error_t e) noexcept {
  switch (e) {
    case response_parse_error_t::none:
      return "no error";
    case response_parse_error_t::bad_status_line:
      return "malformed status line";
    case response_parse_error_t::bad_version:
      return "unsupported HTTP version";
    case response_parse_error_t::bad_field:
      return "malformed header field";
    case response_parse_error_t::obs_fold:
      return "obsolete line folding";
    case response_parse_error_t::head_too_large:
      return "response head too large";
  }
  return "unknown error";
}

std::optional<std::size_t> find_response_head_end(std::string_view buffer, std::size_t& scanned,
                                                  bool& too_large,
                                                  const response_head_limits_t& limits) {
  too_large = false;
  // Resume 3 bytes back: the end marker may straddle the previous scan's end.
  std::size_t from = scanned >= 3 ? scanned - 3 : 0;
  const std::size_t pos = buffer.find("\r\n\r\n", from);
  if (pos != std::string_view::npos && pos + 4 <= limits.max_head) return pos + 4;
  scanned = buffer.size();
  if (pos != std::string_view::npos || buffer.size() >= limits.max_head) too_large = true;
  return std::nullopt;
}

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// status-line = HTTP-version SP status-code SP [ reason-phrase ]   (RFC 9112 §4)
// A missing SP after the code is accepted (some servers omit it with an empty reason).
response_parse_error_t parse_status_line(std::string_view line, response_head_t& head) {
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || !is_digit(line[5]) || line[6] != '.' ||
      !is_digit(line[7]) || line[8] != ' ')
    return response_parse_error_t::bad_status_line;
  head.version_major = static_cast<unsigned>(line[5] - '0');
  head.version_minor = static_cast<unsigned>(line[7] - '0');
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) || line[9] == '0')
    return response_parse_error_t::bad_status_line;
  head.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (line.size() > 12) {
    if (line[12] != ' ') return response_parse_error_t::bad_status_line;
    const std::string_view reason = line.substr(13);
    for (char c : reason)
      if (!detail::is_field_value_char(c)) return response_parse_error_t::bad_status_line;
    head.reason.assign(reason);
  }
  if (head.version_major != 1 || head.version_minor > 1) return response_parse_error_t::bad_version;
  return response_parse_error_t::none;
}

response_parse_error_t parse_field_line(std::string_view line, response_head_t& head) {
  if (detail::is_ows(line.front())) return response_parse_error_t::obs_fold;
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return response_parse_error_t::bad_field;
  const std::string_view name = line.substr(0, colon);
  if (!detail::is_token(name)) return response_parse_error_t::bad_field;  // also "name :"
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && detail::is_ows(value.front())) value.remove_prefix(1);
  while (!value.empty() && detail::is_ows(value.back())) value.remove_suffix(1);
  if (!detail::all_field_value_chars(value)) return response_parse_error_t::bad_field;
  head.fields.emplace_field(name, value);
  return response_parse_error_t::none;
}

}  // namespace

response_parse_result_t parse_response_head(std::string_view head,
                                            const response_head_limits_t& limits) {
  response_parse_result_t result;
  if (head.size() > limits.max_head) {
    result.error = response_parse_error_t::head_too_large;
    return result;
  }
  if (head.size() < 4 || head.substr(head.size() - 4) != "\r\n\r\n") {
    result.error = response_parse_error_t::bad_status_line;
    return result;
  }
  head.remove_suffix(2);  // each line below ends with its own CRLF
  std::size_t fields = 0;
  bool first = true;
  while (!head.empty()) {
    const std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    // A bare CR or LF inside a line would let two parties split the head differently.
    if (line.find_first_of("\r\n") != std::string_view::npos) {
      result.error =
          first ? response_parse_error_t::bad_status_line : response_parse_error_t::bad_field;
      return result;
    }
    if (first) {
      result.error = parse_status_line(line, result.head);
      first = false;
    } else if (line.empty()) {
      result.error = response_parse_error_t::bad_field;
    } else if (++fields > limits.max_fields) {
      result.error = response_parse_error_t::head_too_large;
    } else {
      result.error = parse_field_line(line, result.head);
    }
    if (result.error != response_parse_error_t::none) return result;
  }
  return result;
}

}  // namespace restws::http
