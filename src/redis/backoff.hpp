#pragma once
// Reconnect delays: min, doubled after each failure up to max, reset once a connection holds.
// Each delay is drawn in [3/4, 1] of its step so that the nodes that lost the same Redis do not
// all come back in the same millisecond.

#include <chrono>
#include <cstdint>
#include <random>

namespace restws::pubsub::redis_detail {

class backoff_t {
 public:
  using duration = std::chrono::milliseconds;
  /// `min` under 1 ms counts as 1 ms; `max` under `min` as `min`.
  backoff_t(duration min, duration max, std::uint64_t seed);

  /// The delay before the next attempt; the step after it is doubled (up to max).
  duration next();
  /// A connection succeeded: the next failure waits min again.
  void reset() { step_ = min_; }
  /// The step the next delay is drawn from (its upper bound).
  duration step() const { return step_; }

 private:
  duration min_;
  duration max_;
  duration step_;
  std::mt19937_64 rng_;
};

}  // namespace restws::pubsub::redis_detail
