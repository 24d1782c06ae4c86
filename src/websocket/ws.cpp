#include "restws/websocket/ws.hpp"

#include <stdexcept>

#include "ws_connection.hpp"

namespace restws::websocket::basic {

ws_t::ws_t(std::shared_ptr<detail::ws_connection_t> connection)
    : connection_{std::move(connection)},
      connection_id_{connection_->connection_id()},
      remote_endpoint_{connection_->remote_endpoint()} {}

ws_t::~ws_t() {
  try {
    connection_->shutdown_from_any_thread(status_code_t::normal_closure, {});
  } catch (...) {
    // Posting can only fail on memory exhaustion; the socket then closes with the connection.
  }
}

void ws_t::send_message(final_frame_flag_t final_flag, opcode_t opcode, std::string payload,
                        write_status_cb_t cb) {
  if (opcode == opcode_t::unknown_frame)
    throw std::invalid_argument{"send_message: unknown opcode"};
  if (protocol::is_control_opcode(opcode)) {
    if (payload.size() > protocol::max_control_payload_size)
      throw std::invalid_argument{"send_message: control frame payload over 125 bytes"};
    if (final_flag != final_frame_flag_t::final_frame)
      throw std::invalid_argument{"send_message: control frames cannot be fragmented"};
  }
  if (connection_->closed()) throw ws_closed_error_t{"send_message: the WebSocket is closed"};
  connection_->send_from_any_thread(final_flag, opcode, std::move(payload), std::move(cb));
}

void ws_t::send_message(const message_t& message, write_status_cb_t cb) {
  send_message(message.final_flag(), message.opcode(), message.payload(), std::move(cb));
}

void ws_t::shutdown() { shutdown(status_code_t::normal_closure); }

void ws_t::shutdown(status_code_t code, std::string reason) {
  connection_->shutdown_from_any_thread(code, std::move(reason));
}

void ws_t::kill() { connection_->kill_from_any_thread(); }

void ws_t::activate() {
  if (connection_->closed()) throw ws_closed_error_t{"activate: the WebSocket is closed"};
  connection_->activate_from_any_thread();
}

}  // namespace restws::websocket::basic
