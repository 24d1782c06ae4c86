#include "restws/websocket/protocol/sha1.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace restws::websocket::protocol {
namespace {

std::uint32_t load_be32(const std::byte* p) noexcept {
  return (std::to_integer<std::uint32_t>(p[0]) << 24) |
         (std::to_integer<std::uint32_t>(p[1]) << 16) |
         (std::to_integer<std::uint32_t>(p[2]) << 8) | std::to_integer<std::uint32_t>(p[3]);
}

void store_be32(std::uint32_t v, std::byte* p) noexcept {
  p[0] = static_cast<std::byte>(v >> 24);
  p[1] = static_cast<std::byte>(v >> 16);
  p[2] = static_cast<std::byte>(v >> 8);
  p[3] = static_cast<std::byte>(v);
}

}  // namespace

void sha1_t::compress(const std::byte* block) noexcept {
  // The message schedule (§6.1.2 step 1) as a 16-word ring: w[t] for t ≥ 16 overwrites w[t-16].
  std::array<std::uint32_t, 16> w;
  for (std::size_t t = 0; t < 16; ++t) w[t] = load_be32(block + 4 * t);
  std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4];
  for (std::size_t t = 0; t < 80; ++t) {
    if (t >= 16) {
      const std::uint32_t x = w[(t + 13) % 16] ^ w[(t + 8) % 16] ^ w[(t + 2) % 16] ^ w[t % 16];
      w[t % 16] = std::rotl(x, 1);
    }
    std::uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d);  // Ch
      k = 0x5A827999u;
    } else if (t < 40) {
      f = b ^ c ^ d;  // Parity
      k = 0x6ED9EBA1u;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);  // Maj
      k = 0x8F1BBCDCu;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6u;
    }
    const std::uint32_t temp = std::rotl(a, 5) + f + e + k + w[t % 16];
    e = d;
    d = c;
    c = std::rotl(b, 30);
    b = a;
    a = temp;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
}

void sha1_t::update(std::span<const std::byte> data) noexcept {
  length_ += data.size();
  if (block_used_ != 0) {
    const std::size_t take = std::min(data.size(), block_.size() - block_used_);
    std::memcpy(block_.data() + block_used_, data.data(), take);
    block_used_ += take;
    data = data.subspan(take);
    if (block_used_ < block_.size()) return;
    compress(block_.data());
    block_used_ = 0;
  }
  while (data.size() >= block_.size()) {
    compress(data.data());
    data = data.subspan(block_.size());
  }
  if (!data.empty()) {
    std::memcpy(block_.data(), data.data(), data.size());
    block_used_ = data.size();
  }
}

sha1_digest_t sha1_t::finish() noexcept {
  // Padding (§5.1.1): 0x80, zeros up to 56 mod 64, then the length in bits, big-endian.
  const std::uint64_t bits = length_ * 8;
  block_[block_used_++] = std::byte{0x80};
  if (block_used_ > 56) {
    std::memset(block_.data() + block_used_, 0, block_.size() - block_used_);
    compress(block_.data());
    block_used_ = 0;
  }
  std::memset(block_.data() + block_used_, 0, 56 - block_used_);
  store_be32(static_cast<std::uint32_t>(bits >> 32), block_.data() + 56);
  store_be32(static_cast<std::uint32_t>(bits), block_.data() + 60);
  compress(block_.data());
  sha1_digest_t digest;
  for (std::size_t i = 0; i < state_.size(); ++i) store_be32(state_[i], digest.data() + 4 * i);
  return digest;
}

sha1_digest_t sha1(std::span<const std::byte> data) noexcept {
  sha1_t h;
  h.update(data);
  return h.finish();
}

}  // namespace restws::websocket::protocol
