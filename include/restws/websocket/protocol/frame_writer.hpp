#pragma once
// Serialising whole frames into a caller buffer: server frames (unmasked) and client frames
// (masked with the caller's key; used by tests, fuzzers and a future client).
// For gather writes (header from a small array, payload from the message) use
// write_frame_header() directly instead.

#include <cstddef>
#include <cstdint>
#include <span>

#include "restws/websocket/protocol/frame_header.hpp"
#include "restws/websocket/protocol/opcode.hpp"

namespace restws::websocket::protocol {

/// Bytes a whole frame takes on the wire: header plus payload.
constexpr std::size_t frame_size(std::size_t payload_length, bool masked) noexcept {
  return frame_header_size(payload_length, masked) + payload_length;
}

/// Writes an unmasked frame (as a server sends) to the start of `out`. Returns the bytes written,
/// frame_size(payload.size(), false), or 0 (nothing written) if `out` is too small.
/// No check of the frame's validity is made (tests use this to build bad frames).
std::size_t write_server_frame(std::span<std::byte> out, final_frame_flag_t fin, opcode_t opcode,
                               std::span<const std::byte> payload) noexcept;

/// Writes a frame masked with `key` (as a client sends) to the start of `out`. Returns the bytes
/// written, frame_size(payload.size(), true), or 0 (nothing written) if `out` is too small.
std::size_t write_client_frame(std::span<std::byte> out, final_frame_flag_t fin, opcode_t opcode,
                               std::span<const std::byte> payload, const mask_key_t& key) noexcept;

}  // namespace restws::websocket::protocol
