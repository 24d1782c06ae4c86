#include "restws/websocket/protocol/origin.hpp"

#include "../../http/http_syntax.hpp"

namespace restws::websocket::protocol {
namespace {

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_scheme(std::string_view s) noexcept {
  if (s.empty() || !is_alpha(s.front())) return false;
  for (const char c : s)
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  return true;
}

// Labels of letters, digits, "-" and "_", joined by single dots: no empty label, so no leading,
// trailing or doubled dot (a wildcard's domain must not be able to start with one).
bool is_reg_name(std::string_view s) noexcept {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char previous = '.';
  for (const char c : s) {
    if (c == '.') {
      if (previous == '.') return false;
    } else if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_') {
      return false;
    }
    previous = c;
  }
  return true;
}

// "[" IPv6 "]": hex digits, colons and (for an embedded IPv4 address) dots, at least one colon.
bool is_ip_literal(std::string_view s) noexcept {
  if (s.size() < 4 || s.front() != '[' || s.back() != ']') return false;
  bool colon = false;
  for (const char c : s.substr(1, s.size() - 2)) {
    if (c == ':') {
      colon = true;
    } else if (!is_hex(c) && c != '.') {
      return false;
    }
  }
  return colon;
}

std::uint16_t default_port(std::string_view scheme) noexcept {
  if (http::iequals(scheme, "http") || http::iequals(scheme, "ws")) return 80;
  if (http::iequals(scheme, "https") || http::iequals(scheme, "wss")) return 443;
  return 0;
}

std::optional<std::uint16_t> parse_port(std::string_view s) noexcept {
  if (s.empty() || s.size() > 5) return std::nullopt;
  std::uint32_t port = 0;
  for (const char c : s) {
    if (!is_digit(c)) return std::nullopt;
    port = port * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

bool iends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && http::iequals(s.substr(s.size() - suffix.size()), suffix);
}

// scheme "://" host [":" port], with `value` split after "://" into `scheme` and `rest`.
std::optional<origin_t> parse_tuple(std::string_view scheme, std::string_view rest) noexcept {
  origin_t o;
  o.scheme = scheme;
  if (!is_scheme(o.scheme)) return std::nullopt;
  std::size_t host_end;
  if (!rest.empty() && rest.front() == '[') {
    host_end = rest.find(']');
    if (host_end == std::string_view::npos) return std::nullopt;
    ++host_end;
  } else {
    host_end = rest.find(':');
    if (host_end == std::string_view::npos) host_end = rest.size();
  }
  o.host = rest.substr(0, host_end);
  if (!is_reg_name(o.host) && !is_ip_literal(o.host)) return std::nullopt;
  rest.remove_prefix(host_end);
  if (rest.empty()) {
    o.port = default_port(o.scheme);
  } else {
    if (rest.front() != ':') return std::nullopt;
    const auto port = parse_port(rest.substr(1));
    if (!port) return std::nullopt;
    o.port = *port;
  }
  return o;
}

// An allow-list entry: the origin it names (for a wildcard, with the domain as its host).
struct entry_t {
  origin_t origin;
  bool wildcard = false;
};

std::optional<entry_t> parse_entry(std::string_view entry) noexcept {
  constexpr std::string_view wildcard_separator = "://*.";
  const std::size_t separator = entry.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  entry_t e;
  std::string_view rest = entry.substr(separator + 3);
  if (entry.substr(separator, wildcard_separator.size()) == wildcard_separator) {
    e.wildcard = true;
    rest.remove_prefix(2);
  }
  auto o = parse_tuple(entry.substr(0, separator), rest);
  if (!o || (e.wildcard && o->host.front() == '[')) return std::nullopt;  // no *.IPv6
  e.origin = *o;
  return e;
}

}  // namespace

std::optional<origin_t> parse_origin(std::string_view value) noexcept {
  if (value == "null") return origin_t{true, {}, {}, 0};
  const std::size_t separator = value.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  return parse_tuple(value.substr(0, separator), value.substr(separator + 3));
}

bool same_origin(const origin_t& a, const origin_t& b) noexcept {
  if (a.opaque || b.opaque) return false;
  return a.port == b.port && http::iequals(a.scheme, b.scheme) && http::iequals(a.host, b.host);
}

bool is_valid_origin_entry(std::string_view entry) noexcept {
  return parse_entry(entry).has_value();
}

bool origin_matches(std::string_view entry, const origin_t& origin) noexcept {
  if (origin.opaque) return false;
  const auto e = parse_entry(entry);
  if (!e) return false;
  if (!e->wildcard) return same_origin(e->origin, origin);
  if (e->origin.port != origin.port || !http::iequals(e->origin.scheme, origin.scheme))
    return false;
  // "*.example.com": at least one label, then a dot, then the domain.
  const std::string_view h = origin.host;
  const std::string_view domain = e->origin.host;
  return h.size() > domain.size() + 1 && h[h.size() - domain.size() - 1] == '.' &&
         iends_with(h, domain);
}

int http_status(origin_check_t result) noexcept {
  return result == origin_check_t::allowed ? 101 : 403;
}

std::string_view describe(origin_check_t result) noexcept {
  switch (result) {
    case origin_check_t::allowed:
      return "origin allowed";
    case origin_check_t::missing:
      return "no Origin, and one is required";
    case origin_check_t::malformed:
      return "Origin repeated or not a serialized origin";
    case origin_check_t::not_allowed:
      return "origin not allowed";
  }
  return "unknown origin check result";
}

origin_check_t check_origin(const http::http_header_fields_t& fields,
                            std::span<const std::string> allowed, bool require_origin) noexcept {
  if (allowed.empty() && !require_origin) return origin_check_t::allowed;
  const std::size_t count = fields.count("Origin");
  if (count == 0) return require_origin ? origin_check_t::missing : origin_check_t::allowed;
  if (count > 1) return origin_check_t::malformed;
  const auto origin = parse_origin(http::detail::trim_ows(fields.value_of("Origin")));
  if (!origin) return origin_check_t::malformed;
  if (allowed.empty()) return origin_check_t::allowed;
  for (const auto& entry : allowed)
    if (origin_matches(entry, *origin)) return origin_check_t::allowed;
  return origin_check_t::not_allowed;
}

}  // namespace restws::websocket::protocol
