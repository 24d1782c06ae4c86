// Topic T is Redis channel prefix + T (src/redis/channel_name.hpp).

#include "redis/channel_name.hpp"

#include <gtest/gtest.h>

namespace restws::pubsub::redis_detail {
namespace {

TEST(redis_channel_name, is_prefix_then_topic) {
  EXPECT_EQ(channel_of("restws:", "room/lobby"), "restws:room/lobby");
  EXPECT_EQ(channel_of("", "room/lobby"), "room/lobby");
}

TEST(redis_channel_name, maps_back_to_the_topic_under_the_prefix_only) {
  EXPECT_EQ(topic_of("app:", "app:news"), "news");
  EXPECT_EQ(topic_of("app:", "app:"), "");
  EXPECT_FALSE(topic_of("app:", "other:news"));
  EXPECT_FALSE(topic_of("app:", "app"));
  EXPECT_EQ(topic_of("", "news"), "news");
}

}  // namespace
}  // namespace restws::pubsub::redis_detail
