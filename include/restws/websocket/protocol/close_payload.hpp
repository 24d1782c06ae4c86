#pragma once
// The payload of a close frame (RFC 6455 §5.5.1): empty, or a 2-byte status code followed by a
// UTF-8 reason, 125 bytes at most in all.

#include <cstddef>
#include <string>
#include <string_view>

#include "restws/websocket/protocol/status_code.hpp"

namespace restws::websocket::protocol {

/// Longest reason a close frame can carry (125 - 2 bytes of code).
inline constexpr std::size_t max_close_reason_size = 123;

/// Builds a close payload: the code, then `reason` cut to max_close_reason_size bytes without
/// splitting a UTF-8 sequence (a reason that is not valid UTF-8 is cut at its first invalid byte,
/// so the result is always a valid payload for a valid code). Thread-safe.
std::string make_close_payload(status_code_t code, std::string_view reason = {});

struct close_info_t {
  /// no_status_received if the payload was empty.
  status_code_t code = status_code_t::no_status_received;
  /// View into the parsed payload.
  std::string_view reason;
};

/// Splits a received close payload (already validated by frame_reader_t) into code and reason.
/// A payload shorter than 2 bytes gives no_status_received and an empty reason. Thread-safe.
close_info_t parse_close_payload(std::string_view payload) noexcept;

/// The code to answer a peer's close with: its own code (RFC 6455 §5.5.1 echoes it), or
/// normal_closure if the peer sent none.
constexpr status_code_t close_reply_code(const close_info_t& received) noexcept {
  return received.code == status_code_t::no_status_received ? status_code_t::normal_closure
                                                            : received.code;
}

}  // namespace restws::websocket::protocol
