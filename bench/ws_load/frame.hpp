// The frames ws_load sends (one masked binary message) and reads back (the server's echo).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ws_load {

/// One connection's message: the payload the echo must match and the masked frame carrying it.
/// The first (up to) 8 payload bytes hold a sequence number, so an echo of an older message
/// (or of another connection's) is caught as a mismatch; the rest is a per-connection pattern.
class outgoing_message {
 public:
  /// Builds a message of `size` bytes, masked with `mask`; `seed` varies the pattern.
  outgoing_message(std::size_t size, std::array<unsigned char, 4> mask, std::uint64_t seed);

  /// Writes `sequence` into the payload (and its masked copy in the frame).
  void set_sequence(std::uint64_t sequence);

  std::span<const unsigned char> payload() const { return payload_; }
  std::span<const unsigned char> frame() const { return frame_; }

 private:
  std::array<unsigned char, 4> mask_;
  std::size_t header_size_ = 0;
  std::vector<unsigned char> payload_;
  std::vector<unsigned char> frame_;
};

/// A masked close frame with code 1000, as a client sends it.
std::array<unsigned char, 8> client_close_frame(std::array<unsigned char, 4> mask);

/// Reads the server's frames as they arrive and compares the data byte for byte with the
/// expected payload, without copying it. Handles fragmented echoes; skips pings and pongs.
class echo_reader {
 public:
  enum class status {
    need_more,         // all input consumed, message not complete yet
    message_done,      // one message complete; see last_matched()
    protocol_error,    // masked, RSV bits, bad opcode or control frame; the connection is unusable
    closed_by_server,  // the server sent a close frame
  };

  /// Consumes bytes from `input` (stops after a complete message) and tells what happened;
  /// `consumed` is how many bytes were used. `expected` is the payload of the message in flight.
  status consume(std::span<const unsigned char> input, std::span<const unsigned char> expected,
                 std::size_t& consumed);

  /// Whether the message just completed had the expected opcode, size and bytes.
  bool last_matched() const { return last_matched_; }

 private:
  bool header_complete();
  status start_frame();

  std::array<unsigned char, 14> header_{};
  std::size_t header_have_ = 0;
  bool in_payload_ = false;
  bool skipping_ = false;  // a ping or pong payload
  bool frame_final_ = false;
  std::uint64_t payload_left_ = 0;
  bool in_message_ = false;
  std::uint64_t message_offset_ = 0;
  bool message_mismatch_ = false;
  bool last_matched_ = false;
};

}  // namespace ws_load
