#include "redis/backoff.hpp"

#include <algorithm>

namespace restws::pubsub::redis_detail {

backoff_t::backoff_t(duration min, duration max, std::uint64_t seed)
    : min_{std::max(min, duration{1})}, max_{std::max(max, min_)}, step_{min_}, rng_{seed} {}

backoff_t::duration backoff_t::next() {
  const auto step = step_;
  step_ = std::min(step_ * 2, max_);
  const auto span = step.count() / 4;  // the jitter: up to a quarter of the step earlier
  if (span == 0) return step;
  std::uniform_int_distribution<std::int64_t> early{0, span};
  return duration{step.count() - early(rng_)};
}

}  // namespace restws::pubsub::redis_detail
