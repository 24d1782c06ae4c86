#pragma once
// WebSocket URIs (RFC 6455 §3), sans-IO: "ws://host[:port][/path][?query]" and "wss://...".
// What a client needs to connect: where (host, port), whether over TLS, the request target and
// the Host field's value.

#include <cstdint>
#include <string>
#include <string_view>

namespace restws::websocket::protocol {

enum class url_error_t : std::uint8_t {
  none,
  bad_scheme,    ///< not ws:// or wss:// (the scheme is case-insensitive)
  missing_host,  ///< nothing between "//" and the port or path
  bad_host,      ///< a byte a host cannot hold, an unclosed or malformed [IPv6] literal
  bad_port,      ///< not 1–65535 in decimal
  userinfo,      ///< "user@host": RFC 6455's URIs have none (credentials go in headers)
  fragment,      ///< "#...": RFC 6455 §3 forbids fragments
  bad_target,    ///< a space, control or non-ASCII byte in the path or query (encode it)
};

/// Short English description for error messages.
std::string_view describe(url_error_t e) noexcept;

struct ws_url_t {
  bool secure = false;      ///< wss
  std::string host;         ///< a name or IP literal, IPv6 without its brackets
  std::uint16_t port = 0;   ///< the given port, else 80 (ws) or 443 (wss)
  std::string target;       ///< path and query as given, "/" when the URL has no path
  std::string host_header;  ///< Host: the host (IPv6 in brackets), ":port" unless the default
  bool ipv6_literal = false;
};

struct url_parse_result_t {
  url_error_t error = url_error_t::none;
  ws_url_t url;  ///< meaningful when error == none
};

/// Parses a WebSocket URL. Names are kept as given (a resolver or TLS's SNI reads them),
/// except that the scheme's case does not matter. Thread-safe (pure).
url_parse_result_t parse_ws_url(std::string_view text);

}  // namespace restws::websocket::protocol
