#pragma once
// message_inflater_t: decompresses permessage-deflate messages (RFC 7692 §7.2.2), sans-IO.
//
// Feed a compressed message's payload in pieces as its frames arrive; the last piece says so,
// and the inflater adds the 00 00 ff ff tail the sender removed. Output is appended to a string
// and never grows past the caller's limit: a message that would inflate beyond it stops with
// too_big as soon as the limit is crossed, having inflated at most limit + 1 bytes (a
// decompression bomb costs no more than the limit). Corrupt data: corrupt.
//
// Context takeover (the peer's compressor keeps its window between messages, the default of
// RFC 7692) keeps the stream and its window (2^window_bits bytes) between messages; without it
// the stream is reset after each message, and release() may free it while the connection is
// idle. zlib's state is allocated on first use, so an inflater that never inflates costs only
// its own few bytes.
//
// Not thread-safe; one per connection (or one per thread where no context is kept and each
// message is inflated in one call).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace restws::websocket::protocol {

enum class inflate_status_t : std::uint8_t {
  ok,         ///< the piece was inflated (all of its output appended)
  too_big,    ///< the output would pass the limit (close 1009)
  corrupt,    ///< not valid deflate data (close 1007)
  no_memory,  ///< zlib could not allocate its state (close 1011)
};

class message_inflater_t {
 public:
  /// `window_bits`: the LZ77 window the peer compresses with (8–15; a larger window than the
  /// peer's is always safe). `context_takeover`: the peer keeps its window between messages.
  explicit message_inflater_t(std::uint8_t window_bits = 15, bool context_takeover = true) noexcept;
  ~message_inflater_t();
  message_inflater_t(message_inflater_t&&) noexcept;
  message_inflater_t& operator=(message_inflater_t&&) noexcept;

  /// Inflates the next piece of the current message and appends its output to `out`, whose size
  /// must not pass `limit` (so `out` holds the message so far, or the caller lowers `limit` by
  /// what it holds elsewhere). `last`: the piece ends the message. After any status but ok, the
  /// message is abandoned (the stream is reset): the connection should be failed.
  inflate_status_t inflate(std::span<const std::byte> piece, bool last, std::string& out,
                           std::size_t limit);

  /// True between a message's first piece and its last.
  bool in_message() const noexcept { return in_message_; }
  /// Frees zlib's state (only between messages). With context takeover that loses the window:
  /// call it only where the peer keeps no context.
  void release() noexcept;
  /// Bytes of zlib state held now (0 before first use and after release()).
  std::size_t memory() const noexcept;

 private:
  struct stream_t;
  inflate_status_t run(const std::byte* data, std::size_t size, std::string& out,
                       std::size_t limit);
  void end_message(bool ok) noexcept;

  std::unique_ptr<stream_t> stream_;
  std::uint8_t window_bits_;
  bool context_takeover_;
  bool in_message_ = false;
  bool stream_ended_ = false;  ///< the message had a BFINAL block: ignore the rest of it
};

}  // namespace restws::websocket::protocol
