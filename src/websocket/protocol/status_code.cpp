#include "restws/websocket/protocol/status_code.hpp"

namespace restws::websocket::protocol {

std::string status_code_to_bin(status_code_t code) {
  const auto value = static_cast<std::uint16_t>(code);
  return std::string{static_cast<char>(value >> 8), static_cast<char>(value & 0xFF)};
}

status_code_t status_code_from_bin(std::string_view data) noexcept {
  if (data.size() < 2) return status_code_t::no_status_received;
  const auto hi = static_cast<unsigned char>(data[0]);
  const auto lo = static_cast<unsigned char>(data[1]);
  return static_cast<status_code_t>(static_cast<std::uint16_t>((hi << 8) | lo));
}

std::string_view describe(status_code_t code) noexcept {
  switch (code) {
    case status_code_t::normal_closure:
      return "normal closure";
    case status_code_t::going_away:
      return "going away";
    case status_code_t::protocol_error:
      return "protocol error";
    case status_code_t::unsupported_data:
      return "unsupported data";
    case status_code_t::no_status_received:
      return "no status received";
    case status_code_t::abnormal_closure:
      return "abnormal closure";
    case status_code_t::invalid_payload:
      return "invalid payload data";
    case status_code_t::policy_violation:
      return "policy violation";
    case status_code_t::message_too_big:
      return "message too big";
    case status_code_t::mandatory_extension:
      return "mandatory extension";
    case status_code_t::internal_error:
      return "internal error";
    case status_code_t::service_restart:
      return "service restart";
    case status_code_t::try_again_later:
      return "try again later";
    case status_code_t::bad_gateway:
      return "bad gateway";
    case status_code_t::tls_handshake:
      return "TLS handshake failure";
  }
  return "unknown";
}

}  // namespace restws::websocket::protocol
