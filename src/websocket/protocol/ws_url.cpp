#include "restws/websocket/protocol/ws_url.hpp"

#include "../../http/http_syntax.hpp"
#include "restws/http/header_fields.hpp"

namespace restws::websocket::protocol {

std::string_view describe(url_error_t e) noexcept {
  switch (e) {
    case url_error_t::none:
      return "no error";
    case url_error_t::bad_scheme:
      return "the URL's scheme is not ws:// or wss://";
    case url_error_t::missing_host:
      return "the URL has no host";
    case url_error_t::bad_host:
      return "the URL's host is malformed";
    case url_error_t::bad_port:
      return "the URL's port is not 1-65535";
    case url_error_t::userinfo:
      return "the URL holds user information (user@host), which WebSocket URLs do not";
    case url_error_t::fragment:
      return "the URL holds a fragment (#...), which WebSocket URLs must not";
    case url_error_t::bad_target:
      return "the URL's path or query holds a space, control or non-ASCII byte";
  }
  return "unknown error";
}

namespace {

bool is_ipv6_char(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

bool is_target_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f;
}

}  // namespace

url_parse_result_t parse_ws_url(std::string_view text) {
  url_parse_result_t r;
  auto fail = [&r](url_error_t e) {
    r.error = e;
    return r;
  };
  ws_url_t& url = r.url;
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return fail(url_error_t::bad_scheme);
  const std::string_view scheme = text.substr(0, scheme_end);
  if (http::iequals(scheme, "wss"))
    url.secure = true;
  else if (!http::iequals(scheme, "ws"))
    return fail(url_error_t::bad_scheme);
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.find('#') != std::string_view::npos) return fail(url_error_t::fragment);

  const std::size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return fail(url_error_t::userinfo);

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail(url_error_t::bad_host);
    url.host.assign(authority.substr(1, close - 1));
    url.ipv6_literal = true;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(url_error_t::bad_host);
      port_text = after.substr(1);
      if (port_text.empty()) return fail(url_error_t::bad_port);
    }
    if (url.host.empty() || url.host.find(':') == std::string::npos)
      return fail(url_error_t::bad_host);
    for (char c : url.host)
      if (!is_ipv6_char(c)) return fail(url_error_t::bad_host);
  } else {
    const std::size_t colon = authority.find(':');
    url.host.assign(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return fail(url_error_t::bad_port);
    }
    if (url.host.empty()) return fail(url_error_t::missing_host);
    for (char c : url.host)
      if (!http::detail::is_reg_name_char(c)) return fail(url_error_t::bad_host);
  }

  const std::uint16_t default_port = url.secure ? 443 : 80;
  url.port = default_port;
  if (!port_text.empty()) {
    if (port_text.size() > 5) return fail(url_error_t::bad_port);
    unsigned value = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') return fail(url_error_t::bad_port);
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return fail(url_error_t::bad_port);
    url.port = static_cast<std::uint16_t>(value);
  }

  for (char c : target)
    if (!is_target_char(c)) return fail(url_error_t::bad_target);
  if (target.empty())
    url.target = "/";
  else if (target.front() == '?')
    url.target = "/" + std::string{target};
  else
    url.target.assign(target);

  url.host_header = url.ipv6_literal ? "[" + url.host + "]" : url.host;
  if (url.port != default_port) url.host_header += ":" + std::to_string(url.port);
  return r;
}

}  // namespace restws::websocket::protocol
