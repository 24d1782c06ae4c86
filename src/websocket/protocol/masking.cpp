#include "restws/websocket/protocol/masking.hpp"

#include <bit>
#include <cstring>

namespace restws::websocket::protocol {

namespace {
// 32 bytes of the key pattern at a time: one AVX2 register, or two SSE2 ones (GCC lowers the
// type to what the target has).
using block_t = std::uint64_t __attribute__((vector_size(32)));
}  // namespace

// Built twice, for AVX2 and for the baseline; the loader picks one for the CPU at start.
__attribute__((target_clones("avx2", "default"))) void apply_mask(std::span<std::byte> data,
                                                                  const mask_key_t& key,
                                                                  std::uint64_t offset) noexcept {
  // The key rotated so that its first byte lines up with data[0], then laid out twice. Loading
  // it and the data with memcpy keeps the XOR independent of alignment; the rotation's direction
  // follows the byte order.
  std::uint32_t k;
  std::memcpy(&k, key.data(), 4);
  const auto shift = static_cast<int>(8 * (offset & 3));
  const std::uint32_t r =
      std::endian::native == std::endian::little ? std::rotr(k, shift) : std::rotl(k, shift);
  const std::uint64_t key_word = (std::uint64_t{r} << 32) | r;

  std::byte* p = data.data();
  const std::size_t n = data.size();
  std::size_t i = 0;
  const block_t key_block = {key_word, key_word, key_word, key_word};
  for (; i + 64 <= n; i += 64) {  // two blocks per step
    block_t a, b;
    std::memcpy(&a, p + i, 32);
    std::memcpy(&b, p + i + 32, 32);
    a ^= key_block;
    b ^= key_block;
    std::memcpy(p + i, &a, 32);
    std::memcpy(p + i + 32, &b, 32);
  }
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    w ^= key_word;
    std::memcpy(p + i, &w, 8);
  }
  if (i + 4 <= n) {  // i is a multiple of 4 from here: the pattern starts over
    std::uint32_t w;
    std::memcpy(&w, p + i, 4);
    w ^= r;
    std::memcpy(p + i, &w, 4);
    i += 4;
  }
  std::byte pattern[4];
  std::memcpy(pattern, &r, 4);
  for (std::size_t j = 0; i < n; ++i, ++j) p[i] ^= pattern[j];
}

}  // namespace restws::websocket::protocol
