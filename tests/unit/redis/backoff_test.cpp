// Reconnect delays (src/redis/backoff.hpp): min doubling to max, with jitter, reset on success.

#include "redis/backoff.hpp"

#include <gtest/gtest.h>

#include <set>

namespace restws::pubsub::redis_detail {
namespace {

using std::chrono::milliseconds;

TEST(redis_backoff, steps_double_from_min_up_to_max_and_stay_there) {
  backoff_t b{milliseconds{100}, milliseconds{1000}, 1};
  const milliseconds expected[] = {milliseconds{100}, milliseconds{200},  milliseconds{400},
                                   milliseconds{800}, milliseconds{1000}, milliseconds{1000}};
  for (const auto step : expected) {
    EXPECT_EQ(b.step(), step);
    const auto d = b.next();
    EXPECT_LE(d, step);
    EXPECT_GE(d, step * 3 / 4);  // jitter takes at most a quarter off
  }
}

TEST(redis_backoff, reset_starts_again_from_min) {
  backoff_t b{milliseconds{50}, milliseconds{5000}, 2};
  for (int i = 0; i < 10; ++i) b.next();
  EXPECT_EQ(b.step(), milliseconds{5000});
  b.reset();
  EXPECT_EQ(b.step(), milliseconds{50});
  EXPECT_LE(b.next(), milliseconds{50});
  EXPECT_EQ(b.step(), milliseconds{100});
}

TEST(redis_backoff, jitter_spreads_nodes_that_failed_together) {
  std::set<long> first_delays;
  for (std::uint64_t seed = 0; seed < 20; ++seed)
    first_delays.insert(backoff_t{milliseconds{1000}, milliseconds{1000}, seed}.next().count());
  EXPECT_GT(first_delays.size(), 10u);
}

TEST(redis_backoff, odd_settings_are_clamped) {
  backoff_t zero{milliseconds{0}, milliseconds{0}, 3};
  EXPECT_EQ(zero.next(), milliseconds{1});  // never a busy loop of immediate retries
  EXPECT_EQ(zero.next(), milliseconds{1});
  backoff_t inverted{milliseconds{300}, milliseconds{100}, 4};
  EXPECT_EQ(inverted.step(), milliseconds{300});
  inverted.next();
  EXPECT_EQ(inverted.step(), milliseconds{300});
}

}  // namespace
}  // namespace restws::pubsub::redis_detail
