#pragma once
// The client side of the WebSocket opening handshake (RFC 6455 §4.1), sans-IO: write the upgrade
// request, check the server's response (status 101, Upgrade, Connection, Sec-WebSocket-Accept,
// and that it agreed only to what was offered).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "restws/http/header_fields.hpp"
#include "restws/http/response_head_parser.hpp"
#include "restws/websocket/protocol/permessage_deflate.hpp"

namespace restws::websocket::protocol {

/// What a client asks for.
struct client_request_t {
  std::string host_header;  ///< Host (ws_url_t::host_header)
  std::string target;       ///< request target, e.g. "/chat?room=1"
  std::string key;          ///< Sec-WebSocket-Key: make_websocket_key() of 16 random bytes
  std::vector<std::string> subprotocols;    ///< offered, in order of preference (tokens)
  std::optional<deflate_offer_t> deflate;   ///< permessage-deflate offered
  http::http_header_fields_t extra_fields;  ///< e.g. Origin, Authorization, Cookie
};

/// base64 of the 16 random bytes, the Sec-WebSocket-Key value (RFC 6455 §4.1: the bytes must be
/// chosen randomly for each connection; the caller draws them from a CSPRNG).
std::string make_websocket_key(const std::array<std::byte, 16>& random);

/// The request head (request line, fields, blank line), ready to send. Throws
/// std::invalid_argument for a field name that is not a token, a value with CR, LF or NUL, an
/// extra field the handshake writes itself (Host, Upgrade, Connection, Sec-WebSocket-*), a
/// subprotocol that is not a token, or a target with a space or control byte: programmer errors
/// that would split or falsify the request.
std::string client_request_head(const client_request_t& request);

/// Why a server's response fails the connection (RFC 6455 §4.1, the client's checks).
enum class handshake_error_t : std::uint8_t {
  none,
  not_101,                  ///< the status is not 101 (a redirect, 4xx, ...)
  missing_upgrade,          ///< no Upgrade: websocket
  missing_connection,       ///< no "upgrade" token in Connection
  bad_accept,               ///< Sec-WebSocket-Accept missing or not the key's
  unrequested_subprotocol,  ///< a subprotocol not offered (or one when none was, or several)
  unrequested_extension,    ///< an extension not offered
  bad_extension,            ///< permessage-deflate with parameters the offer did not allow
};

/// Short English description for error messages.
std::string_view describe(handshake_error_t e) noexcept;

/// What the server agreed to, when the handshake succeeded.
struct handshake_result_t {
  handshake_error_t error = handshake_error_t::none;
  std::string subprotocol;  ///< empty: none
  std::optional<deflate_agreement_t> deflate;
};

/// Checks a parsed response head against the request it answers.
handshake_result_t check_handshake_response(const http::response_head_t& response,
                                            const client_request_t& request);

}  // namespace restws::websocket::protocol
