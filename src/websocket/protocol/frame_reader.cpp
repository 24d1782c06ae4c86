#include "restws/websocket/protocol/frame_reader.hpp"

#include <algorithm>
#include <cstring>

#include "restws/websocket/protocol/masking.hpp"

namespace restws::websocket::protocol {

void frame_reader_t::set_error(read_result_t& r) const noexcept {
  r = read_result_t{};
  r.status = read_status_t::error;
  r.error = *validator_.failure();
}

// Flattened: the header parser and the validator's checks, compiled in the same unit (the
// websocket_read_path group in CMakeLists.txt), are inlined here, once per frame. Every return
// returns `r`, so that it is built in the caller's result (no copy of its ~100 bytes).
__attribute__((flatten)) read_result_t frame_reader_t::parse(std::span<std::byte> buffer,
                                                             payload_sink_t* sink) noexcept {
  read_result_t r;
  if (failed()) {
    set_error(r);
    return r;
  }

  if (!have_header_) {
    const auto parsed = parse_frame_header(buffer);
    if (parsed.status == header_parse_status_t::need_more) {
      r.bytes_needed = parsed.header_size;
      return r;
    }
    if (parsed.status == header_parse_status_t::bad_length) {
      validator_.fail(status_code_t::protocol_error, "64-bit payload length with the top bit set");
      set_error(r);
      return r;
    }
    if (validator_.begin_frame(parsed.header)) {
      set_error(r);
      return r;
    }
    have_header_ = true;
    header_ = parsed.header;
    header_size_ = parsed.header_size;
    payload_done_ = 0;
  }

  // The length passed the max_frame_size check; size_t is 64 bits on the platforms we support.
  const auto payload_length = static_cast<std::size_t>(header_.payload_length);
  const std::size_t total = header_size_ + payload_length;
  const std::size_t available =
      buffer.size() > header_size_ ? std::min(buffer.size() - header_size_, payload_length) : 0;
  if (sink && payload_done_ == 0 && available == payload_length && payload_length != 0) {
    const auto space = sink->payload_space(header_);
    if (space.size() == payload_length) {  // the whole payload, unmasked while copied
      const auto source = buffer.subspan(header_size_, payload_length);
      if (header_.masked) {
        copy_masked(space, source, header_.mask_key);
      } else {
        std::memcpy(space.data(), source.data(), payload_length);
      }
      payload_done_ = payload_length;
      if (validator_.payload(space) || validator_.end_frame()) {
        set_error(r);
        return r;
      }
      have_header_ = false;
      r.status = read_status_t::frame_ready;
      r.header = header_;
      r.payload = space;
      r.payload_in_sink = true;
      r.frame_size = total;
      return r;
    }
  }
  if (available > payload_done_) {
    const auto piece = buffer.subspan(header_size_ + payload_done_, available - payload_done_);
    if (header_.masked) apply_mask(piece, header_.mask_key, payload_done_);
    payload_done_ = available;
    if (validator_.payload(piece)) {
      set_error(r);
      return r;
    }
  }

  r.header = header_;
  if (payload_done_ < payload_length) {
    r.bytes_needed = total;
    return r;
  }
  if (validator_.end_frame()) {
    set_error(r);
    return r;
  }
  have_header_ = false;
  r.status = read_status_t::frame_ready;
  r.payload = buffer.subspan(header_size_, payload_length);
  r.frame_size = total;
  return r;
}

}  // namespace restws::websocket::protocol
