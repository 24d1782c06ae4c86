#pragma once
// Private character classes and field-line checks shared by the request parser's head and body
// (chunked trailers) parts, the response head parser and the WebSocket URL parser.
// RFC 9110 §5.6 (tokens, OWS), §5.5 (field values), RFC 9112 §5, RFC 3986 §3.2.2 (reg-name).

#include <cstdint>
#include <cstring>
#include <string_view>

namespace restws::http::detail {

/// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
///         / DIGIT / ALPHA   (RFC 9110 §5.6.2)
constexpr bool is_tchar_slow(unsigned char c) noexcept {
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

struct tchar_table_t {
  bool value[256] = {};
  constexpr tchar_table_t() {
    for (unsigned c = 0; c < 256; ++c) value[c] = is_tchar_slow(static_cast<unsigned char>(c));
  }
};
inline constexpr tchar_table_t tchar_table{};

constexpr bool is_tchar(char ch) noexcept {
  return tchar_table.value[static_cast<unsigned char>(ch)];
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

/// True if every byte of `s` is a field value character. Checks 8 bytes at a time for the usual
/// case (no byte below 0x20 and no DEL); a word that may hold one is checked byte by byte (HTAB
/// is below 0x20 but allowed).
inline bool all_field_value_chars(std::string_view s) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t highs = 0x8080808080808080ull;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;  // some byte < 0x20
    const std::uint64_t d = w ^ (ones * 0x7f);
    const std::uint64_t del = (d - ones) & ~d & highs;  // some byte == 0x7f
    if ((below_space | del) != 0) {
      for (std::size_t j = i; j < i + 8; ++j)
        if (!is_field_value_char(s[j])) return false;
    }
  }
  for (; i < s.size(); ++i)
    if (!is_field_value_char(s[i])) return false;
  return true;
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
inline field_line_result_t split_field_line(std::string_view line, std::string_view& name,
                                            std::string_view& value) noexcept {
  if (!line.empty() && is_ows(line.front())) return field_line_result_t::obs_fold;
  std::size_t colon = 0;  // one pass: the name is tchars up to the first non-tchar, the ':'
  while (colon < line.size() && is_tchar(line[colon])) ++colon;
  if (colon == 0 || colon == line.size() || line[colon] != ':') return field_line_result_t::bad;
  name = line.substr(0, colon);
  const auto raw = line.substr(colon + 1);
  if (!all_field_value_chars(raw)) return field_line_result_t::bad;
  value = trim_ows(raw);
  return field_line_result_t::ok;
}

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

/// reg-name / IPv4 characters: unreserved / pct-encoded / sub-delims (RFC 3986 §3.2.2).
constexpr bool is_reg_name_char_slow(char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '%':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
}

struct reg_name_table_t {
  bool value[256] = {};
  constexpr reg_name_table_t() {
    for (unsigned c = 0; c < 256; ++c) value[c] = is_reg_name_char_slow(static_cast<char>(c));
  }
};
inline constexpr reg_name_table_t reg_name_table{};

/// The same as is_reg_name_char_slow(), by table (the Host field is checked on every request).
constexpr bool is_reg_name_char(char c) noexcept {
  return reg_name_table.value[static_cast<unsigned char>(c)];
}

}  // namespace restws::http::detail
