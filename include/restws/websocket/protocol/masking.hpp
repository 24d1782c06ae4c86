#pragma once
// Payload masking (RFC 6455 §5.3): XOR with the 4-byte key, repeated. Masking and unmasking are
// the same operation. Hot path: 64 bytes per step (AVX-512, AVX2 or SSE2, chosen at load time).

#include <cstddef>
#include <cstdint>
#include <span>

#include "restws/websocket/protocol/frame_header.hpp"

namespace restws::websocket::protocol {

/// XORs `data` in place with `key`, where data[0] is the payload byte at position `offset` of
/// its frame (so the key is rotated by offset % 4). This lets a payload be (un)masked in pieces as
/// it arrives: apply_mask(p[0..n), k, 0) then apply_mask(p[n..m), k, n) equals
/// apply_mask(p[0..m), k, 0). Thread-safe for disjoint data.
void apply_mask(std::span<std::byte> data, const mask_key_t& key,
                std::uint64_t offset = 0) noexcept;

/// Writes `src` XORed with `key` to `dst` (dst.size() == src.size(); the two must not overlap),
/// src[0] being the payload byte at position `offset`: apply_mask() and a copy in one pass, as
/// when a frame's payload is unmasked straight from the read buffer into its message.
void copy_masked(std::span<std::byte> dst, std::span<const std::byte> src, const mask_key_t& key,
                 std::uint64_t offset = 0) noexcept;

}  // namespace restws::websocket::protocol
