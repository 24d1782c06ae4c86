#pragma once
// The server side of the WebSocket opening handshake (RFC 6455 §4.2), sans-IO: check an upgrade
// request, compute Sec-WebSocket-Accept, build the 101 response head (or the rejection).

#include <cstdint>
#include <string>
#include <string_view>

#include "restws/http/header_fields.hpp"
#include "restws/http/method.hpp"

namespace restws::websocket::protocol {

/// Appended to the key before hashing (RFC 6455 §1.3).
inline constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// The only protocol version restws speaks.
inline constexpr std::string_view websocket_version = "13";

/// base64(SHA-1(key + GUID)): the Sec-WebSocket-Accept value for a Sec-WebSocket-Key.
/// `key` is used as given (the caller trims OWS; check_upgrade_request() validates it).
/// Thread-safe.
std::string sec_websocket_accept(std::string_view key);

/// The outcome of check_upgrade_request(): `ok`, or the first failed requirement.
enum class upgrade_check_t : std::uint8_t {
  ok,
  not_get,                     ///< 400: method is not GET
  http_version_too_old,        ///< 400: below HTTP/1.1
  missing_upgrade_websocket,   ///< 400: no "websocket" token in Upgrade
  missing_connection_upgrade,  ///< 400: no "upgrade" token in Connection
  unsupported_version,         ///< 426 with "Sec-WebSocket-Version: 13": missing or not 13
  bad_key,  ///< 400: Sec-WebSocket-Key missing, repeated, or not base64 of 16 bytes
};

/// The HTTP status to answer with: 101 for ok, 426 for unsupported_version, else 400.
int http_status(upgrade_check_t result) noexcept;
/// Short English description for log lines and exception messages.
std::string_view describe(upgrade_check_t result) noexcept;

/// Checks that a request is a valid WebSocket upgrade (RFC 6455 §4.2.1): GET, HTTP/1.1 or
/// higher, Upgrade holding the token "websocket" and Connection the token "upgrade" (both
/// case-insensitive, in any of the fields' comma-separated lists), exactly one Sec-WebSocket-Key
/// that base64-decodes to 16 bytes, Sec-WebSocket-Version 13. Returns the first failure in that
/// order, except that the version is checked before the key (a client of another version gets
/// 426, which tells it what to speak). Thread-safe.
upgrade_check_t check_upgrade_request(http::method_t method, unsigned http_major,
                                      unsigned http_minor,
                                      const http::http_header_fields_t& fields) noexcept;

/// The head of the 101 response (status line, fields, blank line), ready to send:
/// Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Accept (if `accept` is not empty),
/// Sec-WebSocket-Protocol (if `protocol` is not empty), then `extra_fields` in order, except
/// those naming a field already written. Throws std::invalid_argument if a field name is not an
/// HTTP token or a value holds CR, LF or NUL (a programmer error: it would split the response).
std::string switching_protocols_head(std::string_view accept, std::string_view protocol = {},
                                     const http::http_header_fields_t& extra_fields = {});

/// A whole response rejecting a failed upgrade (Content-Length: 0, Connection: close): 400, or
/// for unsupported_version 426 with "Sec-WebSocket-Version: 13" and "Upgrade: websocket".
/// Precondition: result != ok.
std::string upgrade_rejection_response(upgrade_check_t result);

}  // namespace restws::websocket::protocol
