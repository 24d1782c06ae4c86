#include "restws/router/percent_encoding.hpp"

namespace restws::router {
namespace {

constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr bool is_unreserved(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

/// Decodes %XX at text[i]; -1 if malformed.
int decode_at(std::string_view text, std::size_t i) noexcept {
  if (i + 2 >= text.size()) return -1;
  const int hi = hex_value(text[i + 1]);
  const int lo = hex_value(text[i + 2]);
  return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
}

template <typename Keep>
bool transform(std::string_view text, std::string& out, Keep keep_encoded) {
  out.reserve(out.size() + text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int v = decode_at(text, i);
    if (v < 0) return false;
    const char c = static_cast<char>(v);
    if (keep_encoded(c)) {
      out.append(text.substr(i, 3));
    } else {
      out += c;
    }
    i += 2;
  }
  return true;
}

}  // namespace

bool normalize_percent_encoding(std::string_view path, std::string& out) {
  return transform(path, out, [](char c) { return !is_unreserved(c); });
}

bool decode_percent_encoding(std::string_view text, std::string& out) {
  return transform(text, out, [](char) { return false; });
}

}  // namespace restws::router
