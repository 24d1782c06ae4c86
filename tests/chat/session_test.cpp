// chat's session: the actions one page's messages lead to.
#include <gtest/gtest.h>

#include <string>

#include "json.hpp"
#include "session.hpp"

namespace {

using chat::action_t;
using kind_t = chat::action_t::kind_t;

constexpr std::int64_t t0 = 1'700'000'000'000;

std::string join(std::string_view name, std::string_view room, std::string_view id = "id-ann-1") {
  return chat::json_object_builder_t{}
      .add("type", "join")
      .add("name", name)
      .add("room", room)
      .add("id", id)
      .done();
}

std::string say(std::string_view text) {
  return chat::json_object_builder_t{}.add("type", "say").add("text", text).done();
}

bool has_code(const chat::actions_t& a, std::string_view code) {
  return a.size() == 1 && a[0].kind == kind_t::send &&
         a[0].payload.find("\"type\":\"error\",\"code\":\"" + std::string{code} + "\"") !=
             std::string::npos;
}

TEST(chat_session, greets_with_the_node_name_and_limits) {
  chat::session_t s{"node-a", "node-a/1"};
  const auto a = s.on_open();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, kind_t::send);
  EXPECT_NE(a[0].payload.find(R"("type":"hello","node":"node-a")"), std::string::npos);
}

TEST(chat_session, join_subscribes_welcomes_then_announces) {
  chat::session_t s{"A", "A/1"};
  const auto a = s.on_text(join("ann", "lobby"), t0);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0], (action_t{kind_t::subscribe, "chat/lobby", {}}));
  EXPECT_EQ(a[1].kind, kind_t::send);
  EXPECT_NE(a[1].payload.find(R"("type":"welcome","room":"lobby","name":"ann")"),
            std::string::npos);
  EXPECT_EQ(
      a[2],
      (action_t{kind_t::publish, "chat/lobby",
                R"({"type":"joined","name":"ann","id":"id-ann-1","session":"A/1","node":"A"})"}));
  EXPECT_TRUE(s.joined());
  EXPECT_EQ(s.room(), "lobby");
}

TEST(chat_session, say_publishes_to_the_room_and_echoes_the_same_message) {
  chat::session_t s{"A", "A/1"};
  s.on_text(join("ann", "lobby"), t0);
  const auto a = s.on_text(say("hello <all>"), t0 + 5);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].kind, kind_t::publish);
  EXPECT_EQ(a[0].topic, "chat/lobby");
  EXPECT_EQ(a[1].kind, kind_t::send);
  EXPECT_EQ(a[0].payload, a[1].payload);
  EXPECT_NE(a[0].payload.find(R"("text":"hello \u003call\u003e","ts":1700000000005)"),
            std::string::npos);
}

TEST(chat_session, refuses_say_and_here_before_join) {
  chat::session_t s{"A", "A/1"};
  EXPECT_TRUE(has_code(s.on_text(say("hi"), t0), "not_joined"));
  EXPECT_TRUE(has_code(s.on_text(R"({"type":"here"})", t0), "not_joined"));
}

TEST(chat_session, answers_bad_input_with_an_error_and_stays_usable) {
  chat::session_t s{"A", "A/1"};
  EXPECT_TRUE(has_code(s.on_text("{", t0), "bad_json"));
  EXPECT_TRUE(has_code(s.on_text(join(std::string(33, 'n'), "lobby"), t0), "name_too_long"));
  EXPECT_FALSE(s.joined());
  s.on_text(join("ann", "lobby"), t0);
  EXPECT_TRUE(has_code(s.on_text(say(std::string(1001, 'x')), t0), "text_too_long"));
  EXPECT_TRUE(has_code(s.on_binary(), "binary"));
  EXPECT_EQ(s.on_text(say("still here"), t0).size(), 2u);
}

TEST(chat_session, here_publishes_presence) {
  chat::session_t s{"B", "B/9"};
  s.on_text(join("bob", "lobby", "id-bob-1"), t0);
  const auto a = s.on_text(R"({"type":"here"})", t0);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(
      a[0],
      (action_t{kind_t::publish, "chat/lobby",
                R"({"type":"present","name":"bob","id":"id-bob-1","session":"B/9","node":"B"})"}));
}

TEST(chat_session, answers_ping_with_pong_before_and_after_join) {
  chat::session_t s{"A", "A/1"};
  const chat::actions_t pong{{kind_t::send, {}, R"({"type":"pong"})"}};
  EXPECT_EQ(s.on_text(R"({"type":"ping"})", t0), pong);
  s.on_text(join("ann", "lobby"), t0);
  EXPECT_EQ(s.on_text(R"({"type":"ping"})", t0), pong);
}

TEST(chat_session, ignores_pings_over_their_rate) {
  chat::session_t s{"A", "A/1"};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s.on_text(R"({"type":"ping"})", t0).size(), 1u);
  EXPECT_TRUE(s.on_text(R"({"type":"ping"})", t0).empty());
  EXPECT_EQ(s.on_text(R"({"type":"ping"})", t0 + 1000).size(), 1u);
}

TEST(chat_session, a_second_join_leaves_the_old_room_first) {
  chat::session_t s{"A", "A/1"};
  s.on_text(join("ann", "lobby"), t0);
  const auto a = s.on_text(join("ann", "games"), t0);
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].kind, kind_t::publish);
  EXPECT_EQ(a[0].topic, "chat/lobby");
  EXPECT_NE(a[0].payload.find(R"("type":"left")"), std::string::npos);
  EXPECT_EQ(a[1], (action_t{kind_t::unsubscribe, "chat/lobby", {}}));
  EXPECT_EQ(a[2], (action_t{kind_t::subscribe, "chat/games", {}}));
  EXPECT_EQ(a[4].topic, "chat/games");
}

TEST(chat_session, close_announces_left_once) {
  chat::session_t s{"A", "A/1"};
  EXPECT_TRUE(s.on_close().empty());  // never joined: nobody to tell
  s.on_text(join("ann", "lobby"), t0);
  const auto a = s.on_close();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(
      a[0],
      (action_t{kind_t::publish, "chat/lobby",
                R"({"type":"left","name":"ann","id":"id-ann-1","session":"A/1","node":"A"})"}));
  EXPECT_EQ(a[1].kind, kind_t::unsubscribe);
  EXPECT_TRUE(s.on_close().empty());
}

TEST(chat_session, limits_the_message_rate_per_page) {
  chat::session_t s{"A", "A/1"};
  s.on_text(join("ann", "lobby"), t0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(s.on_text(say("burst"), t0).size(), 2u) << i;
  EXPECT_TRUE(has_code(s.on_text(say("one too many"), t0), "rate_limited"));
  EXPECT_EQ(s.on_text(say("later"), t0 + 500).size(), 2u);  // one more every 500 ms
  EXPECT_TRUE(has_code(s.on_text(say("again"), t0 + 600), "rate_limited"));
}

TEST(chat_rate_limit, refills_up_to_capacity_and_survives_a_clock_going_back) {
  chat::rate_limit_t r{2, 100};
  EXPECT_TRUE(r.allow(1000));
  EXPECT_TRUE(r.allow(1000));
  EXPECT_FALSE(r.allow(1050));
  EXPECT_TRUE(r.allow(1100));
  EXPECT_TRUE(r.allow(10'000));  // long idle: full again, but no more than capacity
  EXPECT_TRUE(r.allow(10'000));
  EXPECT_FALSE(r.allow(10'000));
  EXPECT_FALSE(r.allow(5'000));  // back in time: no tokens appear
  EXPECT_TRUE(r.allow(5'100));
}

}  // namespace
