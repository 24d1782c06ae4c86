// Topics over real loopback sockets (restws/websocket/topics.hpp): subscribers on several reactor
// threads, publishing from the hub and from a connection, leaving on close, a slow receiver,
// receivers closing mid-publish, subscribe/unsubscribe racing publish from other threads (also
// run under ThreadSanitizer: the tsan preset), and compressed fan-out.

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "integration/test_server.hpp"
#include "integration/ws_test_client.hpp"
#include "restws/all.hpp"
#include "restws/websocket/protocol/message_inflater.hpp"
#include "restws/websocket/websocket.hpp"

namespace restws::testing {
namespace {

namespace rws = restws::websocket::basic;
using traits_t = restws::traits_t<restws::asio_timer_manager_t, capturing_logger_t>;
using opcode_t = rws::opcode_t;
using clock_type = std::chrono::steady_clock;

bool io_uring_run() {
  const char* v = std::getenv("RESTWS_TEST_WS_IO_URING");
  return v != nullptr && std::string_view{v} == "1";
}

/// Waits (bounded) until `pred` holds, looking again whenever the server's state may have
/// changed; there is no event to wait on for a count kept by the library, so this polls.
template <typename P>
bool eventually(P pred, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = clock_type::now() + timeout;
  while (!pred()) {
    if (clock_type::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

/// a + b (GCC 12's -Wrestrict misfires on "literal" + std::string).
std::string cat(std::string_view a, std::string_view b) {
  std::string s{a};
  s.append(b);
  return s;
}

// The server's side: each connection's handle by connection id; text commands from clients.
//   "sub:T" / "unsub:T"   subscribe / leave topic T, then answer "ok:sub:T" / "ok:unsub:T"
//   "pub:T:PAYLOAD"       wsh->publish(T, PAYLOAD) (everyone subscribed but the sender)
struct handles_t {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<rws::ws_handle_t> all;
  std::atomic<std::size_t> closes{0};
  std::promise<void> blocked;  ///< set when a "block" command holds the reactor
  std::shared_future<void> unblock;
};

class websocket_topics : public ::testing::Test {
 protected:
  void start(std::size_t threads, rws::ws_settings_t settings = {}) {
    settings.io_uring = io_uring_run() ? rws::io_uring_mode_t::on : rws::io_uring_mode_t::off;
    auto handles = handles_;
    server_ = std::make_unique<http_server_t<traits_t>>(
        on_thread_pool<traits_t>(threads)
            .port(0)
            .address("127.0.0.1")
            .logger(log_)
            .topics(hub_)
            .request_handler([handles, settings](request_handle_t req) {
              auto wsh = rws::upgrade<traits_t>(
                  *req, rws::activation_t::immediate,
                  [handles](rws::ws_handle_t wsh, rws::message_handle_t m) {
                    if (m->opcode() == opcode_t::connection_close_frame) {
                      ++handles->closes;
                      return;
                    }
                    if (m->opcode() != opcode_t::text_frame) return;
                    const std::string p{m->payload()};
                    if (p.starts_with("sub:")) {
                      wsh->subscribe(p.substr(4));
                      wsh->send_message(rws::final_frame, opcode_t::text_frame, cat("ok:", p));
                    } else if (p.starts_with("unsub:")) {
                      wsh->unsubscribe(p.substr(6));
                      wsh->send_message(rws::final_frame, opcode_t::text_frame, cat("ok:", p));
                    } else if (p == "block") {  // holds this reactor thread
                      handles->blocked.set_value();
                      handles->unblock.wait();
                    } else if (p.starts_with("pub:")) {
                      const auto colon = p.find(':', 4);
                      wsh->publish(p.substr(4, colon - 4), p.substr(colon + 1));
                    }
                  },
                  settings);
              std::lock_guard lock{handles->mutex};
              handles->all.push_back(wsh);
              handles->changed.notify_all();
              return request_accepted();
            }));
    server_->open();
  }

  /// A client subscribed to `topic` (the server said so).
  std::unique_ptr<ws_test_client_t> subscriber(std::string_view topic, int receive_buffer = 0,
                                               std::string_view fields = "") {
    auto c = std::make_unique<ws_test_client_t>(server_->port(), receive_buffer);
    EXPECT_TRUE(c->connected());
    EXPECT_NE(c->handshake("/t", "13", fields).find(" 101 "), std::string::npos);
    EXPECT_TRUE(c->send_frame(opcode_t::text_frame, cat("sub:", topic)));
    const auto ok = c->read_frame(5s);
    EXPECT_TRUE(ok && ok->payload == cat("ok:sub:", topic));
    return c;
  }

  void TearDown() override {
    {
      std::lock_guard lock{handles_->mutex};
      handles_->all.clear();
    }
    if (server_) server_->close();
  }

  std::shared_ptr<log_store_t> log_ = std::make_shared<log_store_t>();
  std::shared_ptr<handles_t> handles_ = std::make_shared<handles_t>();
  rws::topic_hub_handle_t hub_ = rws::topic_hub_t::make(pending_limit);
  static constexpr std::size_t pending_limit = 256 * 1024;
  std::unique_ptr<http_server_t<traits_t>> server_;
};

std::string numbered(int i, std::size_t size = 0) {
  std::string p = std::to_string(i) + ":";
  if (p.size() < size) p.append(size - p.size(), 'x');
  return p;
}

int number_of(const std::string& payload) {
  return std::stoi(payload.substr(0, payload.find(':')));
}

// ---- delivery --------------------------------------------------------------------------------

TEST_F(websocket_topics, subscribers_on_every_reactor_thread_get_each_message_once_in_order) {
  start(3);
  std::vector<std::unique_ptr<ws_test_client_t>> clients;
  for (int i = 0; i < 30; ++i) clients.push_back(subscriber("news"));
  EXPECT_EQ(hub_->subscriber_count("news"), 30u);
  EXPECT_EQ(hub_->topics(), std::vector<std::string>{"news"});
  constexpr int messages = 50;
  for (int i = 0; i < messages; ++i) EXPECT_EQ(hub_->publish("news", numbered(i)), 30u);
  for (auto& c : clients) {
    for (int i = 0; i < messages; ++i) {
      const auto f = c->read_frame(5s);
      ASSERT_TRUE(f) << "message " << i;
      EXPECT_EQ(f->opcode, opcode_t::text_frame);
      EXPECT_FALSE(f->rsv1);
      EXPECT_EQ(f->payload, numbered(i));
    }
  }
  const auto s = hub_->stats();
  EXPECT_EQ(s.published, static_cast<std::uint64_t>(messages));
  EXPECT_EQ(s.deliveries, 30u * messages);
  EXPECT_EQ(s.dropped, 0u);
}

TEST_F(websocket_topics, a_topic_nobody_joined_reaches_nobody_and_other_topics_are_apart) {
  start(2);
  auto a = subscriber("a");
  auto b = subscriber("b");
  EXPECT_EQ(hub_->publish("c", "lost"), 0u);
  EXPECT_EQ(hub_->publish("a", "for a"), 1u);
  EXPECT_EQ(hub_->publish("b", "for b", opcode_t::binary_frame), 1u);
  auto f = a->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "for a");
  f = b->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::binary_frame);
  EXPECT_EQ(f->payload, "for b");
  EXPECT_FALSE(a->read_frame(100ms));
  EXPECT_EQ(hub_->stats().published, 2u);
}

TEST_F(websocket_topics, a_connection_publishing_is_skipped_and_the_others_get_it) {
  start(2);
  auto a = subscriber("room");
  auto b = subscriber("room");
  auto c = subscriber("room");
  ASSERT_TRUE(a->send_frame(opcode_t::text_frame, "pub:room:hello from a"));
  for (auto* other : {b.get(), c.get()}) {
    const auto f = other->read_frame(5s);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, "hello from a");
  }
  // The next thing a gets is what the hub publishes after: a got nothing of its own.
  hub_->publish("room", "from the hub");
  const auto f = a->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "from the hub");
}

TEST_F(websocket_topics, an_empty_message_is_published_as_an_empty_frame) {
  start(1);
  auto a = subscriber("t");
  hub_->publish("t", "");
  const auto f = a->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::text_frame);
  EXPECT_TRUE(f->payload.empty());
}

TEST_F(websocket_topics, control_opcodes_cannot_be_published) {
  start(1);
  EXPECT_THROW(hub_->publish("t", "x", opcode_t::ping_frame), std::invalid_argument);
  EXPECT_THROW(hub_->publish("t", "x", opcode_t::continuation_frame), std::invalid_argument);
  EXPECT_THROW(hub_->publish("t", "x", opcode_t::connection_close_frame), std::invalid_argument);
}

TEST_F(websocket_topics, the_server_has_its_own_hub_when_none_is_given) {
  auto server = std::make_unique<http_server_t<traits_t>>(
      on_this_thread<traits_t>()
          .port(0)
          .address("127.0.0.1")
          .logger(log_)
          .request_handler([](request_handle_t req) {
            rws::ws_settings_t ws;
            ws.keep_open = true;  // no registry of handles: the library holds it open
            auto wsh = rws::upgrade<traits_t>(
                *req, rws::activation_t::immediate, [](rws::ws_handle_t, rws::message_handle_t) {},
                ws);
            wsh->subscribe("t");
            return request_accepted();
          }));
  server->open();
  ws_test_client_t c{server->port()};
  ASSERT_NE(c.handshake("/t").find(" 101 "), std::string::npos);
  ASSERT_TRUE(eventually([&] { return server->topics().subscriber_count("t") == 1; }));
  EXPECT_EQ(hub_->subscriber_count("t"), 0u);  // not the fixture's hub
  server->topics().publish("t", "hello");
  const auto f = c.read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "hello");
  ASSERT_TRUE(c.send_frame(opcode_t::connection_close_frame, std::string{"\x03\xe8", 2}));
  EXPECT_TRUE(c.wait_for_eof(5s));
  c.reset();  // our end of TCP too: the server's close is then complete
  server->close();
}

// ---- joining and leaving ---------------------------------------------------------------------

TEST_F(websocket_topics, unsubscribing_stops_delivery_and_is_subscribed_says_so) {
  start(2);
  auto a = subscriber("t");
  auto b = subscriber("t");
  rws::ws_handle_t ha;
  {
    std::lock_guard lock{handles_->mutex};
    ha = handles_->all.front();
  }
  EXPECT_TRUE(ha->is_subscribed("t"));  // from the test's thread
  EXPECT_FALSE(ha->is_subscribed("u"));
  ASSERT_TRUE(a->send_frame(opcode_t::text_frame, "unsub:t"));
  auto f = a->read_frame(5s);
  ASSERT_TRUE(f && f->payload == "ok:unsub:t");
  EXPECT_FALSE(ha->is_subscribed("t"));
  EXPECT_EQ(hub_->subscriber_count("t"), 1u);
  hub_->publish("t", "only b");
  f = b->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "only b");
  EXPECT_FALSE(a->read_frame(100ms));
}

TEST_F(websocket_topics, subscribing_from_another_thread_takes_effect_on_the_connections_thread) {
  start(2);
  auto c = std::make_unique<ws_test_client_t>(server_->port());
  ASSERT_NE(c->handshake("/t").find(" 101 "), std::string::npos);
  rws::ws_handle_t h;
  {
    std::unique_lock lock{handles_->mutex};
    ASSERT_TRUE(handles_->changed.wait_for(lock, 5s, [&] { return !handles_->all.empty(); }));
    h = handles_->all.front();
  }
  h->subscribe("x");
  h->subscribe("x");  // idempotent
  ASSERT_TRUE(eventually([&] { return hub_->subscriber_count("x") == 1; }));
  EXPECT_TRUE(h->is_subscribed("x"));
  hub_->publish("x", "hi");
  const auto f = c->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "hi");
  h->unsubscribe("x");
  ASSERT_TRUE(eventually([&] { return hub_->subscriber_count("x") == 0; }));
  EXPECT_TRUE(hub_->topics().empty());
}

TEST_F(websocket_topics, a_closed_connection_leaves_all_its_topics) {
  start(2);
  auto a = subscriber("t1");
  ASSERT_TRUE(a->send_frame(opcode_t::text_frame, "sub:t2"));
  ASSERT_TRUE(a->read_frame(5s));
  auto b = subscriber("t1");
  EXPECT_EQ(hub_->subscriber_count("t1"), 2u);
  EXPECT_EQ(hub_->subscriber_count("t2"), 1u);
  ASSERT_TRUE(a->send_frame(opcode_t::connection_close_frame, std::string{"\x03\xe8", 2}));
  // Left when the close began: the counts fall without waiting for TCP.
  ASSERT_TRUE(eventually([&] { return hub_->subscriber_count("t1") == 1; }));
  EXPECT_EQ(hub_->subscriber_count("t2"), 0u);
  EXPECT_EQ(hub_->topics(), std::vector<std::string>{"t1"});
  b.reset();  // dropped TCP, no close frame
  ASSERT_TRUE(eventually([&] { return hub_->subscriber_count("t1") == 0; }));
  EXPECT_TRUE(hub_->topics().empty());
}

TEST_F(websocket_topics, a_connection_closed_from_a_handle_cannot_subscribe_again) {
  start(1);
  auto a = subscriber("t");
  rws::ws_handle_t h;
  {
    std::lock_guard lock{handles_->mutex};
    h = handles_->all.front();
  }
  h->shutdown();
  ASSERT_TRUE(eventually([&] { return hub_->subscriber_count("t") == 0; }));
  h->subscribe("t");
  EXPECT_FALSE(h->is_subscribed("t"));
  EXPECT_EQ(hub_->publish("t", "x"), 0u);
}

// ---- backpressure per receiver ---------------------------------------------------------------

TEST_F(websocket_topics, a_receiver_that_does_not_read_is_dropped_for_and_holds_back_nobody) {
  rws::ws_settings_t s;
  s.max_backpressure = 64 * 1024;
  hub_ = rws::topic_hub_t::make();  // the default mailbox: the publisher may run ahead here
  start(2, s);
  auto slow = subscriber("t", 4096);  // does not read until the end
  std::vector<std::unique_ptr<ws_test_client_t>> fast;
  for (int i = 0; i < 4; ++i) fast.push_back(subscriber("t"));
  constexpr std::size_t size = 16 * 1024;
  // The fast receivers read as the messages come (a thread each): every one, whole, in order,
  // until "end".
  std::vector<std::thread> readers;
  std::atomic<int> complete{0};
  std::atomic<int> published{0};
  std::array<std::atomic<int>, 4> progress{};  // messages each fast receiver has read
  for (std::size_t r = 0; r < fast.size(); ++r)
    readers.emplace_back([&, r, c = fast[r].get()] {
      for (int i = 0;; ++i) {
        const auto f = c->read_frame(10s);
        if (!f) return;
        if (f->payload == "end") {
          if (i == published.load()) ++complete;
          return;
        }
        if (f->payload != numbered(i, size)) return;
        progress[r] = i + 1;
      }
    });
  // The publisher keeps within a few messages of the fast receivers, so that only the slow one
  // falls behind however the machine schedules the readers' threads (a loaded CI runner).
  auto fast_ones_near = [&](int n) {
    return eventually(
        [&] {
          for (const auto& p : progress)
            if (p.load() < n - 2) return false;
          return true;
        },
        10s);
  };
  // Until the slow one's queue is over the cap and messages are dropped for it (its socket
  // buffers fill first: at most a few MiB on loopback), and some more.
  int n = 0;
  int extra = -1;
  for (; n < 4000 && extra != 0; ++n) {
    ASSERT_TRUE(fast_ones_near(n)) << "a fast receiver stopped at message " << n;
    hub_->publish("t", numbered(n, size));
    if (extra > 0) --extra;
    if (extra < 0 && n % 8 == 0 && hub_->stats().dropped > 0) extra = 50;
  }
  published = n;
  hub_->publish("t", "end");
  for (auto& t : readers) t.join();
  EXPECT_EQ(complete.load(), 4);
  ASSERT_TRUE(eventually([&] {
    return hub_->stats().deliveries + hub_->stats().dropped ==
           5u * static_cast<std::uint64_t>(n + 1);
  }));
  EXPECT_GT(hub_->stats().dropped, 50u);
  // Said once, not per message.
  EXPECT_EQ(log_->count("published messages are dropped"), 1u);
  // The slow one gets what was queued for it, in order (with a gap where it was dropped for),
  // and stays open: once its queue has gone to the kernel, it gets what comes next.
  rws::ws_handle_t h;
  {
    std::lock_guard lock{handles_->mutex};
    h = handles_->all.front();  // the first to connect
  }
  int last = -1;
  auto read_in_order = [&] {
    const auto f = slow->read_frame(5s);
    if (!f || f->opcode != opcode_t::text_frame) return std::string{"(none)"};
    if (f->payload == "end" || f->payload == "after") return f->payload;
    const int k = number_of(f->payload);
    EXPECT_GT(k, last);
    last = k;
    return std::string{};
  };
  for (int i = 0; i < 4000 && h->buffered_amount() > 0; ++i) ASSERT_NE(read_in_order(), "(none)");
  ASSERT_EQ(h->buffered_amount(), 0u);
  hub_->publish("t", "after");
  std::string got;
  for (int i = 0; i < 4000 && got != "after"; ++i) {
    got = read_in_order();
    ASSERT_NE(got, "(none)");
  }
  EXPECT_EQ(got, "after");
  EXPECT_GE(last, 0);
}

TEST_F(websocket_topics, with_policy_close_a_receiver_over_the_cap_is_closed_with_1008) {
  rws::ws_settings_t s;
  s.max_backpressure = 32 * 1024;
  s.backpressure_policy = rws::backpressure_policy_t::close;
  start(1, s);
  auto slow = subscriber("t", 4096);
  auto fast = subscriber("t");
  constexpr std::size_t size = 16 * 1024;
  for (int i = 0; i < 4000 && hub_->subscriber_count("t") == 2; ++i) {
    hub_->publish("t", numbered(i, size));
    const auto f = fast->read_frame(5s);
    ASSERT_TRUE(f);
    ASSERT_EQ(f->payload, numbered(i, size));
  }
  ASSERT_EQ(hub_->subscriber_count("t"), 1u);
  EXPECT_TRUE(log_->contains("closing with 1008"));
  for (;;) {
    const auto f = slow->read_frame(5s);
    ASSERT_TRUE(f) << "no close frame";
    if (f->opcode == opcode_t::connection_close_frame) {
      EXPECT_EQ(f->close_code(), 1008);
      break;
    }
  }
}

TEST_F(websocket_topics, a_reactor_that_does_not_keep_up_has_its_mailbox_bounded) {
  start(1);
  auto sub = subscriber("t");
  std::promise<void> unblock;
  handles_->unblock = unblock.get_future().share();
  ws_test_client_t blocker{server_->port()};
  ASSERT_NE(blocker.handshake("/t").find(" 101 "), std::string::npos);
  ASSERT_TRUE(blocker.send_frame(opcode_t::text_frame, "block"));
  handles_->blocked.get_future().wait();
  // The reactor is held: what the test's thread publishes waits in its mailbox, up to the limit.
  constexpr std::size_t size = 64 * 1024;
  constexpr int messages = 10;
  for (int i = 0; i < messages; ++i) EXPECT_EQ(hub_->publish("t", numbered(i, size)), 1u);
  constexpr int kept = static_cast<int>(pending_limit / size);
  EXPECT_EQ(hub_->stats().dropped, static_cast<std::uint64_t>(messages - kept));
  EXPECT_TRUE(log_->contains("does not keep up with the publishers"));
  unblock.set_value();
  for (int i = 0; i < kept; ++i) {
    const auto f = sub->read_frame(5s);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, numbered(i, size));
  }
  hub_->publish("t", "later");
  const auto f = sub->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "later");
  EXPECT_EQ(log_->count("does not keep up"), 1u);
}

// ---- concurrency -----------------------------------------------------------------------------

TEST_F(websocket_topics, receivers_closing_mid_publish_do_not_disturb_the_others) {
  start(2);
  std::vector<std::unique_ptr<ws_test_client_t>> stay, go;
  for (int i = 0; i < 8; ++i) stay.push_back(subscriber("t"));
  for (int i = 0; i < 24; ++i) go.push_back(subscriber("t"));
  constexpr int messages = 400;
  std::thread publisher{[&] {
    for (int i = 0; i < messages; ++i) hub_->publish("t", numbered(i, 200));
  }};
  // Meanwhile: half the leavers drop TCP, half send a close frame.
  for (std::size_t i = 0; i < go.size(); ++i) {
    if (i % 2 == 0)
      go[i].reset();
    else
      go[i]->send_frame(opcode_t::connection_close_frame, std::string{"\x03\xe8", 2});
  }
  publisher.join();
  for (auto& c : stay)
    for (int i = 0; i < messages; ++i) {
      const auto f = c->read_frame(5s);
      ASSERT_TRUE(f) << i;
      ASSERT_EQ(f->payload, numbered(i, 200));
    }
  ASSERT_TRUE(eventually([&] { return hub_->subscriber_count("t") == 8; }));
}

TEST_F(websocket_topics, subscribing_and_leaving_race_publishing_from_other_threads) {
  start(3);
  std::vector<std::unique_ptr<ws_test_client_t>> clients;
  for (int i = 0; i < 12; ++i) {
    clients.push_back(std::make_unique<ws_test_client_t>(server_->port()));
    ASSERT_NE(clients.back()->handshake("/t").find(" 101 "), std::string::npos);
  }
  std::vector<rws::ws_handle_t> handles;
  {
    std::unique_lock lock{handles_->mutex};
    ASSERT_TRUE(handles_->changed.wait_for(lock, 5s, [&] { return handles_->all.size() == 12; }));
    handles = handles_->all;
  }
  // Readers drain every client so that nobody's queue fills.
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (auto& c : clients)
    readers.emplace_back([&, c = c.get()] {
      while (!stop) c->read_frame(20ms);
    });
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w)  // subscribe and leave, from the test's threads
    workers.emplace_back([&, w] {
      for (int i = 0; i < 300; ++i) {
        auto& h = handles[static_cast<std::size_t>((i * 7 + w) % 12)];
        const std::string topic = cat("t", std::to_string(i % 3));
        if (i % 2 == 0)
          h->subscribe(topic);
        else
          h->unsubscribe(topic);
        (void)h->is_subscribed(topic);
      }
    });
  for (int w = 0; w < 2; ++w)  // publish, from others
    workers.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        hub_->publish(cat("t", std::to_string(i % 3)), numbered(i));
        (void)hub_->subscriber_count("t0");
        (void)hub_->topics();
      }
    });
  for (auto& t : workers) t.join();
  // Everybody subscribes to everything, then leaves: the counts come back to exact values.
  for (auto& h : handles)
    for (int t = 0; t < 3; ++t) h->subscribe(cat("t", std::to_string(t)));
  EXPECT_TRUE(eventually([&] { return hub_->subscriber_count("t0") == 12; }));
  EXPECT_TRUE(eventually([&] { return hub_->subscriber_count("t2") == 12; }));
  for (auto& h : handles)
    for (int t = 0; t < 3; ++t) h->unsubscribe(cat("t", std::to_string(t)));
  EXPECT_TRUE(eventually([&] { return hub_->topics().empty(); }));
  stop = true;
  for (auto& t : readers) t.join();
}

// ---- compression -----------------------------------------------------------------------------

TEST_F(websocket_topics, receivers_with_deflate_get_it_compressed_and_the_others_plain) {
  rws::ws_settings_t s;
  s.deflate.enabled = true;
  start(2, s);
  const std::string offer =
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
  std::vector<std::unique_ptr<ws_test_client_t>> zipped, plain;
  for (int i = 0; i < 4; ++i) zipped.push_back(subscriber("t", 0, offer));
  for (int i = 0; i < 2; ++i) plain.push_back(subscriber("t"));
  std::string text;
  for (int i = 0; i < 100; ++i) text += R"({"user":"alice","text":"hello, room"},)";
  hub_->publish("t", text);
  for (auto& c : zipped) {
    const auto f = c->read_frame(5s);
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->rsv1);
    EXPECT_LT(f->payload.size(), text.size() / 4);
    websocket::protocol::message_inflater_t inflater{15, false};
    std::string out;
    ASSERT_EQ(inflater.inflate(std::as_bytes(std::span{f->payload}), true, out, 1u << 20),
              websocket::protocol::inflate_status_t::ok);
    EXPECT_EQ(out, text);
  }
  for (auto& c : plain) {
    const auto f = c->read_frame(5s);
    ASSERT_TRUE(f);
    EXPECT_FALSE(f->rsv1);
    EXPECT_EQ(f->payload, text);
  }
}

}  // namespace
}  // namespace restws::testing
