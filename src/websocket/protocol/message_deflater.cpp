#include "restws/websocket/protocol/message_deflater.hpp"

#include <zlib.h>

#include <algorithm>
#include <new>

#include "zlib_memory.hpp"

namespace restws::websocket::protocol {

struct message_deflater_t::stream_t {
  z_stream z{};
  detail::zlib_memory_t memory;
};

message_deflater_t::message_deflater_t(const deflater_settings_t& settings) noexcept
    : settings_{settings} {
  settings_.level = std::clamp(settings_.level, -1, 9);
  // zlib refuses a raw window of 8 bits; 9 bits keeps its distances within 256 bytes anyway
  // (at most 2^9 - 262), so a peer that asked for 8 can inflate it.
  settings_.window_bits = std::clamp<std::uint8_t>(settings_.window_bits, 9, 15);
  settings_.mem_level = std::clamp<std::uint8_t>(settings_.mem_level, 1, 9);
}

message_deflater_t::~message_deflater_t() { release(); }

message_deflater_t::message_deflater_t(message_deflater_t&& o) noexcept
    : stream_{std::move(o.stream_)}, settings_{o.settings_} {}

message_deflater_t& message_deflater_t::operator=(message_deflater_t&& o) noexcept {
  if (this != &o) {
    release();
    stream_ = std::move(o.stream_);
    settings_ = o.settings_;
  }
  return *this;
}

void message_deflater_t::release() noexcept {
  if (stream_) deflateEnd(&stream_->z);
  stream_.reset();
}

std::size_t message_deflater_t::memory() const noexcept {
  return stream_ ? sizeof(stream_t) + stream_->memory.bytes : 0;
}

bool message_deflater_t::compress(std::span<const std::byte> message, std::string& out) {
  if (message.empty()) {
    // An empty stored block (its 00 00 ff ff removed), as §7.2.3.6 suggests. zlib would give
    // nothing after an earlier flush; the block leaves both windows as they are.
    out.push_back('\0');
    return true;
  }
  if (!stream_) {
    auto s = std::unique_ptr<stream_t>{new (std::nothrow) stream_t};
    if (!s) return false;
    detail::use_counting_allocator(s->z, s->memory);
    if (deflateInit2(&s->z, settings_.level, Z_DEFLATED, -static_cast<int>(settings_.window_bits),
                     settings_.mem_level, Z_DEFAULT_STRATEGY) != Z_OK)
      return false;
    stream_ = std::move(s);
  }
  z_stream& z = stream_->z;
  const std::size_t start = out.size();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(message.data()));
  z.avail_in = static_cast<uInt>(message.size());
  bool ok = true;
  try {
    for (;;) {
      // deflateBound() covers the data; a sync flush adds up to 5 bytes and a little for blocks.
      const std::size_t room = deflateBound(&z, z.avail_in) + 16;
      const std::size_t used = out.size();
      out.resize(used + room);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      z.avail_out = static_cast<uInt>(room);
      const int rc = deflate(&z, Z_SYNC_FLUSH);
      out.resize(used + (room - z.avail_out));
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        ok = false;
        break;
      }
      if (z.avail_in == 0 && z.avail_out != 0) break;  // all in, all flushed
    }
  } catch (const std::bad_alloc&) {
    ok = false;
  }
  if (ok) {
    // The flush ends with 00 00 ff ff (an empty stored block's LEN/NLEN): not sent (§7.2.1).
    const std::size_t n = out.size() - start;
    if (n >= 4 && out.compare(out.size() - 4, 4, std::string_view{"\x00\x00\xff\xff", 4}) == 0)
      out.resize(out.size() - 4);
    else
      ok = false;
  }
  if (!ok) {
    out.resize(start);
    release();  // a stream in an unknown state is not reused
    return false;
  }
  if (!settings_.context_takeover) deflateReset(&z);
  return true;
}

}  // namespace restws::websocket::protocol
