#include "restws/websocket/protocol/utf8_validator.hpp"

#include <cstring>

namespace restws::websocket::protocol {

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
        if (word & 0x8080808080808080ULL) break;
        i += 8;
      }
      if (i == n) break;
      const std::uint8_t c = p[i];
      if (c < 0x80) {
        ++i;
        continue;
      }
      // Lead byte: the ranges of Unicode Table 3-7. The next byte's range excludes overlongs
      // (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
      if (c < 0xC2) break;  // lone continuation byte, or overlong C0/C1
      if (c < 0xE0) {
        remaining = 1;
      } else if (c < 0xF0) {
        remaining = 2;
        low = c == 0xE0 ? 0xA0 : 0x80;
        high = c == 0xED ? 0x9F : 0xBF;
      } else if (c < 0xF5) {
        remaining = 3;
        low = c == 0xF0 ? 0x90 : 0x80;
        high = c == 0xF4 ? 0x8F : 0xBF;
      } else {
        break;  // F5–FF never appear in UTF-8
      }
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
