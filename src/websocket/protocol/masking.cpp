#include "restws/websocket/protocol/masking.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace restws::websocket::protocol {

namespace {
// 64 bytes of the key pattern at a time: one AVX-512 register, two AVX2 or four SSE2 ones (GCC
// lowers the type to what the target has).
using block_t = std::uint64_t __attribute__((vector_size(64)));

// The key rotated so that its first byte lines up with the payload byte at `offset`, as a 4-byte
// word (loaded with memcpy: independent of alignment; the rotation's direction follows the byte
// order).
inline std::uint32_t rotated_key(const mask_key_t& key, std::uint64_t offset) noexcept {
  std::uint32_t k;
  std::memcpy(&k, key.data(), 4);
  const auto shift = static_cast<int>(8 * (offset & 3));
  return std::endian::native == std::endian::little ? std::rotr(k, shift) : std::rotl(k, shift);
}

// dst = src ^ key pattern; dst and src may be the same bytes (in place) or disjoint. Inlined
// into both entry points below so that each is vectorised for its own target.
__attribute__((always_inline)) inline void mask_bytes(std::byte* dst, const std::byte* src,
                                                      std::size_t n, std::uint32_t r) noexcept {
  const std::uint64_t key_word = (std::uint64_t{r} << 32) | r;
  const block_t key_block = {key_word, key_word, key_word, key_word,
                             key_word, key_word, key_word, key_word};
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    block_t a;
    std::memcpy(&a, src + i, 64);
    a ^= key_block;
    std::memcpy(dst + i, &a, 64);
  }
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, src + i, 8);
    w ^= key_word;
    std::memcpy(dst + i, &w, 8);
  }
  if (i + 4 <= n) {  // i is a multiple of 4 from here: the pattern starts over
    std::uint32_t w;
    std::memcpy(&w, src + i, 4);
    w ^= r;
    std::memcpy(dst + i, &w, 4);
    i += 4;
  }
  std::byte pattern[4];
  std::memcpy(pattern, &r, 4);
  for (std::size_t j = 0; i < n; ++i, ++j) dst[i] = src[i] ^ pattern[j];
}
}  // namespace

// Each built three times, for AVX-512, AVX2 and the baseline; the loader picks one for the CPU
// at start. Not under ThreadSanitizer: the loader runs the picking function (instrumented)
// before the sanitizer's runtime is up, and the program crashes at start.
#if defined(__SANITIZE_THREAD__)
#define RESTWS_MASK_CLONES
#else
#define RESTWS_MASK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
RESTWS_MASK_CLONES void apply_mask(std::span<std::byte> data, const mask_key_t& key,
                                   std::uint64_t offset) noexcept {
  mask_bytes(data.data(), data.data(), data.size(), rotated_key(key, offset));
}

RESTWS_MASK_CLONES void copy_masked(std::span<std::byte> dst, std::span<const std::byte> src,
                                    const mask_key_t& key, std::uint64_t offset) noexcept {
  mask_bytes(dst.data(), src.data(), std::min(dst.size(), src.size()), rotated_key(key, offset));
}

}  // namespace restws::websocket::protocol
