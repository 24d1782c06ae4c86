#include "restws/websocket/ws.hpp"

#include <stdexcept>

#include "ws_connection.hpp"

namespace restws::websocket::basic {

detail::ws_connection_t& ws_t::connection() noexcept {
  return static_cast<detail::ws_connection_t&>(*this);
}

const detail::ws_connection_t& ws_t::connection() const noexcept {
  return static_cast<const detail::ws_connection_t&>(*this);
}

// These are fixed when the connection is made, so reading them from any thread is safe.
std::uint64_t ws_t::connection_id() const noexcept { return connection().connection_id(); }

const asio::ip::tcp::endpoint& ws_t::remote_endpoint() const noexcept {
  return connection().remote_endpoint();
}

std::string_view ws_t::subprotocol() const noexcept { return connection().subprotocol(); }

namespace {
void check_frame(final_frame_flag_t final_flag, opcode_t opcode, std::size_t payload_size) {
  if (opcode == opcode_t::unknown_frame)
    throw std::invalid_argument{"send_message: unknown opcode"};
  if (protocol::is_control_opcode(opcode)) {
    if (payload_size > protocol::max_control_payload_size)
      throw std::invalid_argument{"send_message: control frame payload over 125 bytes"};
    if (final_flag != final_frame_flag_t::final_frame)
      throw std::invalid_argument{"send_message: control frames cannot be fragmented"};
  }
}
}  // namespace

send_status_t ws_t::send_message(final_frame_flag_t final_flag, opcode_t opcode,
                                 std::string payload, write_status_cb_t cb) {
  check_frame(final_flag, opcode, payload.size());
  if (connection().closed()) throw ws_closed_error_t{"send_message: the WebSocket is closed"};
  return connection().send_from_any_thread(
      final_flag, opcode, message_t::make_payload(std::move(payload)), std::move(cb));
}

send_status_t ws_t::send_message(const message_t& message, write_status_cb_t cb) {
  check_frame(message.final_flag(), message.opcode(), message.payload().size());
  if (connection().closed()) throw ws_closed_error_t{"send_message: the WebSocket is closed"};
  return connection().send_from_any_thread(message.final_flag(), message.opcode(),
                                           message.shared_payload(), std::move(cb),
                                           message.compression());
}

send_status_t ws_t::try_send_message(final_frame_flag_t final_flag, opcode_t opcode,
                                     std::string payload, write_status_cb_t cb) {
  check_frame(final_flag, opcode, payload.size());
  if (connection().closed()) return send_status_t::closed;
  return connection().send_from_any_thread(
      final_flag, opcode, message_t::make_payload(std::move(payload)), std::move(cb));
}

send_status_t ws_t::try_send_message(const message_t& message, write_status_cb_t cb) {
  check_frame(message.final_flag(), message.opcode(), message.payload().size());
  if (connection().closed()) return send_status_t::closed;
  return connection().send_from_any_thread(message.final_flag(), message.opcode(),
                                           message.shared_payload(), std::move(cb),
                                           message.compression());
}

std::size_t ws_t::buffered_amount() const noexcept { return connection().buffered_amount(); }

void ws_t::set_drain_handler(drain_handler_t handler) {
  connection().set_drain_handler_from_any_thread(std::move(handler));
}

void ws_t::shutdown() { shutdown(status_code_t::normal_closure); }

void ws_t::shutdown(status_code_t code, std::string reason) {
  connection().shutdown_from_any_thread(code, std::move(reason));
}

void ws_t::kill() { connection().kill_from_any_thread(); }

void ws_t::pause_reading() { connection().pause_reading_from_any_thread(); }

void ws_t::resume_reading() { connection().resume_reading_from_any_thread(); }

void ws_t::activate() {
  if (connection().closed()) throw ws_closed_error_t{"activate: the WebSocket is closed"};
  connection().activate_from_any_thread();
}

}  // namespace restws::websocket::basic
