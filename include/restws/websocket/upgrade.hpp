#pragma once
// upgrade(): turns the HTTP connection of a request into a WebSocket (RESTinio's four overloads,
// plus variants taking ws_settings_t). Call it inside the request handler, on the handler's
// thread, then return request_accepted().
//
// restws checks the request first (GET, HTTP/1.1, Upgrade: websocket, Connection: upgrade, a
// 16-byte base64 Sec-WebSocket-Key, Sec-WebSocket-Version: 13), then its Origin against
// ws_settings_t::allowed_origins / require_origin, then negotiates a subprotocol
// (ws_settings_t::subprotocols, subprotocol_selector, require_subprotocol). On a bad request it
// answers it (400; 426 with Sec-WebSocket-Version: 13; 403 for a refused Origin; 400 for a
// malformed Sec-WebSocket-Protocol or, with require_subprotocol, none agreed), logs the
// Origin and subprotocol refusals as warnings, and throws upgrade_error_t; the connection then
// stays HTTP. Each answer carries a Date field. On success it writes `101 Switching Protocols`
// (with Sec-WebSocket-Protocol if one was agreed) and returns the handle.
//
// The overloads that take `sec_websocket_protocol` or `upgrade_fields` holding
// Sec-WebSocket-Protocol send the caller's value: the library then negotiates nothing and
// writes no second field; ws_t::subprotocol() reports the caller's value.

#include <stdexcept>
#include <string>
#include <utility>

#include "restws/http/header_fields.hpp"
#include "restws/server/request.hpp"
#include "restws/websocket/settings.hpp"
#include "restws/websocket/ws.hpp"

namespace restws::websocket::basic {

/// Thrown by upgrade() for a request that cannot be upgraded (already answered by upgrade()).
class upgrade_error_t : public std::invalid_argument {
 public:
  upgrade_error_t(int status, const std::string& what)
      : std::invalid_argument{what}, status_{status} {}
  /// The HTTP status upgrade() answered with: 400 (bad handshake, malformed or unagreed
  /// subprotocol), 403 (Origin refused) or 426 (version).
  int status() const noexcept { return status_; }

 private:
  int status_;
};

namespace detail {
/// What the 101 response carries beyond Upgrade and Connection.
struct upgrade_response_t {
  bool compute_accept = true;   ///< derive Sec-WebSocket-Accept from the request's key
  http_header_fields_t fields;  ///< sent as given (Sec-WebSocket-Accept among them if not computed)
};

ws_handle_t upgrade(request_t& req, activation_t activation, upgrade_response_t response,
                    message_handler_t handler, const ws_settings_t& settings);
}  // namespace detail

/// Computes Sec-WebSocket-Accept from the request's key.
template <typename Traits, typename Handler>
ws_handle_t upgrade(request_t& req, activation_t activation, Handler&& handler,
                    const ws_settings_t& settings = {}) {
  return detail::upgrade(req, activation, {}, message_handler_t{std::forward<Handler>(handler)},
                         settings);
}

/// Sends `sec_websocket_accept` as Sec-WebSocket-Accept.
template <typename Traits, typename Handler>
ws_handle_t upgrade(request_t& req, activation_t activation, std::string sec_websocket_accept,
                    Handler&& handler, const ws_settings_t& settings = {}) {
  detail::upgrade_response_t r{false, {}};
  r.fields.add_field("Sec-WebSocket-Accept", std::move(sec_websocket_accept));
  return detail::upgrade(req, activation, std::move(r),
                         message_handler_t{std::forward<Handler>(handler)}, settings);
}

/// Also sets Sec-WebSocket-Protocol.
template <typename Traits, typename Handler>
ws_handle_t upgrade(request_t& req, activation_t activation, std::string sec_websocket_accept,
                    std::string sec_websocket_protocol, Handler&& handler,
                    const ws_settings_t& settings = {}) {
  detail::upgrade_response_t r{false, {}};
  r.fields.add_field("Sec-WebSocket-Accept", std::move(sec_websocket_accept));
  r.fields.add_field("Sec-WebSocket-Protocol", std::move(sec_websocket_protocol));
  return detail::upgrade(req, activation, std::move(r),
                         message_handler_t{std::forward<Handler>(handler)}, settings);
}

/// Sends the given fields (which must include Sec-WebSocket-Accept) in the 101 response.
template <typename Traits, typename Handler>
ws_handle_t upgrade(request_t& req, activation_t activation, http_header_fields_t upgrade_fields,
                    Handler&& handler, const ws_settings_t& settings = {}) {
  detail::upgrade_response_t r{false, std::move(upgrade_fields)};
  return detail::upgrade(req, activation, std::move(r),
                         message_handler_t{std::forward<Handler>(handler)}, settings);
}

}  // namespace restws::websocket::basic
