#pragma once
// What ws_t::send_message() tells its caller, and the error its write callback gets when the
// library did not queue the frame (ws_settings_t::backpressure_policy).

#include <cstdint>
#include <string>
#include <system_error>
#include <type_traits>

namespace restws::websocket::basic {

/// The outcome of a send, as the call could see it.
enum class send_status_t : std::uint8_t {
  /// Queued: it leaves in order with the others; its write callback reports the write.
  queued,
  /// Not queued: the queue was over ws_settings_t::max_backpressure and the policy is `drop`.
  dropped,
  /// Not queued: the connection is closed or closing (try_send_message(); send_message() throws
  /// ws_closed_error_t then), or the policy `close` has just failed it.
  closed,
};

/// Errors a write callback gets for a frame the library refused to queue.
enum class send_error_t : int {
  backpressure_limit = 1,  ///< over max_backpressure: dropped (policy drop) or failed (close)
};

/// The category of send_error_t ("restws.websocket.send").
const std::error_category& send_error_category() noexcept;

inline std::error_code make_error_code(send_error_t e) noexcept {
  return {static_cast<int>(e), send_error_category()};
}

}  // namespace restws::websocket::basic

template <>
struct std::is_error_code_enum<restws::websocket::basic::send_error_t> : std::true_type {};
