#pragma once
// Masking keys for the frames a client sends (RFC 6455 §5.3: each frame's key chosen freshly
// and unpredictably, from "a strong source of entropy"). Drawn from OpenSSL's CSPRNG, a block
// at a time per thread, so a frame costs four bytes of a buffer, not a call into OpenSSL.

#include <array>
#include <cstddef>

#include "restws/websocket/protocol/frame_header.hpp"

namespace restws::websocket::basic::detail {

/// A fresh key. Throws std::runtime_error if the CSPRNG fails (it does not once seeded).
protocol::mask_key_t next_mask_key();

/// `n` (≤ 64) fresh random bytes into `out`, as next_mask_key() (a handshake's key).
void random_bytes(std::byte* out, std::size_t n);

}  // namespace restws::websocket::basic::detail
