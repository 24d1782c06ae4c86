#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "latency.hpp"

namespace ws_load {
namespace {

TEST(ws_load_latency, is_exact_below_64_ns) {
  for (std::uint64_t ns = 0; ns < 64; ++ns) {
    EXPECT_EQ(latency_histogram::bucket_of(ns), ns);
    EXPECT_EQ(latency_histogram::bucket_upper_bound(ns), ns);
  }
}

TEST(ws_load_latency, buckets_hold_their_values_within_one_32nd) {
  const std::uint64_t samples[] = {64,
                                   65,
                                   127,
                                   128,
                                   1000,
                                   123456,
                                   999999999,
                                   1ull << 40,
                                   (1ull << 40) + 12345,
                                   1ull << 63,
                                   std::numeric_limits<std::uint64_t>::max()};
  for (const std::uint64_t ns : samples) {
    const std::size_t bucket = latency_histogram::bucket_of(ns);
    ASSERT_LT(bucket, latency_histogram::bucket_count) << ns;
    const std::uint64_t upper = latency_histogram::bucket_upper_bound(bucket);
    EXPECT_GE(upper, ns);
    EXPECT_LE(static_cast<double>(upper - ns), static_cast<double>(ns) / 32.0) << ns;
    if (bucket > 0) {
      EXPECT_LT(latency_histogram::bucket_upper_bound(bucket - 1), ns) << ns;
    }
  }
}

TEST(ws_load_latency, buckets_rise_with_the_value) {
  std::size_t last = 0;
  for (std::uint64_t ns = 1; ns < (1ull << 20); ns += ns / 7 + 1) {
    const std::size_t bucket = latency_histogram::bucket_of(ns);
    EXPECT_GE(bucket, last) << ns;
    last = bucket;
  }
}

TEST(ws_load_latency, reads_percentiles_by_rank) {
  latency_histogram h;
  EXPECT_EQ(h.percentile(0.99), 0u);
  for (std::uint64_t i = 1; i <= 100; ++i) h.record(i * 1000);  // 1 µs .. 100 µs
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.max(), 100000u);
  const std::uint64_t p50 = h.percentile(0.50);
  EXPECT_GE(p50, 50000u);
  EXPECT_LE(p50, 50000u + 50000u / 32);
  const std::uint64_t p99 = h.percentile(0.99);
  EXPECT_GE(p99, 99000u);
  EXPECT_LE(p99, 100000u);  // never above the maximum
  EXPECT_EQ(h.percentile(1.0), 100000u);
  EXPECT_LE(h.percentile(0.0), 1000u + 1000u / 32);
}

TEST(ws_load_latency, merges_counts_and_maximum) {
  latency_histogram a;
  latency_histogram b;
  for (int i = 0; i < 99; ++i) a.record(10);
  b.record(5000000);
  a.merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.max(), 5000000u);
  EXPECT_EQ(a.percentile(0.99), 10u);
  EXPECT_EQ(a.percentile(0.999), 5000000u);
}

}  // namespace
}  // namespace ws_load
