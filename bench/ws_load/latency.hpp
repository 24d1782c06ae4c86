// Echo latencies: how long each message took from its first byte sent to its whole echo read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace ws_load {

/// A log-linear histogram of latencies in nanoseconds: exact below 64 ns, then 32 buckets per
/// power of two, so a percentile read from it is at most 1/32 (3 %) above the exact value. Fixed
/// size (15 KiB), no allocation per value. One per worker thread, merged after the run; not
/// thread-safe.
class latency_histogram {
 public:
  /// Adds one latency of `ns` nanoseconds.
  void record(std::uint64_t ns);

  /// Adds every value `other` holds.
  void merge(const latency_histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }

  /// The value at fraction `q` (0..1) of the values in ascending order, i.e. the smallest v with
  /// at least ceil(q * count) values <= v: the upper bound of v's bucket, never above max().
  /// 0 when nothing was recorded.
  std::uint64_t percentile(double q) const;

  /// The bucket `ns` falls in, and the largest value of a bucket (for the tests).
  static std::size_t bucket_of(std::uint64_t ns);
  static std::uint64_t bucket_upper_bound(std::size_t bucket);

  static constexpr std::size_t exact_below = 64;
  static constexpr std::size_t per_power_of_two = 32;
  static constexpr std::size_t bucket_count = exact_below + (63 - 6 + 1) * per_power_of_two;

 private:
  std::array<std::uint64_t, bucket_count> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace ws_load
