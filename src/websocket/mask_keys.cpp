#include "mask_keys.hpp"

#include <cstring>
#include <stdexcept>

#include <openssl/rand.h>

namespace restws::websocket::basic::detail {
namespace {

struct random_pool_t {
  std::array<unsigned char, 1024> bytes;
  std::size_t used = bytes.size();  // empty: filled on first use

  void take(std::byte* out, std::size_t n) {
    if (used + n > bytes.size()) {
      if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("restws: the CSPRNG failed (OpenSSL RAND_bytes)");
      used = 0;
    }
    std::memcpy(out, bytes.data() + used, n);
    // What was handed out is not kept: a later leak of the pool does not reveal past keys.
    std::memset(bytes.data() + used, 0, n);
    used += n;
  }
};

random_pool_t& pool() {
  thread_local random_pool_t p;
  return p;
}

}  // namespace

protocol::mask_key_t next_mask_key() {
  protocol::mask_key_t key;
  static_assert(sizeof(key) == 4);
  pool().take(reinterpret_cast<std::byte*>(&key), sizeof(key));
  return key;
}

void random_bytes(std::byte* out, std::size_t n) {
  if (n > 64) throw std::invalid_argument("restws: random_bytes() takes at most 64 bytes");
  pool().take(out, n);
}

}  // namespace restws::websocket::basic::detail
