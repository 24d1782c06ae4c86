#pragma once
// WebSocket frame opcodes (RFC 6455 §5.2) and the FIN flag, with the seed's (RESTinio's) names.

#include <cstdint>
#include <string_view>

namespace restws::websocket::protocol {

/// A frame's opcode. The numeric values are the wire values; `unknown_frame` stands for every
/// reserved opcode (3–7, 11–15), which the validator rejects with 1002.
enum class opcode_t : std::uint8_t {
  continuation_frame = 0x0,
  text_frame = 0x1,
  binary_frame = 0x2,
  connection_close_frame = 0x8,
  ping_frame = 0x9,
  pong_frame = 0xA,
  unknown_frame = 0xFF,
};

/// Whether a frame ends its message (the FIN bit).
enum class final_frame_flag_t : std::uint8_t { final_frame, not_final_frame };

/// Maps the 4 opcode bits of a frame's first byte to opcode_t (reserved values → unknown_frame).
constexpr opcode_t opcode_from_bits(std::uint8_t bits) noexcept {
  switch (bits & 0x0F) {
    case 0x0:
      return opcode_t::continuation_frame;
    case 0x1:
      return opcode_t::text_frame;
    case 0x2:
      return opcode_t::binary_frame;
    case 0x8:
      return opcode_t::connection_close_frame;
    case 0x9:
      return opcode_t::ping_frame;
    case 0xA:
      return opcode_t::pong_frame;
    default:
      return opcode_t::unknown_frame;
  }
}

/// Close, ping and pong: at most 125 payload bytes, never fragmented (RFC 6455 §5.5).
constexpr bool is_control_opcode(opcode_t op) noexcept {
  return op == opcode_t::connection_close_frame || op == opcode_t::ping_frame ||
         op == opcode_t::pong_frame;
}

/// Text, binary and continuation frames carry message data.
constexpr bool is_data_opcode(opcode_t op) noexcept {
  return op == opcode_t::continuation_frame || op == opcode_t::text_frame ||
         op == opcode_t::binary_frame;
}

/// Name for log lines ("text", "ping"...).
constexpr std::string_view to_string(opcode_t op) noexcept {
  switch (op) {
    case opcode_t::continuation_frame:
      return "continuation";
    case opcode_t::text_frame:
      return "text";
    case opcode_t::binary_frame:
      return "binary";
    case opcode_t::connection_close_frame:
      return "close";
    case opcode_t::ping_frame:
      return "ping";
    case opcode_t::pong_frame:
      return "pong";
    case opcode_t::unknown_frame:
      break;
  }
  return "unknown";
}

}  // namespace restws::websocket::protocol
