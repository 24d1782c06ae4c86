#include "latency.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ws_load {

std::size_t latency_histogram::bucket_of(std::uint64_t ns) {
  if (ns < exact_below) return static_cast<std::size_t>(ns);
  // ns >> shift lies in [32, 64): its top bit is the power of two, the next 5 bits the bucket.
  const auto top_bit = static_cast<std::size_t>(std::bit_width(ns) - 1);  // 6..63
  const std::size_t shift = top_bit - 5;
  return exact_below + (shift - 1) * per_power_of_two +
         static_cast<std::size_t>((ns >> shift) - per_power_of_two);
}

std::uint64_t latency_histogram::bucket_upper_bound(std::size_t bucket) {
  if (bucket < exact_below) return bucket;
  const std::size_t rest = bucket - exact_below;
  const std::size_t shift = rest / per_power_of_two + 1;
  const std::uint64_t mantissa = rest % per_power_of_two + per_power_of_two;
  return ((mantissa + 1) << shift) - 1;  // wraps to the maximum for the last bucket
}

void latency_histogram::record(std::uint64_t ns) {
  ++buckets_[bucket_of(ns)];
  ++count_;
  max_ = std::max(max_, ns);
}

void latency_histogram::merge(const latency_histogram& other) {
  for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

std::uint64_t latency_histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  const double clamped = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(clamped * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(bucket_upper_bound(i), max_);
  }
  return max_;
}

}  // namespace ws_load
