#pragma once
// WebSocket close status codes (RFC 6455 §7.4, IANA registry) and the 2-byte close-payload form.
// RESTinio spells the helpers status_code_to_bin / status_code_from_bin in
// restws::websocket::basic; these are the protocol-layer definitions the API layer aliases.

#include <cstdint>
#include <string>
#include <string_view>

namespace restws::websocket::protocol {

/// A close code. Named values are 1000–1015; any other 16-bit value may be held (e.g. 3000–4999
/// application codes), so always check is_valid_on_wire() before trusting a peer's code.
enum class status_code_t : std::uint16_t {
  normal_closure = 1000,
  going_away = 1001,
  protocol_error = 1002,
  unsupported_data = 1003,
  no_status_received = 1005,  ///< never on the wire: "the close frame had no code"
  abnormal_closure = 1006,    ///< never on the wire: "the connection dropped without a close"
  invalid_payload = 1007,     ///< e.g. invalid UTF-8 in a text message
  policy_violation = 1008,
  message_too_big = 1009,
  mandatory_extension = 1010,
  internal_error = 1011,
  service_restart = 1012,
  try_again_later = 1013,
  bad_gateway = 1014,
  tls_handshake = 1015,  ///< never on the wire
};

/// True if an endpoint may send `code` in a close frame: 1000–1003, 1007–1014, 3000–4999.
/// 1004–1006, 1015 and the unassigned 1016–2999 are rejected, as is anything < 1000 or ≥ 5000.
constexpr bool is_valid_on_wire(std::uint16_t code) noexcept {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}
constexpr bool is_valid_on_wire(status_code_t code) noexcept {
  return is_valid_on_wire(static_cast<std::uint16_t>(code));
}

/// The code as 2 big-endian bytes: the start of a close frame's payload.
std::string status_code_to_bin(status_code_t code);

/// Reads the code from the first 2 bytes of a close payload (big-endian); no_status_received if
/// `data` is shorter than 2 bytes. The value is not checked: see is_valid_on_wire().
status_code_t status_code_from_bin(std::string_view data) noexcept;

/// Short English name for log lines ("normal closure"...); "unknown" for unnamed codes.
std::string_view describe(status_code_t code) noexcept;

}  // namespace restws::websocket::protocol
