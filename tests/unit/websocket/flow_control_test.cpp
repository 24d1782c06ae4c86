// Backpressure decisions (src/websocket/flow_control.hpp), without sockets.

#include "websocket/flow_control.hpp"

#include <gtest/gtest.h>

namespace {
namespace rws = restws::websocket::basic;
using rws::backpressure_policy_t;
using rws::detail::flow_limits_t;
using rws::detail::send_decision_t;

flow_limits_t limits(backpressure_policy_t policy, std::size_t high = 1000, std::size_t low = 0) {
  rws::ws_settings_t s;
  s.max_backpressure = high;
  s.backpressure_low_water = low;
  s.backpressure_policy = policy;
  return flow_limits_t::from(s);
}

TEST(flow_control, defaults_are_1_mib_throttled_with_the_low_water_mark_at_half) {
  const auto f = flow_limits_t::from(rws::ws_settings_t{});
  EXPECT_EQ(f.high, 1024u * 1024u);
  EXPECT_EQ(f.low, 512u * 1024u);
  EXPECT_TRUE(f.throttles());
}

TEST(flow_control, a_low_water_mark_above_the_limit_is_the_limit) {
  EXPECT_EQ(limits(backpressure_policy_t::drop, 1000, 5000).low, 1000u);
  EXPECT_EQ(limits(backpressure_policy_t::drop, 1000, 200).low, 200u);
}

TEST(flow_control, the_limit_applies_once_the_queue_is_over_it) {
  for (auto policy : {backpressure_policy_t::throttle, backpressure_policy_t::drop,
                      backpressure_policy_t::close}) {
    const auto f = limits(policy);
    EXPECT_EQ(f.on_send(0), send_decision_t::queue);
    EXPECT_EQ(f.on_send(1000), send_decision_t::queue);  // at the limit: not over it
    EXPECT_FALSE(f.over(1000));
    EXPECT_TRUE(f.over(1001));
  }
}

TEST(flow_control, over_the_limit_each_policy_decides) {
  EXPECT_EQ(limits(backpressure_policy_t::throttle).on_send(5000), send_decision_t::queue);
  EXPECT_EQ(limits(backpressure_policy_t::drop).on_send(5000), send_decision_t::drop);
  EXPECT_EQ(limits(backpressure_policy_t::close).on_send(5000), send_decision_t::fail);
  EXPECT_TRUE(limits(backpressure_policy_t::throttle).throttles());
  EXPECT_FALSE(limits(backpressure_policy_t::drop).throttles());
  EXPECT_FALSE(limits(backpressure_policy_t::close).throttles());
}

TEST(flow_control, drained_at_the_low_water_mark) {
  const auto f = limits(backpressure_policy_t::throttle, 1000, 300);
  EXPECT_FALSE(f.drained(301));
  EXPECT_TRUE(f.drained(300));
  EXPECT_TRUE(f.drained(0));
}

TEST(flow_control, a_zero_limit_applies_to_any_queued_byte) {
  const auto f = limits(backpressure_policy_t::drop, 0);
  EXPECT_EQ(f.on_send(0), send_decision_t::queue);
  EXPECT_EQ(f.on_send(1), send_decision_t::drop);
  EXPECT_TRUE(f.drained(0));
}

}  // namespace
