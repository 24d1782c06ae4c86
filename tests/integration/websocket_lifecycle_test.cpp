// WebSockets that look after themselves, over real loopback sockets: keep-alive pings and the
// idle timeout (ws_settings_t::idle_timeout, send_pings), and backpressure (max_backpressure,
// backpressure_policy, drain handlers, buffered_amount()).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "integration/test_server.hpp"
#include "integration/ws_test_client.hpp"
#include "restws/all.hpp"
#include "restws/websocket/websocket.hpp"

namespace restws::testing {
namespace {

namespace rws = restws::websocket::basic;
using traits_t = restws::traits_t<restws::asio_timer_manager_t, capturing_logger_t>;
using opcode_t = rws::opcode_t;
using clock_type = std::chrono::steady_clock;

constexpr std::string_view keepalive = "restws-keepalive";

bool io_uring_run() {
  const char* v = std::getenv("RESTWS_TEST_WS_IO_URING");
  return v != nullptr && std::string_view{v} == "1";
}

// What the server's handler saw, shared with the test thread.
struct seen_t {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<rws::message_t> messages;
  std::vector<rws::ws_handle_t> handles;

  template <typename P>
  bool wait(P pred, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, timeout, pred);
  }
  std::size_t count(opcode_t op) {
    std::lock_guard lock{mutex};
    std::size_t n = 0;
    for (const auto& m : messages) n += m.opcode() == op;
    return n;
  }
  bool wait_for(opcode_t op) {
    return wait([&] {
      for (const auto& m : messages)
        if (m.opcode() == op) return true;
      return false;
    });
  }
  rws::message_t first(opcode_t op) {
    std::lock_guard lock{mutex};
    for (const auto& m : messages)
      if (m.opcode() == op) return m;
    return {};
  }
};

// Run on the connection's thread after the message is recorded.
using reaction_t = std::function<void(const rws::ws_handle_t&, const rws::message_t&)>;

reaction_t echo() {
  return [](const rws::ws_handle_t& wsh, const rws::message_t& m) {
    if (restws::websocket::protocol::is_data_opcode(m.opcode())) wsh->send_message(m);
  };
}

std::string numbered_payload(int i, std::size_t size) {
  std::string p(size, static_cast<char>('a' + i % 26));
  const std::string n = std::to_string(i) + ":";
  p.replace(0, n.size(), n);
  return p;
}

class websocket_lifecycle : public ::testing::Test {
 protected:
  void start(rws::ws_settings_t settings, reaction_t react = {}) {
    settings.io_uring = io_uring_run() ? rws::io_uring_mode_t::on : rws::io_uring_mode_t::off;
    auto seen = seen_;
    server_ = std::make_unique<http_server_t<traits_t>>(
        on_thread_pool<traits_t>(1)
            .port(0)
            .address("127.0.0.1")
            .logger(log_)
            .request_handler([seen, react, settings](request_handle_t req) {
              auto wsh = rws::upgrade<traits_t>(
                  *req, rws::activation_t::immediate,
                  [seen, react](rws::ws_handle_t wsh, rws::message_handle_t m) {
                    {
                      std::lock_guard lock{seen->mutex};
                      seen->messages.push_back(*m);
                      seen->changed.notify_all();
                    }
                    if (react) react(wsh, *m);
                  },
                  settings);
              std::lock_guard lock{seen->mutex};
              seen->handles.push_back(wsh);
              seen->changed.notify_all();
              return request_accepted();
            }));
    server_->open();
  }

  std::unique_ptr<ws_test_client_t> connect(int receive_buffer = 0) {
    auto c = std::make_unique<ws_test_client_t>(server_->port(), receive_buffer);
    EXPECT_TRUE(c->connected());
    const auto head = c->handshake();
    EXPECT_NE(head.find("HTTP/1.1 101 Switching Protocols\r\n"), std::string::npos) << head;
    return c;
  }

  rws::ws_handle_t handle() {
    seen_->wait([&] { return !seen_->handles.empty(); });
    std::lock_guard lock{seen_->mutex};
    return seen_->handles.empty() ? nullptr : seen_->handles.front();
  }

  void TearDown() override {
    {
      std::lock_guard lock{seen_->mutex};
      seen_->handles.clear();
    }
    if (server_) server_->close();
  }

  std::shared_ptr<log_store_t> log_ = std::make_shared<log_store_t>();
  std::shared_ptr<seen_t> seen_ = std::make_shared<seen_t>();
  std::unique_ptr<http_server_t<traits_t>> server_;
};

// ---- keep-alive and idle timeout ------------------------------------------------------------

TEST_F(websocket_lifecycle, a_silent_peer_is_pinged_then_closed_with_1001_at_the_idle_timeout) {
  rws::ws_settings_t s;
  s.idle_timeout = 400ms;
  s.close_timeout = 300ms;
  start(s);
  const auto t0 = clock_type::now();
  auto c = connect();
  auto f = c->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::ping_frame);
  EXPECT_EQ(f->payload, keepalive);
  EXPECT_GE(clock_type::now() - t0, 190ms);  // half the timeout (the coarse clock: a tick less)
  f = c->read_frame(5s);                     // the ping is not answered
  ASSERT_TRUE(f);
  ASSERT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_GE(clock_type::now() - t0, 390ms);
  ASSERT_GE(f->payload.size(), 2u);
  EXPECT_EQ(rws::status_code_from_bin(f->payload), rws::status_code_t::going_away);
  EXPECT_EQ(f->payload.substr(2), "idle timeout");
  // The close frame is answered neither: TCP ends (half-closed at once, dropped after
  // close_timeout).
  EXPECT_TRUE(c->wait_for_eof(5s));
  // The handler saw the close, with the code and reason.
  ASSERT_TRUE(seen_->wait_for(opcode_t::connection_close_frame));
  const auto close = seen_->first(opcode_t::connection_close_frame);
  EXPECT_EQ(close.close_code(), rws::status_code_t::going_away);
  EXPECT_EQ(close.close_reason(), "idle timeout");
  EXPECT_TRUE(log_->contains("idle_timeout"));
}

TEST_F(websocket_lifecycle, without_pings_a_silent_peer_is_closed_unpinged) {
  rws::ws_settings_t s;
  s.idle_timeout = 300ms;
  s.send_pings = false;
  start(s);
  auto c = connect();
  auto f = c->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(rws::status_code_from_bin(f->payload), rws::status_code_t::going_away);
}

TEST_F(websocket_lifecycle, a_peer_that_answers_its_close_is_told_of_the_close_once) {
  rws::ws_settings_t s;
  s.idle_timeout = 300ms;
  s.send_pings = false;
  s.close_timeout = 300ms;  // this client never closes TCP itself
  start(s);
  auto c = connect();
  auto f = c->read_frame(5s);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->opcode, opcode_t::connection_close_frame);
  ASSERT_TRUE(c->send_frame(opcode_t::connection_close_frame, f->payload));
  EXPECT_TRUE(c->wait_for_eof(5s));
  // Once the socket is gone, nothing more can reach the handler.
  ASSERT_TRUE(seen_->wait([&] { return !seen_->messages.empty(); }));
  server_->close();
  EXPECT_EQ(seen_->count(opcode_t::connection_close_frame), 1u);
}

TEST_F(websocket_lifecycle, a_peer_that_answers_pings_stays_open_past_several_idle_timeouts) {
  rws::ws_settings_t s;
  s.idle_timeout = 300ms;
  start(s, echo());
  auto c = connect();
  int pings = 0;
  const auto end = clock_type::now() + 1500ms;  // five idle timeouts
  while (clock_type::now() < end) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(end - clock_type::now());
    auto f = c->read_frame(std::max(left, 1ms));
    if (!f) continue;  // nothing within the time left
    ASSERT_EQ(f->opcode, opcode_t::ping_frame) << "payload: " << f->payload;
    ++pings;
    ASSERT_TRUE(c->send_frame(opcode_t::pong_frame, f->payload));  // as browsers do
  }
  EXPECT_GE(pings, 3);
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "still here"));
  auto f = c->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "still here");
  // The answers to the library's pings are its own business.
  EXPECT_EQ(seen_->count(opcode_t::pong_frame), 0u);
  EXPECT_EQ(seen_->count(opcode_t::connection_close_frame), 0u);
}

TEST_F(websocket_lifecycle, a_peer_that_keeps_talking_is_never_pinged) {
  rws::ws_settings_t s;
  s.idle_timeout = 300ms;
  start(s, echo());
  auto c = connect();
  int echoes = 0;
  const auto end = clock_type::now() + 1200ms;  // four idle timeouts, never quiet for long
  while (clock_type::now() < end) {
    ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "tick"));
    auto f = c->read_frame(5s);
    ASSERT_TRUE(f);
    ASSERT_EQ(f->opcode, opcode_t::text_frame);  // never a ping
    ++echoes;
  }
  EXPECT_GT(echoes, 10);
}

TEST_F(websocket_lifecycle, only_pongs_carrying_the_keepalive_payload_are_kept_from_the_handler) {
  rws::ws_settings_t s;
  start(s);
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::pong_frame, keepalive));  // taken as an answer
  ASSERT_TRUE(c->send_frame(opcode_t::pong_frame, "mine"));
  ASSERT_TRUE(c->send_frame(opcode_t::ping_frame, "yours"));
  ASSERT_TRUE(seen_->wait([&] { return seen_->messages.size() >= 2; }));
  std::lock_guard lock{seen_->mutex};
  ASSERT_EQ(seen_->messages.size(), 2u);
  EXPECT_EQ(seen_->messages[0].opcode(), opcode_t::pong_frame);
  EXPECT_EQ(seen_->messages[0].payload(), "mine");
  EXPECT_EQ(seen_->messages[1].opcode(), opcode_t::ping_frame);
}

TEST_F(websocket_lifecycle, a_zero_idle_timeout_keeps_a_silent_peer_open) {
  rws::ws_settings_t s;
  s.idle_timeout = 0ms;
  start(s, echo());
  auto c = connect();
  EXPECT_FALSE(c->read_frame(1000ms));  // no ping, no close
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "hello"));
  auto f = c->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "hello");
}

// ---- backpressure ---------------------------------------------------------------------------

TEST_F(websocket_lifecycle, throttle_stops_reading_a_peer_that_does_not_read_and_loses_nothing) {
  constexpr std::size_t limit = 256 * 1024;
  constexpr std::size_t frame = 32 * 1024;
  constexpr int count = 2000;  // 64 MB each way: more than the sockets can hold
  rws::ws_settings_t s;
  s.max_backpressure = limit;
  s.write_timeout = 60s;
  start(s, echo());
  auto c = connect(64 * 1024);
  auto wsh = handle();
  ASSERT_TRUE(wsh);
  std::string all;
  for (int i = 0; i < count; ++i)
    all += ws_test_client_t::encode(opcode_t::binary_frame, numbered_payload(i, frame));
  // Without reading: the server must stop reading us once its queue to us is over the limit.
  const std::size_t sent = c->send_until_blocked(all, 500ms);
  EXPECT_LT(sent, all.size());
  EXPECT_LE(wsh->buffered_amount(), limit + frame);
  std::size_t received;
  {
    std::lock_guard lock{seen_->mutex};
    received = seen_->messages.size();
  }
  EXPECT_LT(received, static_cast<std::size_t>(count));
  // Now read everything while the rest goes out: every echo arrives, in order.
  std::thread rest{[&] { EXPECT_TRUE(c->send_raw(std::string_view{all}.substr(sent))); }};
  for (int i = 0; i < count; ++i) {
    auto f = c->read_frame(10s);
    ASSERT_TRUE(f) << "echo " << i;
    ASSERT_EQ(f->payload, numbered_payload(i, frame)) << "echo " << i;
  }
  rest.join();
  EXPECT_TRUE(seen_->wait([&] { return seen_->messages.size() == count; }));
}

TEST_F(websocket_lifecycle, drop_policy_refuses_frames_over_the_limit_and_says_so) {
  constexpr std::size_t limit = 128 * 1024;
  constexpr std::size_t frame = 64 * 1024;
  rws::ws_settings_t s;
  s.max_backpressure = limit;
  s.backpressure_policy = rws::backpressure_policy_t::drop;
  s.write_timeout = 60s;
  std::promise<std::error_code> dropped_cb;
  std::atomic<int> queued{0};
  std::atomic<std::size_t> peak{0};
  std::atomic<int> drains{0};
  s.on_drain = [&](const rws::ws_handle_t&) { ++drains; };
  start(s, [&](const rws::ws_handle_t& wsh, const rws::message_t& m) {
    if (m.opcode() != opcode_t::text_frame) return;
    // On the connection's thread: the queue's size is exact here.
    for (int i = 0; i < 1000; ++i) {
      // Only the dropped frame's callback gets an error (and it ends the loop).
      const auto status =
          wsh->send_message(rws::final_frame, opcode_t::binary_frame, numbered_payload(i, frame),
                            [&](const std::error_code& ec) {
                              if (ec) dropped_cb.set_value(ec);
                            });
      peak = std::max(peak.load(), wsh->buffered_amount());
      if (status == rws::send_status_t::dropped) break;
      EXPECT_EQ(status, rws::send_status_t::queued);
      ++queued;
    }
  });
  auto c = connect(32 * 1024);
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "go"));
  auto ec = dropped_cb.get_future();
  ASSERT_EQ(ec.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(ec.get(), rws::send_error_t::backpressure_limit);
  EXPECT_LT(queued.load(), 1000);
  EXPECT_LE(peak.load(), limit + frame);
  // What was queued arrives whole and in order; then the queue has drained.
  for (int i = 0; i < queued.load(); ++i) {
    auto f = c->read_frame(5s);
    ASSERT_TRUE(f) << i;
    ASSERT_EQ(f->payload, numbered_payload(i, frame)) << i;
  }
  EXPECT_TRUE(seen_->wait([&] { return drains.load() >= 1; }));
  auto wsh = handle();
  EXPECT_EQ(wsh->buffered_amount(), 0u);
  EXPECT_EQ(wsh->send_message(rws::final_frame, opcode_t::text_frame, "again"),
            rws::send_status_t::queued);
  auto f = c->read_frame(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "again");
}

TEST_F(websocket_lifecycle, close_policy_fails_the_connection_with_1008) {
  constexpr std::size_t frame = 64 * 1024;
  rws::ws_settings_t s;
  s.max_backpressure = 128 * 1024;
  s.backpressure_policy = rws::backpressure_policy_t::close;
  s.write_timeout = 60s;
  std::atomic<int> queued{0};
  std::promise<void> closed_status;
  start(s, [&](const rws::ws_handle_t& wsh, const rws::message_t& m) {
    if (m.opcode() != opcode_t::text_frame) return;
    for (int i = 0; i < 1000; ++i) {
      const auto status = wsh->try_send_message(rws::final_frame, opcode_t::binary_frame,
                                                numbered_payload(i, frame));
      if (status == rws::send_status_t::closed) {
        closed_status.set_value();
        break;
      }
      ++queued;
    }
  });
  auto c = connect(32 * 1024);
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "go"));
  ASSERT_EQ(closed_status.get_future().wait_for(5s), std::future_status::ready);
  ASSERT_TRUE(seen_->wait_for(opcode_t::connection_close_frame));
  EXPECT_EQ(seen_->first(opcode_t::connection_close_frame).close_code(),
            rws::status_code_t::policy_violation);
  EXPECT_TRUE(log_->contains("max_backpressure"));
  // The peer gets what was queued, then the close frame.
  for (int i = 0; i < queued.load(); ++i) {
    auto f = c->read_frame(5s);
    ASSERT_TRUE(f) << i;
    ASSERT_EQ(f->payload, numbered_payload(i, frame)) << i;
  }
  auto f = c->read_frame(5s);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(rws::status_code_from_bin(f->payload), rws::status_code_t::policy_violation);
}

TEST_F(websocket_lifecycle, a_producer_pauses_over_the_limit_and_resumes_on_drain) {
  constexpr std::size_t limit = 128 * 1024;
  constexpr std::size_t frame = 16 * 1024;
  constexpr int count = 2000;  // 32 MB: more than the sockets hold, the queue fills many times
  rws::ws_settings_t s;
  s.max_backpressure = limit;
  s.write_timeout = 60s;
  std::atomic<int> next{0};
  std::atomic<int> drains{0};
  std::atomic<int> pauses{0};
  std::atomic<std::size_t> peak{0};
  // Sends while the queue has room, then waits for the drain handler to go on.
  auto produce = std::make_shared<std::function<void(const rws::ws_handle_t&)>>();
  *produce = [&, weak = std::weak_ptr{produce}](const rws::ws_handle_t& wsh) {
    while (next < count && wsh->buffered_amount() <= limit) {
      wsh->send_message(rws::final_frame, opcode_t::binary_frame, numbered_payload(next++, frame));
      peak = std::max(peak.load(), wsh->buffered_amount());
    }
    if (next < count) ++pauses;
  };
  start(s, [&](const rws::ws_handle_t& wsh, const rws::message_t& m) {
    if (m.opcode() != opcode_t::text_frame) return;
    wsh->set_drain_handler([&, produce](rws::ws_handle_t h) {
      ++drains;
      (*produce)(h);
    });
    (*produce)(wsh);
  });
  auto c = connect(32 * 1024);
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "go"));
  for (int i = 0; i < count; ++i) {
    auto f = c->read_frame(5s);
    ASSERT_TRUE(f) << i;
    ASSERT_EQ(f->payload, numbered_payload(i, frame)) << i;
  }
  // It had to pause (the peer did not read at first), and every pause ended with a drain (the
  // last frames may take the queue over the limit once more, with no pause after them).
  EXPECT_GE(pauses.load(), 1);
  EXPECT_GE(drains.load(), pauses.load());
  EXPECT_LE(drains.load(), pauses.load() + 1);
  EXPECT_LE(peak.load(), limit + frame);
}

TEST_F(websocket_lifecycle, buffered_amount_is_what_the_kernel_has_not_taken) {
  constexpr std::size_t frame = 1024 * 1024;
  constexpr int count = 32;  // 32 MiB cannot all be in the sockets of a peer that does not read
  rws::ws_settings_t s;
  s.write_timeout = 60s;
  s.max_backpressure = 64 * 1024 * 1024;
  std::promise<std::size_t> before_sends;
  std::promise<std::size_t> after_sends;
  std::promise<void> last_written;
  start(s, [&](const rws::ws_handle_t& wsh, const rws::message_t& m) {
    if (m.opcode() != opcode_t::text_frame) return;
    before_sends.set_value(wsh->buffered_amount());
    for (int i = 0; i < count; ++i) {
      wsh->send_message(rws::final_frame, opcode_t::binary_frame, numbered_payload(i, frame),
                        [&, i](const std::error_code& ec) {
                          if (!ec && i == count - 1) last_written.set_value();
                        });
    }
    after_sends.set_value(wsh->buffered_amount());
  });
  auto c = connect(32 * 1024);
  auto before = before_sends.get_future();
  auto queued = after_sends.get_future();
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "go"));
  ASSERT_EQ(before.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(before.get(), 0u);
  ASSERT_EQ(queued.wait_for(5s), std::future_status::ready);
  const std::size_t b = queued.get();
  EXPECT_GT(b, 0u);
  EXPECT_LE(b, count * frame);
  for (int i = 0; i < count; ++i) {
    auto f = c->read_frame(10s);
    ASSERT_TRUE(f) << i;
    ASSERT_EQ(f->payload.size(), frame) << i;
  }
  auto written = last_written.get_future();
  ASSERT_EQ(written.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(handle()->buffered_amount(), 0u);
}

}  // namespace
}  // namespace restws::testing
