#include "restws/websocket/protocol/buffer_deflater.hpp"

#include <algorithm>
#include <new>
#include <utility>

#ifdef RESTWS_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

namespace restws::websocket::protocol {

#ifdef RESTWS_HAVE_LIBDEFLATE

bool buffer_deflater_t::available() noexcept { return true; }

buffer_deflater_t::buffer_deflater_t(int level) noexcept
    : level_{level < 0 ? 6 : std::min(level, 12)} {}

buffer_deflater_t::~buffer_deflater_t() {
  if (compressor_) libdeflate_free_compressor(static_cast<libdeflate_compressor*>(compressor_));
}

bool buffer_deflater_t::compress(std::span<const std::byte> message, std::string& out) {
  if (!compressor_) {
    compressor_ = libdeflate_alloc_compressor(level_);
    if (!compressor_) return false;
  }
  auto* c = static_cast<libdeflate_compressor*>(compressor_);
  const std::size_t before = out.size();
  const std::size_t bound = libdeflate_deflate_compress_bound(c, message.size());
  try {
    out.resize(before + bound + 1);
  } catch (const std::bad_alloc&) {
    out.resize(before);
    return false;
  }
  const std::size_t n =
      libdeflate_deflate_compress(c, message.data(), message.size(), out.data() + before, bound);
  if (n == 0) {  // cannot happen with the bound's room; be safe
    out.resize(before);
    return false;
  }
  out[before + n] = '\0';  // the empty stored block's header (BFINAL 0, BTYPE 00, padding)
  out.resize(before + n + 1);
  return true;
}

#else

bool buffer_deflater_t::available() noexcept { return false; }
buffer_deflater_t::buffer_deflater_t(int level) noexcept : level_{level} {}
buffer_deflater_t::~buffer_deflater_t() = default;
bool buffer_deflater_t::compress(std::span<const std::byte>, std::string&) { return false; }

#endif

buffer_deflater_t::buffer_deflater_t(buffer_deflater_t&& o) noexcept
    : compressor_{std::exchange(o.compressor_, nullptr)}, level_{o.level_} {}

buffer_deflater_t& buffer_deflater_t::operator=(buffer_deflater_t&& o) noexcept {
  if (this != &o) {
    std::swap(compressor_, o.compressor_);
    level_ = o.level_;
  }
  return *this;
}

}  // namespace restws::websocket::protocol
