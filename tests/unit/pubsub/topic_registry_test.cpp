// The per-reactor registry of topics (src/pubsub/topic_registry.hpp): counts, activation
// changes, leaving everything, and walks that see subscribers join and leave meanwhile.

#include "pubsub/topic_registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace restws::pubsub::detail {
namespace {

struct sub_t {
  int id;
};
using registry_t = topic_registry_t<sub_t>;

std::vector<int> walk(registry_t& r, std::string_view topic) {
  std::vector<int> ids;
  r.for_each_subscriber(topic, [&](sub_t& s) { ids.push_back(s.id); });
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(topic_registry, the_first_subscriber_activates_a_topic_and_the_last_deactivates_it) {
  registry_t r;
  sub_t a{1}, b{2};
  EXPECT_EQ(r.subscribe(&a, "news"), topic_change_t::activated);
  EXPECT_EQ(r.subscribe(&b, "news"), topic_change_t::added);
  EXPECT_EQ(r.subscriber_count("news"), 2u);
  EXPECT_EQ(r.topic_count(), 1u);
  EXPECT_EQ(r.unsubscribe(&a, "news"), topic_change_t::removed);
  EXPECT_EQ(r.unsubscribe(&b, "news"), topic_change_t::deactivated);
  EXPECT_EQ(r.subscriber_count("news"), 0u);
  EXPECT_EQ(r.topic_count(), 0u);
}

TEST(topic_registry, subscribing_twice_or_leaving_what_was_not_joined_changes_nothing) {
  registry_t r;
  sub_t a{1};
  EXPECT_EQ(r.unsubscribe(&a, "news"), topic_change_t::none);
  EXPECT_EQ(r.subscribe(&a, "news"), topic_change_t::activated);
  EXPECT_EQ(r.subscribe(&a, "news"), topic_change_t::none);
  EXPECT_EQ(r.subscriber_count("news"), 1u);
  EXPECT_EQ(r.unsubscribe(&a, "sport"), topic_change_t::none);
  EXPECT_TRUE(r.is_subscribed(&a, "news"));
  EXPECT_FALSE(r.is_subscribed(&a, "sport"));
}

TEST(topic_registry, topics_are_exact_strings) {
  registry_t r;
  sub_t a{1};
  r.subscribe(&a, "room/1");
  EXPECT_FALSE(r.is_subscribed(&a, "room/10"));
  EXPECT_FALSE(r.is_subscribed(&a, "Room/1"));
  EXPECT_FALSE(r.is_subscribed(&a, "room/"));
  EXPECT_EQ(r.subscribe(&a, ""), topic_change_t::activated);  // the empty topic is a topic
  EXPECT_EQ(walk(r, ""), std::vector<int>{1});
  EXPECT_TRUE(walk(r, "room/10").empty());
}

TEST(topic_registry, leaving_everything_reports_each_topic_and_which_went_empty) {
  registry_t r;
  sub_t a{1}, b{2};
  r.subscribe(&a, "x");
  r.subscribe(&a, "y");
  r.subscribe(&a, "z");
  r.subscribe(&b, "y");
  std::vector<std::pair<std::string, topic_change_t>> left;
  r.unsubscribe_all(&a, [&](std::string_view n, topic_change_t c) { left.emplace_back(n, c); });
  std::sort(left.begin(), left.end());
  const std::vector<std::pair<std::string, topic_change_t>> expected{
      {"x", topic_change_t::deactivated},
      {"y", topic_change_t::removed},
      {"z", topic_change_t::deactivated}};
  EXPECT_EQ(left, expected);
  EXPECT_FALSE(r.has_topics(&a));
  EXPECT_TRUE(r.has_topics(&b));
  EXPECT_EQ(walk(r, "y"), std::vector<int>{2});
  EXPECT_EQ(r.topic_count(), 1u);
  r.unsubscribe_all(&a, [&](std::string_view, topic_change_t) { ADD_FAILURE(); });
}

TEST(topic_registry, a_walk_sees_every_subscriber_once) {
  registry_t r;
  std::vector<sub_t> subs;
  for (int i = 0; i < 1000; ++i) subs.push_back({i});
  for (auto& s : subs) r.subscribe(&s, "t");
  // Leaving from the middle moves the last member into the hole: nobody is lost or doubled.
  for (int i = 0; i < 1000; i += 3) r.unsubscribe(&subs[static_cast<std::size_t>(i)], "t");
  const auto ids = walk(r, "t");
  std::vector<int> expected;
  for (int i = 0; i < 1000; ++i)
    if (i % 3 != 0) expected.push_back(i);
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(r.subscriber_count("t"), expected.size());
}

TEST(topic_registry, subscribers_leaving_during_a_walk_are_skipped_and_tidied_after) {
  registry_t r;
  std::vector<sub_t> subs;
  for (int i = 0; i < 10; ++i) subs.push_back({i});
  for (auto& s : subs) r.subscribe(&s, "t");
  std::vector<int> seen;
  r.for_each_subscriber("t", [&](sub_t& s) {
    seen.push_back(s.id);
    if (seen.size() == 1)  // the first one called makes every other even one leave
      for (auto& o : subs)
        if (o.id % 2 == 0 && o.id != s.id) r.unsubscribe(&o, "t");
  });
  for (int id : seen) {
    if (id != seen.front()) {
      EXPECT_NE(id % 2, 0) << id;
    }
  }
  EXPECT_EQ(r.subscriber_count("t"), seen.front() % 2 == 0 ? 6u : 5u);
  // After the walk, the holes are gone: a new walk sees exactly the members.
  const auto after = walk(r, "t");
  EXPECT_EQ(after.size(), r.subscriber_count("t"));
}

TEST(topic_registry, subscribers_joining_during_a_walk_wait_for_the_next_one) {
  registry_t r;
  sub_t a{1}, b{2}, c{3};
  r.subscribe(&a, "t");
  std::vector<int> seen;
  r.for_each_subscriber("t", [&](sub_t& s) {
    seen.push_back(s.id);
    r.subscribe(&b, "t");
    r.subscribe(&c, "t");
  });
  EXPECT_EQ(seen, std::vector<int>{1});
  EXPECT_EQ(walk(r, "t"), (std::vector<int>{1, 2, 3}));
}

TEST(topic_registry, a_topic_emptied_during_a_walk_goes_when_the_walk_ends) {
  registry_t r;
  sub_t a{1}, b{2};
  r.subscribe(&a, "t");
  r.subscribe(&b, "t");
  std::size_t calls = 0;
  const std::size_t n = r.for_each_subscriber("t", [&](sub_t&) {
    ++calls;
    r.unsubscribe_all(&a, [](std::string_view, topic_change_t) {});
    r.unsubscribe_all(&b, [](std::string_view, topic_change_t) {});
  });
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(r.topic_count(), 0u);
  EXPECT_TRUE(walk(r, "t").empty());
  // And it can come back.
  EXPECT_EQ(r.subscribe(&a, "t"), topic_change_t::activated);
}

TEST(topic_registry, nested_walks_of_one_topic_tidy_only_at_the_outermost_end) {
  registry_t r;
  sub_t a{1}, b{2}, c{3};
  r.subscribe(&a, "t");
  r.subscribe(&b, "t");
  r.subscribe(&c, "t");
  std::vector<int> inner;
  bool nested = false;
  r.for_each_subscriber("t", [&](sub_t& s) {
    if (nested) return;
    nested = true;
    r.unsubscribe(s.id == 2 ? &a : &b, "t");
    r.for_each_subscriber("t", [&](sub_t& t) { inner.push_back(t.id); });
  });
  std::sort(inner.begin(), inner.end());
  EXPECT_EQ(inner.size(), 2u);
  EXPECT_EQ(walk(r, "t").size(), 2u);
}

}  // namespace
}  // namespace restws::pubsub::detail
