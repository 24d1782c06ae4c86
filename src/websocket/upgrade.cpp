#include "restws/websocket/upgrade.hpp"

#include <string>

#include "restws/server/connection_handoff.hpp"
#include "restws/websocket/protocol/handshake.hpp"
#include "upgrade_checks.hpp"
#include "ws_connection.hpp"

namespace restws::websocket::basic::detail {

ws_handle_t upgrade(request_t& req, activation_t activation, upgrade_response_t response,
                    message_handler_t handler, const ws_settings_t& settings) {
  check_handshake(req);
  check_origin(req, settings);
  const std::string subprotocol = choose_subprotocol(req, response, settings);
  const auto& h = req.header();

  std::string accept;
  if (response.compute_accept || !response.fields.has_field("Sec-WebSocket-Accept")) {
    accept = protocol::sec_websocket_accept(h.value_of("Sec-WebSocket-Key"));
  }
  // Build the head before taking the connection: a bad extra field throws while the request can
  // still be answered by the server (500).
  // The caller's own Sec-WebSocket-Protocol is among response.fields: not written twice.
  const bool own_protocol = response.fields.has_field("Sec-WebSocket-Protocol");
  // permessage-deflate (ws_settings_t::deflate): the agreed parameters go in the 101.
  const auto deflate = negotiate_compression(req, response, settings);
  if (deflate)
    response.fields.add_field("Sec-WebSocket-Extensions",
                              protocol::deflate_response_value(*deflate));
  std::string head = protocol::switching_protocols_head(
      accept, own_protocol ? std::string_view{} : std::string_view{subprotocol}, response.fields);

  connection_handoff_t handoff = take_connection(req);
  auto registration = std::move(handoff.registration);
  // Ours until we return (see ws_connection_t's lifetime).
  const connection_ref_t connection{
      new ws_connection_t(std::move(handoff), std::move(handler), settings, subprotocol, deflate)};
  ws_handle_t ws = connection->make_handle();
  connection->start(std::move(head), activation == activation_t::immediate,
                    std::move(registration));
  return ws;
}

}  // namespace restws::websocket::basic::detail
