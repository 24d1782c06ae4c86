#pragma once
// The WebSocket frame header (RFC 6455 §5.2): parsing from received bytes and writing for sending.
//
//  0               1               2               3
//  |F|R|R|R| opcode|M| len (7)     | extended length (16 or 64 bits, big-endian) ... |
//  |I|S|S|S|  (4)  |A|             |                                                 |
//  |N|V|V|V|       |S|             | masking key (4 bytes, only if MASK)             |
//
// Pure functions on byte spans; no state, no allocation. Semantic checks (reserved bits, opcode,
// masking, control-frame rules, limits) belong to frame_validator_t, not to the parser.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "restws/websocket/protocol/opcode.hpp"

namespace restws::websocket::protocol {

/// The 4 masking-key bytes in wire order.
using mask_key_t = std::array<std::byte, 4>;

/// Longest possible header: 2 + 8 (64-bit length) + 4 (mask key).
inline constexpr std::size_t max_frame_header_size = 14;
/// Largest payload a control frame (close, ping, pong) may carry.
inline constexpr std::size_t max_control_payload_size = 125;

struct frame_header_t {
  bool fin = true;
  bool rsv1 = false;  ///< "per-message compressed" once permessage-deflate is negotiated
  bool rsv2 = false;
  bool rsv3 = false;
  opcode_t opcode = opcode_t::text_frame;
  bool masked = false;
  mask_key_t mask_key{};  ///< meaningful only if `masked`
  std::uint64_t payload_length = 0;

  final_frame_flag_t final_flag() const noexcept {
    return fin ? final_frame_flag_t::final_frame : final_frame_flag_t::not_final_frame;
  }
};

enum class header_parse_status_t : std::uint8_t {
  complete,    ///< `header` and `header_size` are set
  need_more,   ///< `bytes` holds only part of a header; `header_size` = bytes needed to go on
  bad_length,  ///< 64-bit length with its most significant bit set: fail with 1002
};

struct header_parse_result_t {
  header_parse_status_t status = header_parse_status_t::need_more;
  frame_header_t header{};
  /// complete: the header's length on the wire (2–14). need_more: the total header length
  /// known so far to be needed (2 before the second byte arrived, then the exact length).
  std::size_t header_size = 2;
};

/// Parses the header at the start of `bytes` (which may hold the payload and more frames after
/// it). Any length encoding is accepted, including non-minimal ones (RFC 6455 does not forbid
/// them); only a 64-bit length with the top bit set is rejected. Never reads past `bytes`.
/// Thread-safe (pure).
header_parse_result_t parse_frame_header(std::span<const std::byte> bytes) noexcept;

/// Length of the header write_frame_header() produces for these values (2–14): the minimal
/// length encoding, plus 4 if masked.
constexpr std::size_t frame_header_size(std::uint64_t payload_length, bool masked) noexcept {
  const std::size_t base = payload_length < 126 ? 2 : payload_length <= 0xFFFF ? 4 : 10;
  return base + (masked ? 4 : 0);
}

/// Writes `header` (minimal length encoding; the mask key if `header.masked`) to `out` and
/// returns its length, frame_header_size(header.payload_length, header.masked). The payload
/// (masked by the caller if needed, see apply_mask()) follows it on the wire. Precondition:
/// payload_length < 2^63. Thread-safe (pure).
std::size_t write_frame_header(std::span<std::byte, max_frame_header_size> out,
                               const frame_header_t& header) noexcept;

}  // namespace restws::websocket::protocol
