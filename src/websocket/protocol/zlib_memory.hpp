#pragma once
// Counts what zlib allocates for one stream (message_inflater_t::memory(), message_deflater_t's),
// so that the memory a compressed connection holds can be reported and tested.

#include <zlib.h>

#include <cstddef>
#include <cstdlib>

namespace restws::websocket::protocol::detail {

struct zlib_memory_t {
  std::size_t bytes = 0;
};

inline void use_counting_allocator(z_stream& z, zlib_memory_t& memory) noexcept {
  z.opaque = &memory;
  z.zalloc = [](voidpf opaque, uInt items, uInt size) -> voidpf {
    const std::size_t n = std::size_t{items} * size;
    // A size header in front of each block, so that zfree knows what it gives back.
    auto* p = static_cast<std::size_t*>(std::malloc(n + sizeof(std::max_align_t)));
    if (!p) return Z_NULL;
    *p = n;
    static_cast<zlib_memory_t*>(opaque)->bytes += n;
    return reinterpret_cast<char*>(p) + sizeof(std::max_align_t);
  };
  z.zfree = [](voidpf opaque, voidpf address) {
    if (!address) return;
    auto* p =
        reinterpret_cast<std::size_t*>(static_cast<char*>(address) - sizeof(std::max_align_t));
    static_cast<zlib_memory_t*>(opaque)->bytes -= *p;
    std::free(p);
  };
}

}  // namespace restws::websocket::protocol::detail
