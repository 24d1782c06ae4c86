// The frames ws_load sends (one masked binary message) and reads back (the server's echo).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
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

/// Replaces `out` with one final masked frame: `opcode` (1 text, 2 binary), RSV1 if `compressed`.
void build_client_frame(std::vector<unsigned char>& out, unsigned char opcode, bool compressed,
                        std::span<const unsigned char> payload, std::array<unsigned char, 4> mask);

/// A server frame's first bytes, decoded.
struct frame_head {
  bool fin = false;
  unsigned char rsv = 0;  // RSV1-3 as in the first byte (0x70 mask)
  unsigned char opcode = 0;
  bool masked = false;
  std::uint64_t length = 0;
};

/// Whether the `have` bytes at `head` hold a whole frame header.
bool head_complete(const unsigned char* head, std::size_t have);
/// Moves bytes of `input` from `pos` into `head` (holding `have`) until the header is whole:
/// true then, false when `input` ran out first.
bool gather_head(std::array<unsigned char, 14>& head, std::size_t& have,
                 std::span<const unsigned char> input, std::size_t& pos);
/// Decodes a whole frame header (head_complete() is true).
frame_head decode_head(const unsigned char* head);

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

namespace ws_load {

/// Reads the server's messages whole (for --deflate and --corpus, where an echo must be
/// inflated or is text): collects each message's payload and says whether it was compressed.
/// RSV1 is allowed on a message's first frame only, and only when deflate was agreed; pings and
/// pongs are skipped.
class message_collector {
 public:
  using status = echo_reader::status;

  explicit message_collector(bool rsv1_allowed) : rsv1_allowed_(rsv1_allowed) {}

  /// Consumes bytes from `input` (stops after a complete message); `consumed` says how many.
  status consume(std::span<const unsigned char> input, std::size_t& consumed);

  /// The message just completed: its opcode (1 text, 2 binary), whether RSV1 was set, its payload
  /// as it came (compressed or not).
  unsigned char opcode() const { return opcode_; }
  bool compressed() const { return compressed_; }
  const std::string& payload() const { return payload_; }

 private:
  status start_frame();

  bool rsv1_allowed_;
  std::array<unsigned char, 14> header_{};
  std::size_t header_have_ = 0;
  bool in_payload_ = false;
  bool skipping_ = false;
  bool frame_final_ = false;
  std::uint64_t payload_left_ = 0;
  bool in_message_ = false;
  unsigned char opcode_ = 0;
  bool compressed_ = false;
  std::string payload_;
};

}  // namespace ws_load
