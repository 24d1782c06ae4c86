#pragma once
// The checks upgrade() makes before it takes the connection, each answering a request that fails
// it: the handshake itself (400, 426), the Origin (403), the subprotocol (400). They call the
// sans-IO cores in websocket/protocol/ and add the answer, the log line and the exception.
// Private to the library; on the request handler's thread.

#include <optional>
#include <string>

#include "restws/server/request.hpp"
#include "restws/websocket/protocol/permessage_deflate.hpp"
#include "restws/websocket/settings.hpp"
#include "restws/websocket/upgrade.hpp"

namespace restws::websocket::basic::detail {

/// Checks that `req` is a WebSocket upgrade (protocol::check_upgrade_request()). On failure
/// answers 400 or 426 and throws upgrade_error_t.
void check_handshake(request_t& req);

/// Checks the request's Origin against ws_settings_t::allowed_origins and require_origin
/// (protocol::check_origin()). On failure answers 403, logs a warning naming the origin and the
/// setting, and throws upgrade_error_t. Throws std::invalid_argument, answering nothing, if an
/// entry of allowed_origins is not an origin nor a wildcard (the server answers 500).
void check_origin(request_t& req, const ws_settings_t& settings);

/// The subprotocol the 101 names: the caller's own Sec-WebSocket-Protocol in `response` if it
/// has one (RESTinio's overloads; nothing is negotiated then), else the one
/// protocol::negotiate_subprotocol() chose with ws_settings_t's subprotocols, selector and
/// require_subprotocol; empty for none. A malformed offer, or none agreed under
/// require_subprotocol, is answered 400, logged (warn) and throws upgrade_error_t. A selector
/// that picks a name the client did not offer makes it throw std::logic_error (answered 500).
std::string choose_subprotocol(request_t& req, const upgrade_response_t& response,
                               const ws_settings_t& settings);

/// permessage-deflate: the agreement with the client's first offer ws_settings_t::deflate can
/// honour, or std::nullopt (off, nothing offered, or nothing acceptable: no extension, never a
/// refusal). A response that already names Sec-WebSocket-Extensions (the caller's own) is left
/// alone: nothing is negotiated. Offers declined for a bad parameter or bad syntax are logged
/// (info), since the client still gets its WebSocket.
std::optional<protocol::deflate_agreement_t> negotiate_compression(
    request_t& req, const upgrade_response_t& response, const ws_settings_t& settings);

/// ws_settings_t::deflate as the sans-IO negotiation's config.
protocol::deflate_config_t deflate_config(const ws_settings_t& settings) noexcept;

}  // namespace restws::websocket::basic::detail
