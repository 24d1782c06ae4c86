// libFuzzer target: utf8_validator_t fed in random pieces must agree with its one-shot use and
// with a slow reference decoder, on the verdict and on the fail-fast offset.
//
// The reference works from code-point arithmetic, not from the byte-range table the validator
// uses: a prefix of a sequence is viable if the code points its completions can encode (a
// contiguous range) meet the valid range for that sequence length.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "restws/websocket/protocol/utf8_validator.hpp"

namespace {

using restws::websocket::protocol::is_valid_utf8;
using restws::websocket::protocol::utf8_validator_t;

constexpr std::size_t valid = static_cast<std::size_t>(-1);

bool range_meets_valid_set(int length, std::uint32_t lo, std::uint32_t hi) {
  auto meets = [&](std::uint32_t a, std::uint32_t b) { return lo <= b && hi >= a; };
  switch (length) {
    case 2:
      return meets(0x80, 0x7FF);
    case 3:
      return meets(0x800, 0xD7FF) || meets(0xE000, 0xFFFF);
    case 4:
      return meets(0x10000, 0x10FFFF);
  }
  return false;
}

// Offset of the first byte that makes `p` impossible as UTF-8, `n` if it only ends too early,
// `valid` if it is valid.
std::size_t reference(const std::uint8_t* p, std::size_t n) {
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    const int length = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (length == 0) return i;
    std::uint32_t bits = c & (0x7F >> length);
    for (int k = 0;; ++k) {  // k continuation bytes consumed so far
      const int free_bits = 6 * (length - 1 - k);
      const std::uint32_t lo = bits << free_bits;
      const std::uint32_t hi = lo | ((1u << free_bits) - 1);
      if (!range_meets_valid_set(length, lo, hi)) return i + static_cast<std::size_t>(k);
      if (k == length - 1) break;
      const std::size_t next = i + static_cast<std::size_t>(k) + 1;
      if (next >= n) return n;
      if ((p[next] & 0xC0) != 0x80) return next;
      bits = (bits << 6) | (p[next] & 0x3F);
    }
    i += static_cast<std::size_t>(length);
  }
  return valid;
}

std::size_t one_shot(std::span<const std::byte> text) {
  utf8_validator_t v;
  const bool ok = v.feed(text) && v.finish();
  return ok ? valid : static_cast<std::size_t>(v.error_offset());
}

std::size_t in_pieces(std::span<const std::byte> text, std::uint32_t seed) {
  utf8_validator_t v;
  std::size_t pos = 0;
  bool ok = true;
  while (pos < text.size()) {
    seed = seed * 1664525u + 1013904223u;
    const std::size_t len = std::min<std::size_t>(text.size() - pos, (seed >> 24) % 20);
    const bool piece_ok = v.feed(text.subspan(pos, len));
    // A piece that fails must contain the failing byte; one that passes must not.
    if (!piece_ok && ok && !(v.error_offset() >= pos && v.error_offset() < pos + len)) std::abort();
    ok = ok && piece_ok;
    pos += len;
  }
  ok = v.finish() && ok;
  return ok ? valid : static_cast<std::size_t>(v.error_offset());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> text{reinterpret_cast<const std::byte*>(data), size};
  const std::size_t expected = reference(data, size);
  if (one_shot(text) != expected) std::abort();
  if (is_valid_utf8(text) != (expected == valid)) std::abort();
  std::uint32_t seed = 0;
  for (std::size_t i = 0; i < size && i < 4; ++i) seed = (seed << 8) | data[i];
  if (in_pieces(text, seed) != expected) std::abort();
  if (in_pieces(text, seed ^ 0x5A5A5A5Au) != expected) std::abort();
  return 0;
}
