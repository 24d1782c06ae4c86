// permessage-deflate (RFC 7692) on ws_load's side of the connection: the offer it makes, the
// check of the server's answer, compression of its own messages and inflation of the echoes.
// Self-contained over zlib (it does not use restws's codec, so that a bug there cannot hide in
// the figures of the server it is measuring).
#pragma once

#include <zlib.h>

#include <optional>
#include <string>
#include <string_view>

namespace ws_load {

/// What the server agreed to (its Sec-WebSocket-Extensions answer).
struct deflate_agreement {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  int server_max_window_bits = 15;
  int client_max_window_bits = 15;
};

/// The offer ws_load makes with --deflate: the one browsers make,
/// "permessage-deflate; client_max_window_bits".
std::string_view deflate_offer();

/// Reads the server's answer to that offer: exactly one permessage-deflate with known,
/// unrepeated parameters and windows of 8-15. Nothing, and `reason`, for any other answer.
std::optional<deflate_agreement> parse_deflate_answer(std::string_view value, std::string& reason);

/// Compresses `message` as a message of its own (no context: right whatever was agreed) with a
/// window of at most 2^window_bits, without the 00 00 ff ff tail (RFC 7692 §7.2.1).
std::string compress_message(std::string_view message, int window_bits);

/// Inflates the server's compressed messages, keeping the window between them unless the server
/// said server_no_context_takeover.
class message_inflater {
 public:
  explicit message_inflater(bool keep_context);
  ~message_inflater();
  message_inflater(const message_inflater&) = delete;
  message_inflater& operator=(const message_inflater&) = delete;

  /// Replaces `out` with the inflated `payload` (one whole message). False on corrupt data or a
  /// message over 64 MiB.
  bool inflate(std::string_view payload, std::string& out);

 private:
  z_stream z_{};
  bool keep_context_;
  bool ready_ = false;
};

}  // namespace ws_load
