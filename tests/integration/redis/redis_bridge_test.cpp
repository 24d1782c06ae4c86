// The Redis bridge (restws/pubsub/redis_bridge.hpp) against a real redis-server: two restws
// servers ("nodes", each with its own hub and bridge) in this process share one Redis. Redis is
// started, stopped, restarted and paused (SIGSTOP) by the tests; every wait is bounded.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "integration/redis/redis_node.hpp"
#include "integration/redis/redis_server.hpp"
#include "redis/envelope.hpp"

namespace restws::testing {
namespace {

using namespace std::chrono_literals;
using pubsub::redis_detail::encode_envelope;

constexpr std::uint64_t foreign_node = 42;  // an envelope's sender that is none of the nodes

bool linked(const node_t& n, std::size_t channels) {
  const auto s = n.stats();
  return s.connected && s.channels == channels;
}

/// The payloads `client` receives until (and with) `last`, bounded.
std::vector<std::string> payloads_until(ws_test_client_t& client, const std::string& last) {
  std::vector<std::string> got;
  while (got.size() < 100) {
    got.push_back(next_payload(client));
    if (got.back() == last || got.back().empty()) break;
  }
  return got;
}

using strings = std::vector<std::string>;

TEST(redis_bridge, a_publish_on_one_node_reaches_every_subscriber_on_every_node_once) {
  redis_server_t redis;
  ASSERT_TRUE(redis.start()) << redis.error();
  auto log = std::make_shared<log_store_t>();
  node_t a{bridge_settings(redis.port(), log)};
  node_t b{bridge_settings(redis.port(), log)};
  auto a1 = a.subscriber("room");
  auto a2 = a.subscriber("room");
  auto b1 = b.subscriber("room");
  ASSERT_TRUE(eventually([&] { return linked(a, 1) && linked(b, 1); }));

  EXPECT_EQ(a.hub->publish("room", "from hub"), 2u);  // the local count
  ASSERT_TRUE(a1->send_frame(rws::opcode_t::text_frame, "pub:room:from a1"));
  // Once Redis has taken both, their echoes are on their way to A before anything published
  // later: B's "fence-b" reaching A proves that A skipped them (no duplicate came first).
  ASSERT_TRUE(eventually([&] { return a.stats().forwarded == 2; }));
  EXPECT_EQ(b.hub->publish("room", "fence-b"), 1u);
  EXPECT_EQ(payloads_until(*a1, "fence-b"), (strings{"from hub", "fence-b"}));
  EXPECT_EQ(payloads_until(*a2, "fence-b"), (strings{"from hub", "from a1", "fence-b"}));

  // The same for B: A's "fence-a", published once Redis took "fence-b", comes after all of A's
  // earlier messages on B's subscription; B's own "fence-b" was delivered locally, once.
  ASSERT_TRUE(eventually([&] { return b.stats().forwarded == 1; }));
  a.hub->publish("room", "fence-a");
  auto on_b = payloads_until(*b1, "fence-a");
  ASSERT_EQ(on_b.size(), 4u);
  EXPECT_EQ(on_b.back(), "fence-a");
  on_b.erase(std::find(on_b.begin(), on_b.end(), "fence-b"));
  EXPECT_EQ(on_b, (strings{"from hub", "from a1", "fence-a"}));
  EXPECT_EQ(next_payload(*a1), "fence-a");
  EXPECT_EQ(next_payload(*a2), "fence-a");

  EXPECT_EQ(a.stats().received, 1u);  // fence-b
  EXPECT_EQ(b.stats().received, 3u);
  EXPECT_EQ(a.stats().lost + b.stats().lost, 0u);
  EXPECT_EQ(a.stats().dropped + b.stats().dropped, 0u);
}

TEST(redis_bridge, the_channel_prefix_is_applied_and_keeps_applications_apart) {
  redis_server_t redis;
  ASSERT_TRUE(redis.start()) << redis.error();
  auto log = std::make_shared<log_store_t>();
  node_t a{bridge_settings(redis.port(), log, "app1:")};
  node_t b{bridge_settings(redis.port(), log, "app1:")};
  node_t c{bridge_settings(redis.port(), log, "app2:")};
  auto sa = a.subscriber("news");
  auto sb = b.subscriber("news");
  auto sc = c.subscriber("news");
  ASSERT_TRUE(eventually([&] { return linked(a, 1) && linked(b, 1) && linked(c, 1); }));
  EXPECT_EQ(redis.channels(), "app1:news\napp2:news");

  a.hub->publish("news", "for app1");
  EXPECT_EQ(next_payload(*sb), "for app1");
  // Redis took A's message before this one: had it crossed to app2, it would come first.
  ASSERT_TRUE(eventually([&] { return a.stats().forwarded == 1; }));
  EXPECT_EQ(redis.command({"PUBLISH", "app2:news",
                           encode_envelope(foreign_node, rws::opcode_t::text_frame, "for app2")}),
            "1");
  EXPECT_EQ(next_payload(*sc), "for app2");
  EXPECT_EQ(c.stats().received, 1u);
  EXPECT_EQ(next_payload(*sa), "for app1");
}

TEST(redis_bridge, subscribes_to_a_channel_only_while_a_local_connection_is_subscribed) {
  redis_server_t redis;
  ASSERT_TRUE(redis.start()) << redis.error();
  auto log = std::make_shared<log_store_t>();
  node_t a{bridge_settings(redis.port(), log, "t3:")};
  node_t b{bridge_settings(redis.port(), log, "t3:")};  // publishes; has no subscriber
  ASSERT_TRUE(eventually([&] { return linked(a, 0) && linked(b, 0); }));
  EXPECT_EQ(redis.channels("t3:*"), "");

  auto s1 = a.subscriber("x");
  auto s2 = a.subscriber("x");
  ASSERT_TRUE(eventually([&] { return redis.channels("t3:*") == "t3:x"; }));
  EXPECT_EQ(redis.command({"PUBSUB", "NUMSUB", "t3:x"}), "t3:x\n1");  // one per node, not client

  ASSERT_TRUE(s1->send_frame(rws::opcode_t::text_frame, "unsub:x"));
  EXPECT_EQ(next_payload(*s1), "ok:unsub:x");
  // s2 is still there: the channel stays, and B's publish reaches it.
  b.hub->publish("x", "still here");
  EXPECT_EQ(next_payload(*s2), "still here");
  EXPECT_EQ(redis.channels("t3:*"), "t3:x");

  s2.reset();  // the last local subscriber's TCP goes
  ASSERT_TRUE(eventually([&] { return redis.channels("t3:*").empty() && linked(a, 0); }));
  ASSERT_TRUE(eventually([&] { return b.stats().forwarded == 1; }));  // "still here"
  EXPECT_EQ(b.hub->publish("x", "nobody"), 0u);
  // Redis takes it while no node is subscribed: nobody ever gets it (had s3 subscribed first, A
  // would rightly have received it).
  ASSERT_TRUE(eventually([&] { return b.stats().forwarded == 2; }));

  auto s3 = a.subscriber("x");
  ASSERT_TRUE(eventually([&] { return redis.channels("t3:*") == "t3:x" && linked(a, 1); }));
  b.hub->publish("x", "back");
  EXPECT_EQ(next_payload(*s3), "back");
  EXPECT_EQ(next_payload(*s1, 200ms), "");  // left the topic: nothing since its ok
}

TEST(redis_bridge, serves_local_topics_while_redis_is_down_and_joins_once_it_starts) {
  redis_server_t redis;  // its port, nothing listening yet
  auto log = std::make_shared<log_store_t>();
  node_t a{bridge_settings(redis.port(), log)};
  node_t b{bridge_settings(redis.port(), log)};
  auto sa = a.subscriber("t");
  auto sb = b.subscriber("t");
  EXPECT_EQ(a.hub->publish("t", "while down"), 1u);
  EXPECT_EQ(next_payload(*sa), "while down");
  EXPECT_EQ(a.stats().lost, 1u);
  EXPECT_FALSE(a.stats().connected);
  ASSERT_TRUE(eventually([&] { return b.stats().disconnects >= 4; }));  // retrying
  EXPECT_TRUE(log->contains("failed ("));

  ASSERT_TRUE(redis.start()) << redis.error();
  ASSERT_TRUE(eventually([&] { return linked(a, 1) && linked(b, 1); }));
  EXPECT_TRUE(log->contains("up"));
  a.hub->publish("t", "now");
  EXPECT_EQ(next_payload(*sb), "now");  // the first thing B's subscriber gets
  EXPECT_EQ(next_payload(*sa), "now");
}

TEST(redis_bridge, reconnects_and_resubscribes_when_redis_restarts) {
  redis_server_t redis;
  ASSERT_TRUE(redis.start()) << redis.error();
  auto log = std::make_shared<log_store_t>();
  node_t a{bridge_settings(redis.port(), log)};
  node_t b{bridge_settings(redis.port(), log)};
  auto sa = a.subscriber("t");
  auto sb = b.subscriber("t");
  auto sb2 = b.subscriber("u");
  ASSERT_TRUE(eventually([&] { return linked(a, 1) && linked(b, 2); }));
  a.hub->publish("t", "before");
  EXPECT_EQ(next_payload(*sb), "before");
  EXPECT_EQ(next_payload(*sa), "before");

  redis.stop();
  ASSERT_TRUE(eventually([&] { return !a.stats().connected && !b.stats().connected; }));
  EXPECT_TRUE(log->contains("subscribe connection to 127.0.0.1:" + std::to_string(redis.port()) +
                            " lost ("));
  const auto lost = a.stats().lost;
  EXPECT_EQ(a.hub->publish("t", "local only"), 1u);
  EXPECT_EQ(next_payload(*sa), "local only");
  // Counted at once if A saw its publish connection go, else when Redis fails to answer it.
  EXPECT_TRUE(eventually([&] { return a.stats().lost == lost + 1; }));

  ASSERT_TRUE(redis.start()) << redis.error();
  ASSERT_TRUE(eventually([&] { return linked(a, 1) && linked(b, 2); }));
  EXPECT_TRUE(log->contains("resubscribed 1 channel"));
  EXPECT_TRUE(log->contains("resubscribed 2 channels"));
  EXPECT_EQ(redis.channels(), "restws:t\nrestws:u");
  a.hub->publish("t", "after");
  a.hub->publish("u", "after u");
  EXPECT_EQ(next_payload(*sb), "after");  // not "local only": lost while down, not replayed
  EXPECT_EQ(next_payload(*sb2), "after u");
  EXPECT_GE(a.stats().connects, 4u);  // both connections, twice
}

TEST(redis_bridge, a_stalled_redis_bounds_what_waits_and_holds_up_no_local_delivery) {
  redis_server_t redis;
  ASSERT_TRUE(redis.start()) << redis.error();
  auto log = std::make_shared<log_store_t>();
  auto settings = bridge_settings(redis.port(), log);
  constexpr std::size_t cap = 64 * 1024;
  settings.max_pending_bytes = cap;
  node_t a{settings};
  node_t b{bridge_settings(redis.port(), log)};
  auto sa = a.subscriber("t");
  auto sb = b.subscriber("t");
  ASSERT_TRUE(eventually([&] { return linked(a, 1) && linked(b, 1); }));

  redis.pause();
  constexpr int messages = 200;  // 1 KiB each: about three times the cap
  for (int i = 0; i < messages; ++i) {
    std::string p = std::to_string(i) + ":";
    p.resize(1024, 'x');
    EXPECT_EQ(a.hub->publish("t", std::move(p)), 1u);
  }
  for (int i = 0; i < messages; ++i) {
    const auto p = next_payload(*sa);
    ASSERT_EQ(p.substr(0, p.find(':')), std::to_string(i));  // every one, in order, at once
  }
  const auto stalled = a.stats();
  EXPECT_LE(stalled.pending_bytes, cap);
  EXPECT_GT(stalled.lost, 100u);
  EXPECT_EQ(stalled.forwarded, 0u);

  redis.resume();
  ASSERT_TRUE(eventually([&] { return a.stats().pending_bytes == 0; }));
  const auto after = a.stats();
  EXPECT_EQ(after.forwarded + after.lost, static_cast<std::uint64_t>(messages));
  // B gets what was forwarded, in order, then what is published now.
  int last = -1;
  for (std::uint64_t i = 0; i < after.forwarded; ++i) {
    const auto p = next_payload(*sb);
    ASSERT_FALSE(p.empty()) << i;
    const int n = std::stoi(p.substr(0, p.find(':')));
    EXPECT_GT(n, last);
    last = n;
  }
  a.hub->publish("t", "recovered");
  EXPECT_EQ(next_payload(*sb), "recovered");
  EXPECT_EQ(next_payload(*sa), "recovered");
}

TEST(redis_bridge, refuses_what_is_not_an_envelope_or_too_large_and_counts_it) {
  redis_server_t redis;
  ASSERT_TRUE(redis.start()) << redis.error();
  auto log = std::make_shared<log_store_t>();
  auto settings = bridge_settings(redis.port(), log);
  settings.max_message_bytes = 1024;
  node_t a{settings};
  auto s = a.subscriber("t");
  ASSERT_TRUE(eventually([&] { return linked(a, 1); }));
  EXPECT_EQ(redis.command({"PUBLISH", "restws:t", "hello from redis-cli"}), "1");
  EXPECT_EQ(redis.command({"PUBLISH", "restws:t",
                           encode_envelope(foreign_node, rws::opcode_t::text_frame,
                                           std::string(1024, 'x'))}),  // over with its header
            "1");
  EXPECT_EQ(redis.command({"PUBLISH", "restws:t",
                           encode_envelope(foreign_node, rws::opcode_t::binary_frame, "ok")}),
            "1");
  const auto f = s->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "ok");  // neither the malformed nor the large one reached the receiver
  EXPECT_EQ(f->opcode, rws::opcode_t::binary_frame);
  EXPECT_EQ(a.stats().dropped, 2u);
  EXPECT_EQ(a.stats().received, 1u);
  EXPECT_TRUE(log->contains("not a restws envelope"));
}

TEST(redis_bridge, a_redis_never_reachable_costs_only_lost_publishes_and_closes_cleanly) {
  redis_server_t redis;  // never started
  auto log = std::make_shared<log_store_t>();
  node_t a{bridge_settings(redis.port(), log)};
  auto s = a.subscriber("t");
  ASSERT_TRUE(eventually([&] { return a.stats().disconnects >= 4; }));
  EXPECT_EQ(log->count("failed ("), 2u);  // once per connection, not per attempt
  EXPECT_EQ(a.hub->publish("t", "hi"), 1u);
  EXPECT_EQ(next_payload(*s), "hi");
  EXPECT_EQ(a.stats().lost, 1u);
  s.reset();
  a.close();  // detach() frees what the bridge holds on the io_context, mid-retry
  const auto stopped = a.stats().disconnects;
  EXPECT_FALSE(a.stats().connected);
  EXPECT_EQ(a.stats().disconnects, stopped);
}

TEST(redis_bridge, a_connect_that_hangs_times_out_and_is_retried) {
  // A listener whose accept queue is full: the kernel drops further SYNs, so a connect to it
  // neither succeeds nor fails until the bridge gives up on it.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 2; ++i) {  // backlog 0 holds one; the second waits in SYN-sent
    fillers.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    ::connect(fillers.back(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  auto log = std::make_shared<log_store_t>();
  auto settings = bridge_settings(ntohs(addr.sin_port), log);
  settings.connect_timeout = 100ms;
  {
    node_t a{settings};
    EXPECT_TRUE(log->wait_for("failed (connect timed out)", 5s));
    ASSERT_TRUE(eventually([&] { return a.stats().disconnects >= 4; }));  // and again
    EXPECT_FALSE(a.stats().connected);
  }
  for (const int fd : fillers) ::close(fd);
  ::close(listener);
}

}  // namespace
}  // namespace restws::testing
