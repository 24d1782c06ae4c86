#include "restws/websocket/protocol/masking.hpp"

#include <cstring>

namespace restws::websocket::protocol {

void apply_mask(std::span<std::byte> data, const mask_key_t& key, std::uint64_t offset) noexcept {
  // The key laid out twice, starting at the byte that lines up with data[0]. Loading it and the
  // data with memcpy keeps the XOR independent of endianness and alignment.
  std::byte pattern[8];
  for (std::size_t i = 0; i < 8; ++i) pattern[i] = key[(offset + i) & 3];
  std::uint64_t key_word;
  std::memcpy(&key_word, pattern, 8);

  std::byte* p = data.data();
  const std::size_t n = data.size();
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {  // 4 words per step: lets the compiler keep them in registers
    std::uint64_t w[4];
    std::memcpy(w, p + i, 32);
    w[0] ^= key_word;
    w[1] ^= key_word;
    w[2] ^= key_word;
    w[3] ^= key_word;
    std::memcpy(p + i, w, 32);
  }
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    w ^= key_word;
    std::memcpy(p + i, &w, 8);
  }
  for (; i < n; ++i) p[i] ^= pattern[i & 7];
}

}  // namespace restws::websocket::protocol
