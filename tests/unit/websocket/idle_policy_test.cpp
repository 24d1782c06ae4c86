// Keep-alive and idle timeout deadlines (src/websocket/idle_policy.hpp), without sockets.

#include "websocket/idle_policy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

namespace {
namespace rws = restws::websocket::basic;
using rws::detail::idle_action_t;
using rws::detail::idle_decision_t;
using rws::detail::idle_policy_t;
using namespace std::chrono_literals;

constexpr idle_decision_t nothing{idle_action_t::none, false};
constexpr idle_decision_t ping{idle_action_t::ping, true};
constexpr idle_decision_t waiting{idle_action_t::none, true};  // ping out, no answer yet

TEST(idle_policy, zero_timeout_turns_timeout_and_pings_off) {
  const auto p = idle_policy_t::from(0ms, true);
  EXPECT_FALSE(p.enabled());
  EXPECT_FALSE(p.send_pings);
  EXPECT_EQ(p.check(1'000'000, 0, false), nothing);
}

TEST(idle_policy, a_connection_heard_from_lately_is_left_alone) {
  const auto p = idle_policy_t::from(1000ms, true);
  EXPECT_EQ(p.check(5000, 5000, false), nothing);
  EXPECT_EQ(p.check(5499, 5000, false), nothing);
}

TEST(idle_policy, pings_once_when_quiet_for_half_the_timeout) {
  const auto p = idle_policy_t::from(1000ms, true);
  EXPECT_EQ(p.check(5500, 5000, false), ping);
  EXPECT_EQ(p.check(5600, 5000, true), waiting);  // one ping per quiet spell
  EXPECT_EQ(p.check(5999, 5000, true), waiting);
}

TEST(idle_policy, an_answer_rearms_the_ping) {
  const auto p = idle_policy_t::from(1000ms, true);
  // The pong arrived at 5700 (the read stamped it): the outstanding ping is forgotten, and the
  // next quiet spell pings again.
  EXPECT_EQ(p.check(5800, 5700, true), nothing);
  EXPECT_EQ(p.check(6200, 5700, false), ping);
}

TEST(idle_policy, closes_at_the_timeout_whether_or_not_a_ping_is_out) {
  const auto p = idle_policy_t::from(1000ms, true);
  EXPECT_EQ(p.check(6000, 5000, true), (idle_decision_t{idle_action_t::close, true}));
  EXPECT_EQ(p.check(9000, 5000, false), (idle_decision_t{idle_action_t::close, false}));
}

TEST(idle_policy, without_pings_only_the_timeout_acts) {
  const auto p = idle_policy_t::from(1000ms, false);
  EXPECT_TRUE(p.enabled());
  EXPECT_EQ(p.check(5500, 5000, false), nothing);
  EXPECT_EQ(p.check(5999, 5000, false), nothing);
  EXPECT_EQ(p.check(6000, 5000, false).action, idle_action_t::close);
}

TEST(idle_policy, the_clock_may_wrap_between_the_read_and_the_check) {
  const auto p = idle_policy_t::from(1000ms, true);
  const std::uint32_t before_wrap = UINT32_MAX - 100;
  EXPECT_EQ(p.check(before_wrap + 300u, before_wrap, false), nothing);  // 300 ms, wrapped
  EXPECT_EQ(p.check(before_wrap + 600u, before_wrap, false), ping);
  EXPECT_EQ(p.check(before_wrap + 1000u, before_wrap, true).action, idle_action_t::close);
}

TEST(idle_policy, check_period_is_an_eighth_of_the_timeout_within_10_ms_and_1_s) {
  EXPECT_EQ(idle_policy_t::from(120s, true).check_period(), 1000ms);
  EXPECT_EQ(idle_policy_t::from(4s, true).check_period(), 500ms);
  EXPECT_EQ(idle_policy_t::from(40ms, true).check_period(), 10ms);
}

TEST(idle_policy, timeouts_beyond_the_clock_are_clamped_not_wrapped) {
  const auto p = idle_policy_t::from(std::chrono::hours{24 * 365}, true);
  EXPECT_TRUE(p.enabled());
  EXPECT_EQ(p.timeout_ms, static_cast<std::uint32_t>(INT32_MAX));
  EXPECT_EQ(idle_policy_t::from(-5ms, true).enabled(), false);
}

}  // namespace
