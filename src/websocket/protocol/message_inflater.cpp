#include "restws/websocket/protocol/message_inflater.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "zlib_memory.hpp"

namespace restws::websocket::protocol {

struct message_inflater_t::stream_t {
  z_stream z{};
  detail::zlib_memory_t memory;
};

namespace {
constexpr std::byte sync_tail[4] = {std::byte{0x00}, std::byte{0x00}, std::byte{0xff},
                                    std::byte{0xff}};
/// Output is grown by at least this much at a time (and by about 4× the input).
constexpr std::size_t min_output_step = 4096;
}  // namespace

message_inflater_t::message_inflater_t(std::uint8_t window_bits, bool context_takeover) noexcept
    : window_bits_{std::clamp<std::uint8_t>(window_bits, 8, 15)},
      context_takeover_{context_takeover} {}

message_inflater_t::~message_inflater_t() { release(); }

message_inflater_t::message_inflater_t(message_inflater_t&& o) noexcept
    : stream_{std::move(o.stream_)},
      window_bits_{o.window_bits_},
      context_takeover_{o.context_takeover_},
      in_message_{o.in_message_},
      stream_ended_{o.stream_ended_} {}

message_inflater_t& message_inflater_t::operator=(message_inflater_t&& o) noexcept {
  if (this != &o) {
    release();
    stream_ = std::move(o.stream_);
    window_bits_ = o.window_bits_;
    context_takeover_ = o.context_takeover_;
    in_message_ = o.in_message_;
    stream_ended_ = o.stream_ended_;
  }
  return *this;
}

void message_inflater_t::release() noexcept {
  if (stream_) inflateEnd(&stream_->z);
  stream_.reset();
  in_message_ = false;
  stream_ended_ = false;
}

std::size_t message_inflater_t::memory() const noexcept {
  return stream_ ? sizeof(stream_t) + stream_->memory.bytes : 0;
}

inflate_status_t message_inflater_t::inflate(std::span<const std::byte> piece, bool last,
                                             std::string& out, std::size_t limit) {
  if (!stream_) {
    auto s = std::unique_ptr<stream_t>{new (std::nothrow) stream_t};
    if (!s) return inflate_status_t::no_memory;
    detail::use_counting_allocator(s->z, s->memory);
    // Raw deflate (negative bits: no zlib header). A window of 8 bits is accepted for inflating.
    if (inflateInit2(&s->z, -static_cast<int>(window_bits_)) != Z_OK)
      return inflate_status_t::no_memory;
    stream_ = std::move(s);
  }
  in_message_ = true;
  auto status = run(reinterpret_cast<const std::byte*>(piece.data()), piece.size(), out, limit);
  if (status == inflate_status_t::ok && last) status = run(sync_tail, sizeof sync_tail, out, limit);
  if (status != inflate_status_t::ok) {
    end_message(false);
    return status;
  }
  if (last) end_message(true);
  return status;
}

inflate_status_t message_inflater_t::run(const std::byte* data, std::size_t size, std::string& out,
                                         std::size_t limit) {
  if (stream_ended_) return inflate_status_t::ok;  // after a BFINAL block: nothing more to do
  z_stream& z = stream_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(data));
  z.avail_in = static_cast<uInt>(size);
  for (;;) {
    if (out.size() > limit) return inflate_status_t::too_big;
    // Room for what this input may give, never more than one byte past the limit: producing
    // that byte proves the message too big.
    const std::size_t room_to_limit = limit + 1 - out.size();
    const std::size_t step = std::min({std::max(min_output_step, std::size_t{z.avail_in} * 4),
                                       room_to_limit, std::size_t{1} << 30});
    const std::size_t used = out.size();
    try {
      out.resize(used + step);
    } catch (const std::bad_alloc&) {
      out.resize(used);
      return inflate_status_t::no_memory;
    }
    z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    z.avail_out = static_cast<uInt>(step);
    const int rc = ::inflate(&z, Z_SYNC_FLUSH);
    out.resize(used + (step - z.avail_out));
    if (rc == Z_STREAM_END) {
      stream_ended_ = true;  // a BFINAL block ended the message's data
      return out.size() > limit ? inflate_status_t::too_big : inflate_status_t::ok;
    }
    if (rc == Z_MEM_ERROR) return inflate_status_t::no_memory;
    if (rc != Z_OK && rc != Z_BUF_ERROR) return inflate_status_t::corrupt;
    if (out.size() > limit) return inflate_status_t::too_big;
    // Done with this input once it is all taken and the output was not filled (zlib may hold
    // pending output only when it ran out of room).
    if (z.avail_in == 0 && z.avail_out != 0) return inflate_status_t::ok;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) return inflate_status_t::ok;
  }
}

void message_inflater_t::end_message(bool ok) noexcept {
  in_message_ = false;
  const bool ended = std::exchange(stream_ended_, false);
  if (!stream_) return;
  if (!ok || !context_takeover_) {
    inflateReset(&stream_->z);
    return;
  }
  if (ended) {
    // A BFINAL block ends zlib's stream, but with context takeover the next message may refer to
    // this one's bytes: restart the stream with the window it had.
    Bytef window[1u << 15];
    uInt length = 0;
    inflateGetDictionary(&stream_->z, window, &length);
    inflateReset(&stream_->z);
    if (length) inflateSetDictionary(&stream_->z, window, length);
  }
}

}  // namespace restws::websocket::protocol
