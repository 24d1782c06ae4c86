#pragma once
// frame_reader_t: turns the bytes a connection receives into validated, unmasked frames, in place.
//
// Contract with the I/O layer (ws_t), which owns one read buffer per connection:
//   1. Call parse(buffer) where `buffer` starts at the current frame's first byte and holds every
//      byte received since (it may hold following frames too).
//   2. need_more: receive more bytes, append them, call parse() again with the longer buffer.
//      `bytes_needed` is the buffer length that lets the reader go further (the whole frame's size
//      once its header is known), to size the buffer. The reader remembers how much payload it
//      has already unmasked and validated, so each byte is processed once however small the
//      pieces; those bytes are rewritten in place (unmasked), so between calls the caller must keep
//      them as they are (moving the buffer, e.g. compacting it, is fine).
//      With a payload_sink_t, a frame whose payload is all in the buffer on its first parse() is
//      unmasked straight into the space the sink gives (one pass instead of unmasking in place
//      then copying out); the buffer is then left as it was.
//   3. frame_ready: `header`, `payload` (unmasked, a view into the buffer, valid until the buffer
//      changes) and `frame_size` (header + payload bytes). Hand the frame on, drop `frame_size`
//      bytes from the front of the buffer, and go to 1 for the next frame.
//   4. error: the connection must be failed: send a close frame with `error.code` (and
//      `error.reason`), then close. Every later call returns the same error.
// Text payload is validated as it arrives, so invalid UTF-8 fails at the first bad byte even
// while the rest of a large frame is still on the way; oversized frames fail from their header.
// See frame_validator_t for the checks and their close codes.
//
// The buffer must be able to grow to a whole frame: bytes_needed ≤ 14 + max_frame_size.
// Not thread-safe: one reader per connection, used from one thread at a time. No allocation.
//
//   frame_reader_t reader{settings};
//   std::vector<std::byte> buf;  // bytes received and not yet consumed
//   void on_bytes_received() {   // after appending them to buf
//     for (;;) {
//       auto r = reader.parse(buf);
//       if (r.status == read_status_t::need_more) { buf.reserve(r.bytes_needed); break; }
//       if (r.status == read_status_t::error) { send_close(r.error.code, r.error.reason); break; }
//       deliver(r.header.opcode, r.header.final_flag(), r.payload);
//       buf.erase(buf.begin(), buf.begin() + r.frame_size);
//     }
//   }

#include <cstddef>
#include <cstdint>
#include <span>

#include "restws/websocket/protocol/frame_header.hpp"
#include "restws/websocket/protocol/frame_validator.hpp"

namespace restws::websocket::protocol {

enum class read_status_t : std::uint8_t { need_more, frame_ready, error };

struct read_result_t {
  read_status_t status = read_status_t::need_more;
  /// frame_ready: the frame's header (also set in need_more once the header is complete).
  frame_header_t header{};
  /// frame_ready: the unmasked payload, inside the buffer given to parse() or, if
  /// payload_in_sink, the space the sink gave.
  std::span<std::byte> payload{};
  /// frame_ready: the payload was written to the sink's space (the buffer still holds it masked).
  bool payload_in_sink = false;
  /// frame_ready: bytes the frame took in the buffer (header + payload).
  std::size_t frame_size = 0;
  /// need_more: the buffer length needed to make progress.
  std::size_t bytes_needed = 0;
  /// error: close code and reason.
  violation_t error{};
};

/// Where parse() may put a frame's payload instead of unmasking it in place; see the contract.
class payload_sink_t {
 public:
  /// Asked once per frame whose payload (of header.payload_length bytes, at least 1) is all in
  /// the buffer before any of it was parsed. Returns that many writable bytes, valid until
  /// parse() returns, or an empty span to keep the payload in the buffer (unmasked in place).
  virtual std::span<std::byte> payload_space(const frame_header_t& header) noexcept = 0;

 protected:
  ~payload_sink_t() = default;
};

class frame_reader_t {
 public:
  explicit frame_reader_t(const validator_settings_t& settings = {}) noexcept
      : validator_{settings} {}

  /// Parses, unmasks and validates as much of the current frame as `buffer` holds. See the
  /// contract above. Never reads or writes outside `buffer` (and the sink's space).
  read_result_t parse(std::span<std::byte> buffer, payload_sink_t* sink = nullptr) noexcept;

  /// True between the frames of a fragmented data message.
  bool message_open() const noexcept { return validator_.message_open(); }
  /// True if the open (or last) data message is compressed (RSV1 on its first frame): its text
  /// must be UTF-8-checked after inflating.
  bool message_compressed() const noexcept { return validator_.message_compressed(); }
  /// True once parse() returned an error.
  bool failed() const noexcept { return validator_.failure().has_value(); }
  const validator_settings_t& settings() const noexcept { return validator_.settings(); }

  /// Forgets everything (frame, message, failure); keeps the settings.
  void reset() noexcept { *this = frame_reader_t{validator_.settings()}; }

 private:
  /// Makes `r` the result for the validator's failure.
  void set_error(read_result_t& r) const noexcept;

  frame_validator_t validator_;
  bool have_header_ = false;  ///< the current frame's header is parsed and validated
  frame_header_t header_{};
  std::size_t header_size_ = 0;
  std::uint64_t payload_done_ = 0;  ///< payload bytes already unmasked and validated
};

}  // namespace restws::websocket::protocol
