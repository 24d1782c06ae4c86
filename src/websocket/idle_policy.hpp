#pragma once
// Keep-alive and idle timeout, as pure deadline logic (ws_settings_t::idle_timeout, send_pings).
// Private to the library; the reactor's ws_poller_t sweeps its connections with it
// (ws_keepalive.cpp), and the connection itself only stamps the time of its last read.
//
// Times are milliseconds on a 32-bit clock that wraps (ws_poller_t::now_ms()): a connection
// stores 4 bytes, and differences stay right across the wrap as long as a connection is checked
// more often than every 49 days.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace restws::websocket::basic::detail {

/// The payload of the library's keep-alive pings: a pong carrying it is the answer to one, and is
/// not delivered to the handler.
inline constexpr std::string_view keepalive_payload = "restws-keepalive";

enum class idle_action_t : std::uint8_t {
  none,
  ping,   ///< quiet for half the timeout: send a keep-alive ping
  close,  ///< quiet for the whole timeout: close with 1001
};

/// What the sweep does with a connection, and whether a keep-alive ping is then outstanding.
struct idle_decision_t {
  idle_action_t action = idle_action_t::none;
  bool ping_sent = false;
  bool operator==(const idle_decision_t&) const = default;
};

struct idle_policy_t {
  std::uint32_t timeout_ms = 0;  ///< 0: off
  bool send_pings = false;

  static idle_policy_t from(std::chrono::milliseconds timeout, bool pings) noexcept {
    const auto ms = std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, INT32_MAX);
    return {static_cast<std::uint32_t>(ms), pings && ms > 0};
  }

  bool enabled() const noexcept { return timeout_ms != 0; }
  /// Quiet this long: a ping goes out (half the timeout, so that the pong has the other half).
  std::uint32_t ping_after_ms() const noexcept { return timeout_ms / 2; }

  /// How often connections with this policy must be looked at: an eighth of the timeout, within
  /// [10 ms, 1 s]. A deadline is then met within that much.
  std::chrono::milliseconds check_period() const noexcept {
    return std::chrono::milliseconds{std::clamp<std::uint32_t>(timeout_ms / 8, 10, 1000)};
  }

  /// The decision for a connection from which nothing has arrived since `last_rx_ms`, at `now_ms`
  /// (both on the wrapping clock), with a keep-alive ping outstanding or not.
  idle_decision_t check(std::uint32_t now_ms, std::uint32_t last_rx_ms,
                        bool ping_sent) const noexcept {
    if (!enabled()) return {};
    const std::uint32_t quiet = now_ms - last_rx_ms;  // modulo 2^32: right across the wrap
    if (quiet >= timeout_ms) return {idle_action_t::close, ping_sent};
    if (quiet < ping_after_ms()) return {};  // heard from lately: the next quiet spell may ping
    if (send_pings && !ping_sent) return {idle_action_t::ping, true};
    return {idle_action_t::none, ping_sent};
  }

  bool operator==(const idle_policy_t&) const = default;
};

}  // namespace restws::websocket::basic::detail
