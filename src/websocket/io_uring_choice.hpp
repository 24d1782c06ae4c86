#pragma once
// io_uring_mode_t::automatic: batch through io_uring only where system calls are dear. Private
// to the library.

#include <atomic>
#include <chrono>
#include <string_view>

#include "restws/server/logger.hpp"

#include "restws/websocket/settings.hpp"

namespace restws::websocket::basic::detail {

/// A null system call at least this slow makes io_uring batching pay (docs/benchmarks.md: it won
/// every echo workload at ~1 µs per call and won or tied every small-message one from ~350 ns;
/// below ~220 ns plain calls were level with it).
inline constexpr std::chrono::nanoseconds dear_system_call{300};

/// The time a null system call (getppid) takes here: the least of 8 timed runs of 64 calls, so a
/// run the scheduler interrupts does not count. Measured on the first call; later calls, from
/// any thread, return that first answer.
std::chrono::nanoseconds system_call_cost() noexcept;

/// system_call_cost(), and the choice it makes logged once per `logged` flag (one per kind of
/// connection and process, with the first logger to ask): "<prefix>: a system call takes N ns
/// here, so <connections> batch reads and writes through io_uring (<setting> automatic: ...)".
std::chrono::nanoseconds system_call_cost_logged(abstract_logger_t& logger,
                                                 std::atomic<bool>& logged, std::string_view prefix,
                                                 std::string_view connections,
                                                 std::string_view setting);

/// Whether a connection with `mode` (a WebSocket's, or the HTTP connections' of a reactor)
/// asks for io_uring, given what a system call costs here (`cost` is called only for
/// automatic).
template <typename Cost>
bool wants_io_uring(io_uring_mode_t mode, Cost&& cost) {
  switch (mode) {
    case io_uring_mode_t::on:
      return true;
    case io_uring_mode_t::automatic:
      return cost() >= dear_system_call;
    case io_uring_mode_t::off:
      break;
  }
  return false;
}

}  // namespace restws::websocket::basic::detail
