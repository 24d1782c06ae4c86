#pragma once
// Private character classes and field-line checks shared by the request parser's head and body
// (chunked trailers) parts. RFC 9110 §5.6 (tokens, OWS), §5.5 (field values), RFC 9112 §5.

#include <string_view>

namespace restws::http::detail {

/// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
///         / DIGIT / ALPHA   (RFC 9110 §5.6.2)
constexpr bool is_tchar(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

/// field-vchar / SP / HTAB: everything but CTLs (0x00-0x1F except HTAB, and DEL). obs-text
/// (0x80-0xFF) is accepted as opaque data (RFC 9110 §5.5).
constexpr bool is_field_value_char(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

constexpr std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

enum class field_line_result_t { ok, obs_fold, bad };

/// Splits one field line (without its CRLF) into name and OWS-trimmed value, checking
/// RFC 9112 §5: a name is a token directly followed by ':' (no whitespace before the colon, §5.1),
/// the value holds no CTL (so no NUL, bare CR or LF), and a line starting with SP/HTAB is an
/// obs-fold (§5.2), which we reject.
constexpr field_line_result_t split_field_line(std::string_view line, std::string_view& name,
                                               std::string_view& value) noexcept {
  if (!line.empty() && is_ows(line.front())) return field_line_result_t::obs_fold;
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return field_line_result_t::bad;
  name = line.substr(0, colon);
  if (!is_token(name)) return field_line_result_t::bad;
  const auto raw = line.substr(colon + 1);
  for (char c : raw)
    if (!is_field_value_char(c)) return field_line_result_t::bad;
  value = trim_ows(raw);
  return field_line_result_t::ok;
}

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

}  // namespace restws::http::detail
