#pragma once
// buffer_deflater_t: compresses a whole message with no context for permessage-deflate, through
// libdeflate (Debian libdeflate-dev), sans-IO. Where the server keeps no context (its default,
// server_no_context_takeover) and its window is the full 15 bits, each message is a deflate
// stream of its own: libdeflate compresses such a buffer 1.6-2.7x faster than zlib
// (docs/compression.md) and needs no reset between messages.
//
// Output: libdeflate's stream, whose last block has BFINAL set, then one 0x00 byte: the header
// of the empty stored block that RFC 7692 §7.2.1 has the sender append, less the 00 00 ff ff tail
// it removes (the form of RFC 7692 §7.2.3.4's example). Receivers inflate it as any message.
// libdeflate's window is 32 KiB: not for a client that asked for server_max_window_bits < 15.
//
// available() is false when restws was built without libdeflate (RESTWS_WITH_LIBDEFLATE=OFF or
// not found); compress() then always fails and callers use message_deflater_t.
// Not thread-safe; one per thread (its state is ~0.5-1 MiB at the fast levels).

#include <cstddef>
#include <span>
#include <string>

namespace restws::websocket::protocol {

class buffer_deflater_t {
 public:
  /// True if restws was built with libdeflate.
  static bool available() noexcept;

  /// `level`: 1 (fastest) to 9 as zlib's (libdeflate also has 10-12, slower and smaller);
  /// 0 stores; -1 means 6, zlib's default.
  explicit buffer_deflater_t(int level) noexcept;
  ~buffer_deflater_t();
  buffer_deflater_t(buffer_deflater_t&&) noexcept;
  buffer_deflater_t& operator=(buffer_deflater_t&&) noexcept;
  buffer_deflater_t(const buffer_deflater_t&) = delete;
  buffer_deflater_t& operator=(const buffer_deflater_t&) = delete;

  /// Compresses `message` and appends the payload to send (RSV1 set) to `out`. False if
  /// libdeflate is absent or could not allocate its state (nothing appended).
  bool compress(std::span<const std::byte> message, std::string& out);

  int level() const noexcept { return level_; }

 private:
  void* compressor_ = nullptr;  ///< libdeflate_compressor, made on first use
  int level_;
};

}  // namespace restws::websocket::protocol
