#pragma once
// Incremental UTF-8 validation (RFC 3629, Unicode Table 3-7) for text messages that arrive in
// pieces: the state of an unfinished sequence is carried from one feed() to the next.
//
// Rejects overlong forms (C0, C1, E0 80–9F, F0 80–8F), surrogates (ED A0–BF), code points above
// U+10FFFF (F4 90–BF, F5–FF), lone continuation bytes and truncated sequences. Failure is reported
// at the first byte that makes the text impossible, so a receiver can fail fast (e.g. at "ED A0",
// not later); error_offset() says where. Runs of ASCII are checked 8 bytes at a time.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace restws::websocket::protocol {

class utf8_validator_t {
 public:
  /// Validates the next piece of the text. Returns false as soon as the text so far cannot be
  /// valid UTF-8 (whatever follows), then stays failed until reset(): later feeds return false.
  /// Not thread-safe (one validator per text stream).
  bool feed(std::span<const std::byte> bytes) noexcept;
  bool feed(std::string_view text) noexcept {
    return feed(std::as_bytes(std::span{text.data(), text.size()}));
  }

  /// Marks the end of the text: returns false if it failed or ends inside a sequence
  /// (error_offset() is then the total length fed). The validator must be reset() before reuse.
  bool finish() noexcept;

  /// True once a feed() or finish() failed.
  bool failed() const noexcept { return failed_; }
  /// True if the bytes fed so far end inside a multi-byte sequence.
  bool in_sequence() const noexcept { return remaining_ != 0; }
  /// After a failure: the offset, counted from the first byte fed since reset(), of the byte that
  /// made the text invalid. Otherwise: the number of bytes fed.
  std::uint64_t error_offset() const noexcept { return offset_; }

  /// Starts a new text.
  void reset() noexcept { *this = utf8_validator_t{}; }

 private:
  std::uint64_t offset_ = 0;    ///< bytes accepted so far
  std::uint8_t remaining_ = 0;  ///< continuation bytes still expected in the current sequence
  std::uint8_t low_ = 0x80;     ///< allowed range of the next continuation byte
  std::uint8_t high_ = 0xBF;
  bool failed_ = false;
};

/// One-shot check of a complete text.
bool is_valid_utf8(std::span<const std::byte> bytes) noexcept;
inline bool is_valid_utf8(std::string_view text) noexcept {
  return is_valid_utf8(std::as_bytes(std::span{text.data(), text.size()}));
}

}  // namespace restws::websocket::protocol
