#include "restws/websocket/upgrade.hpp"

#include <string>

#include "restws/server/connection_handoff.hpp"
#include "restws/websocket/protocol/handshake.hpp"
#include "ws_connection.hpp"

namespace restws::websocket::basic::detail {

ws_handle_t upgrade(request_t& req, activation_t activation, upgrade_response_t response,
                    message_handler_t handler, const ws_settings_t& settings) {
  const auto& h = req.header();
  const auto check =
      protocol::check_upgrade_request(h.method(), h.http_major(), h.http_minor(), h.fields());
  if (check != protocol::upgrade_check_t::ok) {
    const int status = protocol::http_status(check);
    auto resp = req.create_response(http::status_line(status));
    resp.append_header_date_field();  // RFC 9110 §6.6.1
    if (check == protocol::upgrade_check_t::unsupported_version) {
      resp.append_header("Sec-WebSocket-Version", protocol::websocket_version);
    }
    resp.connection_close().set_body(std::string{protocol::describe(check)}).done();
    throw upgrade_error_t{status, "upgrade: " + std::string{protocol::describe(check)}};
  }

  std::string accept;
  if (response.compute_accept || !response.fields.has_field("Sec-WebSocket-Accept")) {
    accept = protocol::sec_websocket_accept(h.value_of("Sec-WebSocket-Key"));
  }
  // Build the head before taking the connection: a bad extra field throws while the request can
  // still be answered by the server (500).
  std::string head = protocol::switching_protocols_head(accept, {}, response.fields);

  connection_handoff_t handoff = take_connection(req);
  auto registration = std::move(handoff.registration);
  // Ours until we return (see ws_connection_t's lifetime).
  const connection_ref_t connection{
      new ws_connection_t(std::move(handoff), std::move(handler), settings)};
  ws_handle_t ws = connection->make_handle();
  connection->start(std::move(head), activation == activation_t::immediate,
                    std::move(registration));
  return ws;
}

}  // namespace restws::websocket::basic::detail
