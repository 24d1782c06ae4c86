#include "restws/websocket/protocol/utf8_validator.hpp"

#include <bit>
#include <cstring>

namespace restws::websocket::protocol {
namespace {

// Given the top bits (mask 0x80 per byte) of 8 bytes loaded with memcpy, the number of leading
// bytes in memory order that are ASCII.
inline std::size_t ascii_prefix_length(std::uint64_t high_bits) noexcept {
  if constexpr (std::endian::native == std::endian::little)
    return static_cast<std::size_t>(std::countr_zero(high_bits)) / 8;
  else
    return static_cast<std::size_t>(std::countl_zero(high_bits)) / 8;
}

}  // namespace

bool utf8_validator_t::feed(std::span<const std::byte> bytes) noexcept {
  if (failed_) return false;
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  // Locals instead of members so the compiler keeps the state in registers.
  std::uint8_t remaining = remaining_;
  std::uint8_t low = low_;
  std::uint8_t high = high_;

  while (i < n) {
    if (remaining == 0) {
      // ASCII fast path: skip 8 bytes at a time while none has its top bit set.
      while (i + 8 <= n) {
        std::uint64_t word;
        std::memcpy(&word, p + i, 8);
        const std::uint64_t high_bits = word & 0x8080808080808080ULL;
        if (high_bits != 0) {
          i += ascii_prefix_length(high_bits);  // jump to the first non-ASCII byte
          break;
        }
        i += 8;
      }
      if (i == n) break;
      const std::uint8_t c = p[i];
      if (c < 0x80) {
        ++i;
        continue;
      }
      // Lead byte: the ranges of Unicode Table 3-7. The second byte's range excludes overlongs
      // (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
      std::uint8_t length;
      std::uint8_t second_low = 0x80;
      std::uint8_t second_high = 0xBF;
      if (c < 0xC2) break;  // lone continuation byte, or overlong C0/C1
      if (c < 0xE0) {
        length = 2;
      } else if (c < 0xF0) {
        length = 3;
        if (c == 0xE0) second_low = 0xA0;
        if (c == 0xED) second_high = 0x9F;
      } else if (c < 0xF5) {
        length = 4;
        if (c == 0xF0) second_low = 0x90;
        if (c == 0xF4) second_high = 0x8F;
      } else {
        break;  // F5–FF never appear in UTF-8
      }
      if (n - i >= length) {
        // Common case: the whole sequence is here; check it without the carried state.
        const std::uint8_t c1 = p[i + 1];
        if (c1 < second_low || c1 > second_high) {
          i += 1;
          break;
        }
        if (length >= 3 && (p[i + 2] & 0xC0) != 0x80) {
          i += 2;
          break;
        }
        if (length == 4 && (p[i + 3] & 0xC0) != 0x80) {
          i += 3;
          break;
        }
        i += length;
        continue;
      }
      // The sequence continues in a later piece: carry its state.
      remaining = static_cast<std::uint8_t>(length - 1);
      low = second_low;
      high = second_high;
      ++i;
    } else {
      const std::uint8_t c = p[i];
      if (c < low || c > high) break;
      low = 0x80;
      high = 0xBF;
      --remaining;
      ++i;
    }
  }

  offset_ += i;
  remaining_ = remaining;
  low_ = low;
  high_ = high;
  if (i != n) failed_ = true;
  return !failed_;
}

bool utf8_validator_t::finish() noexcept {
  if (remaining_ != 0) failed_ = true;
  return !failed_;
}

bool is_valid_utf8(std::span<const std::byte> bytes) noexcept {
  utf8_validator_t v;
  return v.feed(bytes) && v.finish();
}

}  // namespace restws::websocket::protocol
