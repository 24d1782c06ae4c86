#pragma once
// Backpressure, as pure logic over the bytes a connection has queued (ws_settings_t::
// max_backpressure, backpressure_low_water, backpressure_policy). Private to the library; the
// connection counts its queued bytes and asks these questions (ws_flow.cpp).

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "restws/websocket/settings.hpp"

namespace restws::websocket::basic::detail {

/// What happens to a data frame offered to a connection's queue.
enum class send_decision_t : std::uint8_t {
  queue,
  drop,  ///< not queued (policy drop)
  fail,  ///< not queued, and the connection fails with 1008 (policy close)
};

struct flow_limits_t {
  std::size_t high = 0;  ///< max_backpressure
  std::size_t low = 0;   ///< the low-water mark (<= high)
  backpressure_policy_t policy = backpressure_policy_t::throttle;

  static flow_limits_t from(const ws_settings_t& s) noexcept {
    flow_limits_t f;
    f.high = s.max_backpressure;
    f.low = s.backpressure_low_water == 0 ? s.max_backpressure / 2
                                          : std::min(s.backpressure_low_water, s.max_backpressure);
    f.policy = s.backpressure_policy;
    return f;
  }

  /// Over the limit: the policy applies to the next data frame offered (and, for throttle,
  /// reading stops).
  bool over(std::size_t buffered) const noexcept { return buffered > high; }
  /// Back down after having been over: reading resumes, the drain handler is called.
  bool drained(std::size_t buffered) const noexcept { return buffered <= low; }

  /// A data frame offered while `buffered` bytes are queued. Control frames are always queued.
  send_decision_t on_send(std::size_t buffered) const noexcept {
    if (!over(buffered)) return send_decision_t::queue;
    switch (policy) {
      case backpressure_policy_t::drop:
        return send_decision_t::drop;
      case backpressure_policy_t::close:
        return send_decision_t::fail;
      case backpressure_policy_t::throttle:
        break;
    }
    return send_decision_t::queue;
  }
  /// Whether reading stops while over the limit.
  bool throttles() const noexcept { return policy == backpressure_policy_t::throttle; }

  bool operator==(const flow_limits_t&) const = default;
};

}  // namespace restws::websocket::basic::detail
