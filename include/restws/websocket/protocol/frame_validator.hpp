#pragma once
// Per-connection checks of received frames (RFC 6455 §5, §7.4; RFC 7692 §6 for RSV1) with the
// close code each failure calls for. frame_reader_t drives it; use it directly only when parsing
// frames some other way.
//
// Call begin_frame() with each frame's header, payload() with its unmasked payload in one or more
// pieces as they arrive, then end_frame(). Each returns a violation as soon as one is known; after
// that the validator stays failed (every call returns the same violation) until reset().
//
// Checks and codes:
//   1002 protocol_error: RSV2/RSV3 set; RSV1 set unless rsv1_allowed and on a message's first
//        frame; reserved opcode; client frame not masked (server role) / server frame masked
//        (client role); control frame > 125 bytes or without FIN; continuation with no message
//        open; text/binary frame while a fragmented message is open; close payload of 1 byte;
//        close code not allowed on the wire.
//   1007 invalid_payload: invalid UTF-8 in a text message (checked across fragments and within a
//        frame as its payload arrives, failing at the first bad byte) or in a close reason.
//   1009 message_too_big: frame over max_frame_size, message over max_message_size (known from
//        the headers, before the payload arrives).
// Control frames may come between the fragments of a message.
//
// A message whose first frame has RSV1 set (permessage-deflate) is compressed: its UTF-8 cannot be
// checked here, the decompressing layer must do it on the inflated text; the size limits here then
// apply to the compressed bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "restws/websocket/protocol/frame_header.hpp"
#include "restws/websocket/protocol/status_code.hpp"
#include "restws/websocket/protocol/utf8_validator.hpp"

namespace restws::websocket::protocol {

/// Which end of the connection we are: a server expects masked frames, a client unmasked ones.
enum class role_t : std::uint8_t { server, client };

struct validator_settings_t {
  role_t role = role_t::server;
  /// Set once permessage-deflate is negotiated: RSV1 marks a compressed message.
  bool rsv1_allowed = false;
  /// Largest payload of one frame, bytes (control frames included).
  std::uint64_t max_frame_size = std::uint64_t{16} * 1024 * 1024;
  /// Largest payload of one message (sum of its frames), bytes.
  std::uint64_t max_message_size = std::uint64_t{16} * 1024 * 1024;

  friend bool operator==(const validator_settings_t&, const validator_settings_t&) = default;
};

/// Why a connection must be failed: the code for the close frame and a short static reason
/// (≤ 123 bytes, so it fits in a close frame; it outlives the validator).
struct violation_t {
  status_code_t code = status_code_t::protocol_error;
  std::string_view reason;

  friend bool operator==(const violation_t&, const violation_t&) = default;
};

/// Empty if the check passed.
using check_result_t = std::optional<violation_t>;

class frame_validator_t {
 public:
  explicit frame_validator_t(const validator_settings_t& settings = {}) noexcept
      : settings_{settings} {}

  /// Checks a new frame's header against the rules and the connection's state. Call it once per
  /// frame, after the previous frame's end_frame(). Not thread-safe (one per connection).
  check_result_t begin_frame(const frame_header_t& header) noexcept;

  /// Checks the next piece of the current frame's unmasked payload (UTF-8 of text messages and
  /// close reasons, the close code). Precondition: the pieces together are no longer than the
  /// header's payload_length (a longer piece is a violation).
  check_result_t payload(std::span<const std::byte> piece) noexcept;

  /// Ends the current frame once all its payload has been given: checks what only the end can
  /// show (a text message or close reason ending inside a UTF-8 sequence) and, if the frame had
  /// FIN, closes its message.
  check_result_t end_frame() noexcept;

  /// Records a violation found outside the validator (e.g. by the header parser) and returns it;
  /// the validator is failed from then on.
  check_result_t fail(status_code_t code, std::string_view reason) noexcept;

  /// True between the first and the last frame of a fragmented data message.
  bool message_open() const noexcept { return message_open_; }
  /// True if the open (or last) data message had RSV1 set on its first frame.
  bool message_compressed() const noexcept { return message_compressed_; }
  /// The violation found, if any.
  const check_result_t& failure() const noexcept { return failure_; }
  const validator_settings_t& settings() const noexcept { return settings_; }

  /// Forgets all state (message, frame, failure); keeps the settings.
  void reset() noexcept { *this = frame_validator_t{settings_}; }

 private:
  check_result_t check_header(const frame_header_t& h) noexcept;
  check_result_t close_payload(std::span<const std::byte> piece) noexcept;

  validator_settings_t settings_;
  check_result_t failure_;

  // The data message in progress (kept across interleaved control frames).
  bool message_open_ = false;
  bool message_text_ = false;  ///< UTF-8 must be checked (text, not compressed)
  bool message_compressed_ = false;
  std::uint64_t message_size_ = 0;
  utf8_validator_t message_utf8_;

  // The current frame.
  opcode_t opcode_ = opcode_t::continuation_frame;
  bool fin_ = true;
  std::uint64_t frame_length_ = 0;
  std::uint64_t frame_received_ = 0;
  std::uint8_t close_code_high_ = 0;  ///< first byte of a close code split across pieces
  utf8_validator_t close_reason_utf8_;
};

}  // namespace restws::websocket::protocol
