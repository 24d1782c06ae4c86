// Which channels the subscribe connection is on and what it sends next
// (src/redis/subscription_book.hpp).

#include "redis/subscription_book.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace restws::pubsub::redis_detail {
namespace {

using commands = std::vector<subscription_command_t>;
const subscription_command_t sub(const char* c) { return {true, c}; }
const subscription_command_t unsub(const char* c) { return {false, c}; }

TEST(redis_subscription_book, sends_nothing_while_the_connection_is_down) {
  subscription_book_t b;
  b.set_active("p:a", true);
  EXPECT_EQ(b.take_commands(), commands{});
  EXPECT_EQ(b.wanted_count(), 1u);
  EXPECT_EQ(b.subscribed_count(), 0u);
}

TEST(redis_subscription_book, subscribes_what_is_active_once_up_and_counts_confirmations) {
  subscription_book_t b;
  b.set_active("p:a", true);
  b.set_active("p:b", true);
  b.connection_up();
  EXPECT_EQ(b.take_commands(), (commands{sub("p:a"), sub("p:b")}));
  EXPECT_EQ(b.take_commands(), commands{});  // in flight: not sent twice
  b.confirmed("p:a", true);
  EXPECT_EQ(b.subscribed_count(), 1u);
  b.confirmed("p:b", true);
  EXPECT_EQ(b.subscribed_count(), 2u);
  EXPECT_EQ(b.take_commands(), commands{});
}

TEST(redis_subscription_book, unsubscribes_when_the_last_local_subscriber_leaves) {
  subscription_book_t b;
  b.connection_up();
  b.set_active("p:a", true);
  ASSERT_EQ(b.take_commands(), commands{sub("p:a")});
  b.confirmed("p:a", true);
  b.set_active("p:a", false);
  EXPECT_TRUE(!b.wanted("p:a"));
  EXPECT_EQ(b.take_commands(), commands{unsub("p:a")});
  b.confirmed("p:a", false);
  EXPECT_EQ(b.subscribed_count(), 0u);
  EXPECT_EQ(b.take_commands(), commands{});
}

TEST(redis_subscription_book, a_topic_that_flaps_waits_for_redis_before_its_next_command) {
  subscription_book_t b;
  b.connection_up();
  b.set_active("p:a", true);
  ASSERT_EQ(b.take_commands(), commands{sub("p:a")});
  b.set_active("p:a", false);  // before Redis answered
  b.set_active("p:a", true);
  b.set_active("p:a", false);
  EXPECT_EQ(b.take_commands(), commands{});  // the subscribe is still in flight
  b.confirmed("p:a", true);
  EXPECT_EQ(b.take_commands(), commands{unsub("p:a")});
  b.set_active("p:a", true);
  b.confirmed("p:a", false);
  EXPECT_EQ(b.take_commands(), commands{sub("p:a")});
}

TEST(redis_subscription_book, active_then_inactive_while_down_sends_nothing) {
  subscription_book_t b;
  b.set_active("p:a", true);
  b.set_active("p:a", false);
  b.connection_up();
  EXPECT_EQ(b.take_commands(), commands{});
  EXPECT_EQ(b.wanted_count(), 0u);
}

TEST(redis_subscription_book, after_a_reconnect_resubscribes_every_active_channel) {
  subscription_book_t b;
  b.connection_up();
  b.set_active("p:a", true);
  b.set_active("p:b", true);
  b.set_active("p:c", true);
  for (const auto& c : b.take_commands()) b.confirmed(c.channel, true);
  b.set_active("p:c", false);
  ASSERT_EQ(b.take_commands(), commands{unsub("p:c")});  // lost with the connection
  b.connection_down();
  EXPECT_EQ(b.subscribed_count(), 0u);
  b.confirmed("p:c", false);  // a late reply of the old connection changes nothing
  b.set_active("p:d", true);  // while down
  EXPECT_EQ(b.take_commands(), commands{});
  b.connection_up();
  EXPECT_EQ(b.take_commands(), (commands{sub("p:a"), sub("p:b"), sub("p:d")}));
  EXPECT_EQ(b.wanted_count(), 3u);
}

TEST(redis_subscription_book, repeated_activity_changes_count_once) {
  subscription_book_t b;
  b.set_active("p:a", true);
  b.set_active("p:a", true);
  EXPECT_EQ(b.wanted_count(), 1u);
  b.set_active("p:a", false);
  b.set_active("p:a", false);
  b.set_active("p:never", false);
  EXPECT_EQ(b.wanted_count(), 0u);
}

}  // namespace
}  // namespace restws::pubsub::redis_detail
