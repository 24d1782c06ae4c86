#pragma once
// message_deflater_t: compresses whole messages for permessage-deflate (RFC 7692 §7.2.1), sans-IO.
//
// Each message is compressed in one call and ends with an empty sync-flush block whose
// 00 00 ff ff tail is removed, as RFC 7692 §7.2.1 asks; an empty message becomes the single byte
// 00. With context takeover the compressor keeps its window between messages (smaller output
// for similar messages, (2^(window_bits+2) + 2^(mem_level+9)) bytes of zlib state per
// connection: 256 KiB at 15 and 8); without it each message stands alone and release() frees
// the state between messages (or one deflater per thread serves every connection).
//
// Not thread-safe; one per connection, or one per thread where no context is kept.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace restws::websocket::protocol {

struct deflater_settings_t {
  /// zlib level, 1 (fastest) to 9 (smallest); 0 stores (no compression), -1 zlib's default (6).
  int level = 1;
  /// LZ77 window, 8–15 (zlib compresses with 9 when 8 is asked: its distances still fit 2^8).
  std::uint8_t window_bits = 15;
  /// zlib memLevel, 1–9: memory for the match finder (2^(mem_level+9) bytes).
  std::uint8_t mem_level = 8;
  /// Keep the window between messages.
  bool context_takeover = true;

  friend bool operator==(const deflater_settings_t&, const deflater_settings_t&) = default;
};

class message_deflater_t {
 public:
  explicit message_deflater_t(const deflater_settings_t& settings = {}) noexcept;
  ~message_deflater_t();
  message_deflater_t(message_deflater_t&&) noexcept;
  message_deflater_t& operator=(message_deflater_t&&) noexcept;

  /// Compresses `message` and appends the payload to send (RSV1 set) to `out`. False if zlib
  /// could not allocate its state or out could not grow (nothing usable appended: send the
  /// message uncompressed or fail the connection).
  bool compress(std::span<const std::byte> message, std::string& out);

  /// Frees zlib's state; with context takeover the window is lost, so only where none is kept.
  void release() noexcept;
  /// Bytes of zlib state held now (0 before first use and after release()).
  std::size_t memory() const noexcept;
  const deflater_settings_t& settings() const noexcept { return settings_; }

 private:
  struct stream_t;
  std::unique_ptr<stream_t> stream_;
  deflater_settings_t settings_;
};

}  // namespace restws::websocket::protocol
