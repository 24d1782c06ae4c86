#pragma once
// SHA-1 (FIPS 180-4 §6.1) for the opening handshake's Sec-WebSocket-Accept value (RFC 6455
// §4.2.2). SHA-1 is no longer collision resistant; the handshake uses it only to prove that the
// server read the key, which it still does. Do not use it for anything secret.
//
// Our own code rather than OpenSSL's: OpenSSL 3 sets up its provider machinery on the first
// digest (about 2 MiB of resident memory in a server that never speaks TLS) and allocates a
// context per call; this is a few hundred bytes of stack and no allocation.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace restws::websocket::protocol {

inline constexpr std::size_t sha1_digest_size = 20;
using sha1_digest_t = std::array<std::byte, sha1_digest_size>;

/// Incremental SHA-1: update() any number of times, then finish() once. Not thread-safe (one
/// object per hash); no allocation.
class sha1_t {
 public:
  sha1_t() noexcept = default;

  void update(std::span<const std::byte> data) noexcept;
  void update(std::string_view text) noexcept { update(std::as_bytes(std::span{text})); }
  /// The digest of everything given to update(). The object must not be used afterwards.
  sha1_digest_t finish() noexcept;

 private:
  void compress(const std::byte* block) noexcept;

  std::array<std::uint32_t, 5> state_{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u,
                                      0xC3D2E1F0u};
  std::array<std::byte, 64> block_{};
  std::size_t block_used_ = 0;
  std::uint64_t length_ = 0;  ///< bytes hashed so far
};

/// SHA-1 of `data` in one call. Thread-safe (pure).
sha1_digest_t sha1(std::span<const std::byte> data) noexcept;

}  // namespace restws::websocket::protocol
