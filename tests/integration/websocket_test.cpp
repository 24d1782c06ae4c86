// WebSocket over real loopback sockets: upgrade(), ws_t, frame checks and the close handshake.

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <mutex>
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

// Messages the server side saw, and the handles it keeps, shared with the test thread.
struct server_state_t {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<rws::message_t> received;
  std::vector<rws::ws_handle_t> handles;

  void add(const rws::message_t& m) {
    std::lock_guard lock{mutex};
    received.push_back(m);
    changed.notify_all();
  }
  void add_handle(rws::ws_handle_t h) {
    std::lock_guard lock{mutex};
    handles.push_back(std::move(h));
    changed.notify_all();
  }
  /// Waits (bounded) until `pred()` holds; returns it.
  template <typename P>
  bool wait(P pred, std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, timeout, pred);
  }
  bool wait_for_messages(std::size_t n) {
    return wait([&] { return received.size() >= n; });
  }
  rws::ws_handle_t handle() {
    wait([&] { return !handles.empty(); });
    std::lock_guard lock{mutex};
    return handles.empty() ? nullptr : handles.front();
  }
};

enum class mode_t { echo, record_only };

// CTest runs these tests twice: with plain system calls, and with RESTWS_TEST_WS_IO_URING=1, where
// every WebSocket batches its reads and writes through io_uring (ws_settings_t::io_uring). Either
// way the mode is forced: the default (automatic) would pick one by the machine.
bool io_uring_run() {
  const char* v = std::getenv("RESTWS_TEST_WS_IO_URING");
  return v != nullptr && std::string_view{v} == "1";
}
rws::io_uring_mode_t io_uring_mode() {
  return io_uring_run() ? rws::io_uring_mode_t::on : rws::io_uring_mode_t::off;
}

// "m<i>", built without operator+ (GCC 12 -O3 raises a false -Wrestrict on it).
std::string numbered(int i) {
  std::string s{"m"};
  s += std::to_string(i);
  return s;
}

class websocket_test : public ::testing::Test {
 protected:
  void start(mode_t mode = mode_t::echo,
             rws::activation_t activation = rws::activation_t::immediate,
             rws::ws_settings_t settings = {}) {
    auto state = state_;
    settings.io_uring = io_uring_mode();
    server_ = std::make_unique<http_server_t<traits_t>>(
        on_thread_pool<traits_t>(1)
            .port(0)
            .address("127.0.0.1")
            .logger(log_)
            .request_handler([state, mode, activation, settings](request_handle_t req) {
              auto wsh = rws::upgrade<traits_t>(
                  *req, activation,
                  [state, mode](rws::ws_handle_t wsh, rws::message_handle_t m) {
                    state->add(*m);
                    if (mode == mode_t::echo && m->opcode() != opcode_t::connection_close_frame &&
                        m->opcode() != opcode_t::pong_frame) {
                      wsh->send_message(*m);
                    }
                  },
                  settings);
              state->add_handle(wsh);
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

  void TearDown() override {
    {
      std::lock_guard lock{state_->mutex};
      state_->handles.clear();
    }
    if (server_) server_->close();
#if RESTWS_TEST_HAVE_IO_URING
    // This build has liburing and the test machine's kernel allows io_uring: no fallback.
    if (io_uring_run()) {
      EXPECT_FALSE(log_->contains("io_uring unavailable"));
    }
#endif
  }

  std::shared_ptr<log_store_t> log_ = std::make_shared<log_store_t>();
  std::shared_ptr<server_state_t> state_ = std::make_shared<server_state_t>();
  std::unique_ptr<http_server_t<traits_t>> server_;
};

TEST_F(websocket_test, handshake_answers_101_with_the_accept_of_the_key) {
  start();
  ws_test_client_t c{server_->port()};
  const auto head = c.handshake();
  EXPECT_NE(head.find("HTTP/1.1 101"), std::string::npos);
  EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos)
      << head;
}

TEST_F(websocket_test, frames_sent_with_the_upgrade_request_are_delivered) {
  // A client may send its first frames right behind its request (RFC 6455 §4.1 lets it send
  // once it has the 101, but pipelining clients and tests do): the server has read them with
  // the request, and no new input will come to announce them.
  start();
  ws_test_client_t c{server_->port()};
  const std::string request =
      "GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  ASSERT_TRUE(c.send_raw(request + ws_test_client_t::encode(opcode_t::text_frame, "first") +
                         ws_test_client_t::encode(opcode_t::text_frame, "second")));
  EXPECT_NE(c.read_head().find(" 101 "), std::string::npos);
  for (const char* expected : {"first", "second"}) {
    const auto f = c.read_frame();
    ASSERT_TRUE(f) << expected;
    EXPECT_EQ(f->payload, expected);
  }
}

TEST_F(websocket_test, echoes_text_and_binary_frames) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "hello"));
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::text_frame);
  EXPECT_EQ(f->payload, "hello");

  std::string binary(70000, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(c->send_frame(opcode_t::binary_frame, binary));
  f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::binary_frame);
  EXPECT_EQ(f->payload, binary);
}

TEST_F(websocket_test, many_connections_sending_at_once_each_get_their_own_echoes) {
  // Every client writes before any reads, so the server finds many sockets ready at once (one
  // io_uring submission for all their reads, one for all their writes, in the io_uring run).
  start();
  constexpr int clients = 40;
  std::vector<std::unique_ptr<ws_test_client_t>> cs;
  for (int i = 0; i < clients; ++i) cs.push_back(connect());
  const auto payload = [](int client, int frame) {
    std::string p = numbered(client);
    p += '/';
    p += std::to_string(frame);
    // Every third client also sends a frame bigger than a batched read's buffer.
    if (client % 3 == 0 && frame == 1) p.append(50000, static_cast<char>('a' + client % 26));
    return p;
  };
  for (int i = 0; i < clients; ++i) {
    std::string burst;
    for (int f = 0; f < 3; ++f)
      burst += ws_test_client_t::encode(opcode_t::binary_frame, payload(i, f));
    ASSERT_TRUE(cs[static_cast<std::size_t>(i)]->send_raw(burst));
  }
  for (int i = 0; i < clients; ++i) {
    for (int f = 0; f < 3; ++f) {
      auto echo = cs[static_cast<std::size_t>(i)]->read_frame();
      ASSERT_TRUE(echo) << "client " << i << " frame " << f;
      EXPECT_EQ(echo->payload, payload(i, f)) << "client " << i << " frame " << f;
    }
  }
}

TEST_F(websocket_test, frames_sent_in_one_write_are_all_echoed_in_order) {
  start();
  auto c = connect();
  std::string burst;
  for (int i = 0; i < 50; ++i) burst += ws_test_client_t::encode(opcode_t::text_frame, numbered(i));
  ASSERT_TRUE(c->send_raw(burst));
  for (int i = 0; i < 50; ++i) {
    auto f = c->read_frame();
    ASSERT_TRUE(f) << i;
    EXPECT_EQ(f->payload, numbered(i));
  }
}

TEST_F(websocket_test, fragments_are_delivered_frame_by_frame_with_their_final_flag) {
  start(mode_t::record_only);
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "ab", false));
  ASSERT_TRUE(c->send_frame(opcode_t::continuation_frame, "cd", true));
  ASSERT_TRUE(state_->wait_for_messages(2));
  std::lock_guard lock{state_->mutex};
  EXPECT_EQ(state_->received[0].opcode(), opcode_t::text_frame);
  EXPECT_FALSE(state_->received[0].is_final());
  EXPECT_EQ(state_->received[0].payload(), "ab");
  EXPECT_EQ(state_->received[1].opcode(), opcode_t::continuation_frame);
  EXPECT_TRUE(state_->received[1].is_final());
  EXPECT_EQ(state_->received[1].payload(), "cd");
}

TEST_F(websocket_test, whole_message_mode_joins_fragments) {
  rws::ws_settings_t s;
  s.deliver_whole_messages = true;
  start(mode_t::record_only, rws::activation_t::immediate, s);
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::binary_frame, "ab", false));
  ASSERT_TRUE(c->send_frame(opcode_t::ping_frame, "p"));
  ASSERT_TRUE(c->send_frame(opcode_t::continuation_frame, "cd", false));
  ASSERT_TRUE(c->send_frame(opcode_t::continuation_frame, "ef", true));
  ASSERT_TRUE(state_->wait_for_messages(2));
  std::lock_guard lock{state_->mutex};
  EXPECT_EQ(state_->received[0].opcode(), opcode_t::ping_frame);
  EXPECT_EQ(state_->received[1].opcode(), opcode_t::binary_frame);
  EXPECT_TRUE(state_->received[1].is_final());
  EXPECT_EQ(state_->received[1].payload(), "abcdef");
}

TEST_F(websocket_test, kept_messages_keep_their_payloads_whatever_comes_next) {
  // Whole frames are unmasked straight into the message's block; a frame cut across reads, or
  // one too large for a recycled block, is unmasked in the connection's buffer and copied out.
  // Either way a message the handler keeps owns its bytes: later messages (which reuse freed
  // blocks) must not change them.
  rws::ws_settings_t s;
  s.deliver_whole_messages = true;
  start(mode_t::record_only, rws::activation_t::immediate, s);
  auto c = connect();
  std::vector<std::string> sent;
  for (int i = 0; i < 8; ++i)
    sent.push_back(std::string(static_cast<std::size_t>(1 + i * 700), static_cast<char>('a' + i)));
  sent.push_back(std::string(100000, 'z'));  // over the recycled blocks' size
  ASSERT_TRUE(c->send_frame(opcode_t::binary_frame, sent[0]));
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, sent[1]));
  const std::string cut = ws_test_client_t::encode(opcode_t::binary_frame, sent[2]);
  ASSERT_TRUE(c->send_raw(std::string_view{cut}.substr(0, 100)));
  ASSERT_TRUE(state_->wait_for_messages(2));
  ASSERT_TRUE(c->send_raw(std::string_view{cut}.substr(100)));
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, sent[3].substr(0, 5), false));
  ASSERT_TRUE(c->send_frame(opcode_t::continuation_frame, sent[3].substr(5), true));
  for (std::size_t i = 4; i < sent.size(); ++i)
    ASSERT_TRUE(c->send_frame(i % 2 ? opcode_t::text_frame : opcode_t::binary_frame, sent[i]));
  ASSERT_TRUE(state_->wait_for_messages(sent.size()));
  std::lock_guard lock{state_->mutex};
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(state_->received[i].payload(), sent[i]) << "message " << i;
    EXPECT_EQ(state_->received[i].opcode(), i % 2 ? opcode_t::text_frame : opcode_t::binary_frame);
  }
}

TEST_F(websocket_test, ping_is_delivered_to_the_handler_and_echoed_by_it) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::ping_frame, "are you there"));
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::ping_frame);  // the echo handler sends back what it gets
}

TEST_F(websocket_test, auto_pong_answers_pings_in_the_library) {
  rws::ws_settings_t s;
  s.auto_pong = true;
  start(mode_t::record_only, rws::activation_t::immediate, s);
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::ping_frame, "xyz"));
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::pong_frame);
  EXPECT_EQ(f->payload, "xyz");
}

TEST_F(websocket_test, peer_close_is_echoed_delivered_and_tcp_closed) {
  start(mode_t::record_only);
  auto c = connect();
  ASSERT_TRUE(
      c->send_frame(opcode_t::connection_close_frame,
                    rws::status_code_to_bin(static_cast<rws::status_code_t>(4000)) + "bye"));
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(f->close_code(), 4000);
  EXPECT_TRUE(c->wait_for_eof());
  ASSERT_TRUE(state_->wait_for_messages(1));
  std::lock_guard lock{state_->mutex};
  EXPECT_EQ(state_->received[0].opcode(), opcode_t::connection_close_frame);
  EXPECT_EQ(static_cast<int>(state_->received[0].close_code()), 4000);
  EXPECT_EQ(state_->received[0].close_reason(), "bye");
}

TEST_F(websocket_test, empty_close_is_answered_with_1000) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::connection_close_frame, ""));
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(f->close_code(), 1000);
  EXPECT_TRUE(c->wait_for_eof());
}

struct bad_input_case_t {
  const char* name;
  std::string bytes;
  int close_code;
};

class websocket_bad_input_test : public websocket_test,
                                 public ::testing::WithParamInterface<bad_input_case_t> {};

TEST_P(websocket_bad_input_test, is_never_delivered_and_closes_with_its_code) {
  start(mode_t::record_only);
  auto c = connect();
  ASSERT_TRUE(c->send_raw(GetParam().bytes));
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(f->close_code(), GetParam().close_code);
  EXPECT_TRUE(c->wait_for_eof());
  // The handler learns about the close, and about nothing else.
  ASSERT_TRUE(state_->wait_for_messages(1));
  std::lock_guard lock{state_->mutex};
  ASSERT_EQ(state_->received.size(), 1u);
  EXPECT_EQ(state_->received[0].opcode(), opcode_t::connection_close_frame);
  EXPECT_EQ(static_cast<int>(state_->received[0].close_code()), GetParam().close_code);
}

std::string unmasked_text_frame() { return std::string{"\x81\x02hi", 4}; }
std::string with_first_byte(std::string frame, unsigned char b) {
  frame[0] = static_cast<char>(b);
  return frame;
}

INSTANTIATE_TEST_SUITE_P(
    frames, websocket_bad_input_test,
    ::testing::Values(
        bad_input_case_t{"unmasked", unmasked_text_frame(), 1002},
        bad_input_case_t{"rsv1",
                         with_first_byte(ws_test_client_t::encode(opcode_t::text_frame, "x"), 0xC1),
                         1002},
        bad_input_case_t{"opcode3",
                         with_first_byte(ws_test_client_t::encode(opcode_t::text_frame, "x"), 0x83),
                         1002},
        bad_input_case_t{"continuation_first",
                         ws_test_client_t::encode(opcode_t::continuation_frame, "x"), 1002},
        bad_input_case_t{"ping_not_final",
                         ws_test_client_t::encode(opcode_t::ping_frame, "x", false), 1002},
        bad_input_case_t{"ping_126",
                         ws_test_client_t::encode(opcode_t::ping_frame, std::string(126, 'p')),
                         1002},
        bad_input_case_t{
            "invalid_utf8",
            ws_test_client_t::encode(opcode_t::text_frame,
                                     "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"),
            1007},
        bad_input_case_t{"close_1_byte",
                         ws_test_client_t::encode(opcode_t::connection_close_frame, "\x03"), 1002},
        bad_input_case_t{"close_code_1005",
                         ws_test_client_t::encode(opcode_t::connection_close_frame, "\x03\xed"),
                         1002},
        bad_input_case_t{"close_reason_bad_utf8",
                         ws_test_client_t::encode(opcode_t::connection_close_frame, "\x03\xe8\xff"),
                         1007}),
    [](const auto& info) { return std::string{info.param.name}; });

TEST_F(websocket_test, message_over_the_limit_closes_with_1009) {
  rws::ws_settings_t s;
  s.max_message_size = 1000;
  start(mode_t::record_only, rws::activation_t::immediate, s);
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::binary_frame, std::string(600, 'a'), false));
  ASSERT_TRUE(c->send_frame(opcode_t::continuation_frame, std::string(600, 'b'), true));
  std::optional<ws_frame_t> f;
  do {
    f = c->read_frame();
  } while (f && f->opcode != opcode_t::connection_close_frame);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->close_code(), 1009);
}

TEST_F(websocket_test, shutdown_sends_1000_then_drops_tcp_when_the_peer_answers) {
  start(mode_t::record_only);
  auto c = connect();
  auto wsh = state_->handle();
  ASSERT_TRUE(wsh);
  wsh->shutdown();
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(f->close_code(), 1000);
  EXPECT_THROW(wsh->send_message(rws::final_frame, opcode_t::text_frame, "late"),
               rws::ws_closed_error_t);
  ASSERT_TRUE(c->send_frame(opcode_t::connection_close_frame, f->payload));
  EXPECT_TRUE(c->wait_for_eof());
}

TEST_F(websocket_test, shutdown_drops_tcp_after_the_close_timeout_if_the_peer_is_silent) {
  rws::ws_settings_t s;
  s.close_timeout = 200ms;
  start(mode_t::record_only, rws::activation_t::immediate, s);
  auto c = connect();
  state_->handle()->shutdown();
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_TRUE(c->wait_for_eof(3s));
}

TEST_F(websocket_test, kill_drops_tcp_without_a_close_frame) {
  start(mode_t::record_only);
  auto c = connect();
  state_->handle()->kill();
  EXPECT_FALSE(c->read_frame(2s));
  EXPECT_TRUE(c->wait_for_eof(1s));
}

TEST_F(websocket_test, releasing_the_last_handle_closes_gracefully) {
  start(mode_t::record_only);
  auto c = connect();
  ASSERT_TRUE(state_->handle());
  {
    std::lock_guard lock{state_->mutex};
    state_->handles.clear();
  }
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(f->close_code(), 1000);
}

TEST_F(websocket_test, handles_and_weak_handles_may_outlive_the_connection_and_the_server) {
  start(mode_t::record_only);
  auto c = connect();
  rws::ws_handle_t strong = state_->handle();
  ASSERT_TRUE(strong);
  const std::uint64_t id = strong->connection_id();
  const std::weak_ptr<rws::ws_t> weak = strong;
  {
    std::lock_guard lock{state_->mutex};
    state_->handles.clear();
  }
  strong->kill();
  EXPECT_TRUE(c->wait_for_eof());
  server_->close();
  server_.reset();
  // The io_context is gone; the handle still answers what it knows and refuses to send.
  EXPECT_EQ(strong->connection_id(), id);
  EXPECT_THROW(strong->send_message(rws::final_frame, opcode_t::text_frame, "late"),
               rws::ws_closed_error_t);
  EXPECT_NO_THROW(strong->shutdown());
  EXPECT_FALSE(weak.expired());
  strong.reset();  // the last handle: nothing is sent, nothing is posted
  EXPECT_TRUE(weak.expired());
  EXPECT_EQ(weak.lock(), nullptr);
}

TEST_F(websocket_test, a_weak_handle_kept_after_the_close_stays_expired) {
  start(mode_t::record_only);
  std::weak_ptr<rws::ws_t> weak;
  {
    auto c = connect();
    weak = state_->handle();
    ASSERT_FALSE(weak.expired());
    ASSERT_TRUE(c->send_frame(opcode_t::connection_close_frame, std::string{"\x03\xe8", 2}));
    EXPECT_TRUE(c->read_frame());
    EXPECT_TRUE(c->wait_for_eof());
  }
  ASSERT_TRUE(state_->wait([&] {
    return !state_->received.empty() &&
           state_->received.back().opcode() == opcode_t::connection_close_frame;
  }));
  {
    std::lock_guard lock{state_->mutex};
    state_->handles.clear();
  }
  // A second connection works while the first one's weak handle lives on; once its message is
  // in, the reactor is past the first one's last handler call (one thread runs both).
  auto d = connect();
  ASSERT_TRUE(d->send_frame(opcode_t::text_frame, "next"));
  EXPECT_TRUE(state_->wait([&] { return state_->received.back().payload() == "next"; }));
  EXPECT_TRUE(weak.expired());
  EXPECT_EQ(weak.lock(), nullptr);
}

TEST_F(websocket_test, delayed_activation_reads_nothing_until_activate) {
  start(mode_t::echo, rws::activation_t::delayed);
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "early"));
  EXPECT_FALSE(c->read_frame(300ms));  // not read yet: no echo
  {
    std::lock_guard lock{state_->mutex};
    EXPECT_TRUE(state_->received.empty());
  }
  rws::activate(*state_->handle());
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "early");
}

TEST_F(websocket_test, sends_from_many_threads_never_interleave_frames) {
  start(mode_t::record_only);
  auto c = connect();
  auto wsh = state_->handle();
  constexpr int threads = 4, per_thread = 200;
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t) {
    senders.emplace_back([wsh, t] {
      for (int i = 0; i < per_thread; ++i) {
        // Varied sizes, so that frames of different header lengths mix.
        std::string p(static_cast<std::size_t>(1 + (i * 97) % 3000), static_cast<char>('a' + t));
        wsh->send_message(rws::final_frame, opcode_t::binary_frame, std::move(p));
      }
    });
  }
  for (auto& s : senders) s.join();
  std::vector<int> next(threads, 0);
  for (int n = 0; n < threads * per_thread; ++n) {
    auto f = c->read_frame();
    ASSERT_TRUE(f) << n;
    ASSERT_FALSE(f->payload.empty());
    const int t = f->payload[0] - 'a';
    ASSERT_GE(t, 0);
    ASSERT_LT(t, threads);
    const int i = next[static_cast<std::size_t>(t)]++;
    EXPECT_EQ(f->payload, std::string(static_cast<std::size_t>(1 + (i * 97) % 3000),
                                      static_cast<char>('a' + t)));
  }
}

TEST_F(websocket_test, write_completion_callback_reports_success) {
  start(mode_t::record_only);
  auto c = connect();
  std::promise<std::error_code> done;
  state_->handle()->send_message(rws::final_frame, opcode_t::text_frame, "cb",
                                 [&done](const std::error_code& ec) { done.set_value(ec); });
  auto fut = done.get_future();
  ASSERT_EQ(fut.wait_for(3s), std::future_status::ready);
  EXPECT_FALSE(fut.get());
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "cb");
}

TEST_F(websocket_test, messages_a_handler_keeps_stay_intact_while_more_arrive) {
  // The library reuses message objects and payload buffers nobody references any more; one the
  // handler holds (or that is still being sent) must never change under it.
  std::mutex mutex;
  std::vector<rws::message_handle_t> kept;
  std::promise<void> all_kept;
  constexpr int count = 200;
  auto text = [](int i) {  // longer than std::string's in-object buffer
    std::string s = numbered(i);
    s.append(40, static_cast<char>('a' + i % 26));
    return s;
  };
  server_ = std::make_unique<http_server_t<traits_t>>(
      on_thread_pool<traits_t>(1)
          .port(0)
          .address("127.0.0.1")
          .request_handler([&, state = state_](request_handle_t req) {
            state->add_handle(rws::upgrade<traits_t>(
                *req, rws::activation_t::immediate,
                [&](rws::ws_handle_t wsh, rws::message_handle_t m) {
                  if (m->opcode() != opcode_t::text_frame) return;
                  wsh->send_message(*m);  // the echo shares the payload with the kept message
                  std::lock_guard lock{mutex};
                  if (kept.size() % 2 == 0) wsh->send_message(*m);  // sent twice: shared twice
                  kept.push_back(std::move(m));
                  if (kept.size() == count) all_kept.set_value();
                }));
            return request_accepted();
          }));
  server_->open();
  auto c = connect();
  for (int i = 0; i < count; ++i) ASSERT_TRUE(c->send_frame(opcode_t::text_frame, text(i)));
  ASSERT_EQ(all_kept.get_future().wait_for(5s), std::future_status::ready);
  for (int i = 0, echoes = 0; i < count; ++i) {
    const int copies = i % 2 == 0 ? 2 : 1;
    for (int k = 0; k < copies; ++k, ++echoes) {
      auto f = c->read_frame();
      ASSERT_TRUE(f) << "echo " << echoes;
      EXPECT_EQ(f->payload, text(i));
    }
  }
  std::lock_guard lock{mutex};
  ASSERT_EQ(kept.size(), static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) EXPECT_EQ(kept[static_cast<std::size_t>(i)]->payload(), text(i));
}

TEST_F(websocket_test, a_websocket_opened_after_all_others_closed_works) {
  // The reactor stops watching WebSockets when its last one closes and starts again with the
  // next one.
  start(mode_t::echo);
  for (int round = 0; round < 3; ++round) {
    auto c = connect();
    ASSERT_TRUE(c->send_frame(opcode_t::text_frame, numbered(round)));
    auto echo = c->read_frame();
    ASSERT_TRUE(echo) << "round " << round;
    EXPECT_EQ(echo->payload, numbered(round));
    ASSERT_TRUE(c->send_frame(opcode_t::connection_close_frame, std::string{"\x03\xe8", 2}));
    auto close = c->read_frame();
    ASSERT_TRUE(close);
    EXPECT_EQ(close->opcode, opcode_t::connection_close_frame);
    EXPECT_TRUE(c->wait_for_eof());
    // The server has seen this close (and dropped its socket) before the next round connects.
    ASSERT_TRUE(state_->wait([&] {
      int closes = 0;
      for (const auto& m : state_->received)
        closes += m.opcode() == opcode_t::connection_close_frame ? 1 : 0;
      return closes == round + 1;
    }));
  }
}

TEST_F(websocket_test, write_callback_runs_after_send_message_returns) {
  // A callback run inside send_message() would deadlock a caller that holds a lock its callback
  // takes. Sent from the io thread (inside the first callback), where the write completes at once.
  start(mode_t::record_only);
  auto c = connect();
  auto wsh = state_->handle();
  ASSERT_TRUE(wsh);
  std::atomic<bool> inside_send{false};
  std::promise<bool> second_saw_inside;
  wsh->send_message(rws::final_frame, opcode_t::text_frame, "one",
                    [&, wsh](const std::error_code&) {
                      inside_send = true;
                      wsh->send_message(rws::final_frame, opcode_t::text_frame, "two",
                                        [&](const std::error_code& ec) {
                                          EXPECT_FALSE(ec);
                                          second_saw_inside.set_value(inside_send.load());
                                        });
                      inside_send = false;
                    });
  auto fut = second_saw_inside.get_future();
  ASSERT_EQ(fut.wait_for(3s), std::future_status::ready);
  EXPECT_FALSE(fut.get());
  auto one = c->read_frame();
  auto two = c->read_frame();
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one->payload, "one");
  EXPECT_EQ(two->payload, "two");
}

// Payload of message `i` in the backpressure tests: its number, then a pattern that depends on it.
std::string big_payload(int i, std::size_t size) {
  std::string p(size, '\0');
  for (std::size_t k = 0; k < size; ++k) p[k] = static_cast<char>('a' + (k * 7 + i) % 26);
  const std::string n = std::to_string(i);
  p.replace(0, n.size(), n);
  return p;
}

// Sends `count` messages of `size` bytes to a client whose receive buffer is 64 KiB and which
// reads only after every message was queued: the server's socket fills up, the rest waits in
// the library, and nothing is lost, reordered or duplicated once the client reads.
void expect_slow_reader_gets_everything(ws_test_client_t& c, const rws::ws_handle_t& wsh, int count,
                                        std::size_t size, bool with_callbacks = true);

TEST_F(websocket_test, a_slow_reader_gets_every_byte_of_large_messages_once_it_reads) {
  start(mode_t::record_only);
  auto c = connect(64 * 1024);
  auto wsh = state_->handle();
  ASSERT_TRUE(wsh);
  expect_slow_reader_gets_everything(*c, wsh, 64, 256 * 1024);  // 16 MiB
}

TEST_F(websocket_test, a_slow_reader_gets_every_byte_of_small_messages_once_it_reads) {
  // Small frames are joined into one send: partial sends of a joined buffer must resume at the
  // right byte.
  start(mode_t::record_only);
  auto c = connect(64 * 1024);
  auto wsh = state_->handle();
  ASSERT_TRUE(wsh);
  expect_slow_reader_gets_everything(*c, wsh, 8192, 1000);  // 8 MB
}

TEST_F(websocket_test, a_slow_reader_gets_every_byte_of_messages_sent_without_callbacks) {
  // A lone frame without a callback is sent straight from the queue: a short or blocked send
  // must hand it over to the general path at the right byte.
  start(mode_t::record_only);
  auto c = connect(64 * 1024);
  auto wsh = state_->handle();
  ASSERT_TRUE(wsh);
  expect_slow_reader_gets_everything(*c, wsh, 32, 256 * 1024, false);  // 8 MiB, sendmsg()
  expect_slow_reader_gets_everything(*c, wsh, 4096, 1000, false);      // 4 MB, joined
}

void expect_slow_reader_gets_everything(ws_test_client_t& c, const rws::ws_handle_t& wsh, int count,
                                        std::size_t size, bool with_callbacks) {
  std::atomic<int> ok{0};
  std::atomic<int> done{0};
  std::promise<void> all_done;
  for (int i = 0; i < count; ++i) {
    if (!with_callbacks) {
      wsh->send_message(rws::final_frame, opcode_t::binary_frame, big_payload(i, size));
      continue;
    }
    wsh->send_message(rws::final_frame, opcode_t::binary_frame, big_payload(i, size),
                      [&, count](const std::error_code& ec) {
                        if (!ec) ++ok;
                        if (++done == count) all_done.set_value();
                      });
  }
  for (int i = 0; i < count; ++i) {
    auto f = c.read_frame(5s);
    ASSERT_TRUE(f) << "message " << i;
    EXPECT_EQ(f->opcode, opcode_t::binary_frame);
    ASSERT_EQ(f->payload.size(), size) << "message " << i;
    ASSERT_TRUE(f->payload == big_payload(i, size)) << "message " << i << " differs";
  }
  if (!with_callbacks) return;
  // Every callback reports success (they are posted once the bytes left).
  ASSERT_EQ(all_done.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(ok.load(), count);
}

TEST_F(websocket_test, echoes_to_clients_that_read_only_at_the_end_all_arrive_in_order) {
  // Two clients send one small frame each, wait until the server has both, and go on, reading
  // nothing until they are done. So each of the server's reads holds one frame and each round
  // of its poller two ready sockets (in the io_uring run, the echoes are then joined into the
  // poller's write slots and sent in one submission), and the echoes fill the sockets: a write
  // goes short or finds the socket full, and must resume at the right byte. Nothing is lost,
  // reordered or duplicated.
  rws::ws_settings_t settings;
  settings.write_timeout = 60s;  // the clients read only once they have sent everything
  // Every echo is queued (the default, throttle at 1 MiB, would stop reading them: tested apart).
  settings.max_backpressure = 64 * 1024 * 1024;
  start(mode_t::echo, rws::activation_t::immediate, settings);
  constexpr int count = 12000;
  constexpr std::size_t size = 500;  // 6 MB of echoes per client: more than the sockets hold
  std::array<std::unique_ptr<ws_test_client_t>, 2> clients{connect(64 * 1024), connect(64 * 1024)};
  for (int i = 0; i < count; ++i) {
    for (auto& c : clients)
      ASSERT_TRUE(c->send_frame(opcode_t::binary_frame, big_payload(i, size)));
    ASSERT_TRUE(state_->wait_for_messages(2 * static_cast<std::size_t>(i + 1))) << "message " << i;
  }
  for (std::size_t k = 0; k < clients.size(); ++k) {
    for (int i = 0; i < count; ++i) {
      auto f = clients[k]->read_frame(5s);
      ASSERT_TRUE(f) << "client " << k << ", echo " << i;
      ASSERT_EQ(f->opcode, opcode_t::binary_frame);
      ASSERT_TRUE(f->payload == big_payload(i, size)) << "client " << k << ", echo " << i;
    }
  }
}

TEST_F(websocket_test, a_peer_that_never_reads_is_dropped_after_the_write_timeout) {
  rws::ws_settings_t settings;
  settings.write_timeout = 200ms;
  start(mode_t::record_only, rws::activation_t::immediate, settings);
  auto c = connect(64 * 1024);
  auto wsh = state_->handle();
  ASSERT_TRUE(wsh);
  constexpr int count = 64;
  std::atomic<int> aborted{0};
  int queued = 0;
  try {
    for (; queued < count; ++queued) {
      wsh->send_message(rws::final_frame, opcode_t::binary_frame, big_payload(queued, 256 * 1024),
                        [&](const std::error_code& ec) {
                          if (ec) ++aborted;
                        });
    }
  } catch (const rws::ws_closed_error_t&) {
    // On a slow machine (sanitizers, a busy CI host) the write timeout may drop the connection
    // before this loop has queued everything: send_message() then reports the closed WebSocket.
  }
  EXPECT_GT(queued, 0);
  // The handler learns 1011; the frames that never left are reported aborted; TCP is dropped.
  ASSERT_TRUE(state_->wait_for_messages(1));
  {
    std::lock_guard lock{state_->mutex};
    EXPECT_EQ(state_->received[0].opcode(), opcode_t::connection_close_frame);
    EXPECT_EQ(static_cast<int>(state_->received[0].close_code()), 1011);
  }
  EXPECT_GT(aborted.load(), 0);
  EXPECT_TRUE(c->wait_for_eof(5s));
  EXPECT_THROW(wsh->send_message(rws::final_frame, opcode_t::text_frame, "late"),
               rws::ws_closed_error_t);
}

TEST_F(websocket_test, client_disconnect_reaches_the_handler_as_1006) {
  start(mode_t::record_only);
  {
    auto c = connect();
    ASSERT_TRUE(state_->handle());
  }
  ASSERT_TRUE(state_->wait_for_messages(1));
  std::lock_guard lock{state_->mutex};
  EXPECT_EQ(state_->received[0].opcode(), opcode_t::connection_close_frame);
  EXPECT_EQ(static_cast<int>(state_->received[0].close_code()), 1006);
}

TEST_F(websocket_test, a_fin_that_came_with_the_last_frame_still_closes_the_connection) {
  // The frame and the end of input wait in the socket before the first read (delayed
  // activation): one read takes the frame, and no further edge will announce the end.
  start(mode_t::record_only, rws::activation_t::delayed);
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "last words"));
  c->shutdown_write();
  rws::activate(*state_->handle());
  ASSERT_TRUE(state_->wait_for_messages(2));
  {
    std::lock_guard lock{state_->mutex};
    EXPECT_EQ(state_->received[0].payload(), "last words");
    EXPECT_EQ(state_->received[1].opcode(), opcode_t::connection_close_frame);
    EXPECT_EQ(static_cast<int>(state_->received[1].close_code()), 1006);
  }
  EXPECT_TRUE(c->wait_for_eof());
}

TEST_F(websocket_test, handler_exception_does_not_break_the_connection) {
  std::atomic<int> calls{0};
  server_ = std::make_unique<http_server_t<traits_t>>(
      on_thread_pool<traits_t>(1)
          .port(0)
          .address("127.0.0.1")
          .request_handler([&calls, state = state_](request_handle_t req) {
            state->add_handle(
                rws::upgrade<traits_t>(*req, rws::activation_t::immediate,
                                       [&calls](rws::ws_handle_t wsh, rws::message_handle_t m) {
                                         if (++calls == 1) throw std::runtime_error{"handler bug"};
                                         wsh->send_message(*m);
                                       }));
            return request_accepted();
          }));
  server_->open();
  auto c = connect();
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "first"));
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "second"));
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "second");
}

TEST_F(websocket_test, version_mismatch_gets_426_with_the_supported_version) {
  start();
  ws_test_client_t c{server_->port()};
  const auto head = c.handshake("/chat", "8");
  EXPECT_NE(head.find("HTTP/1.1 426"), std::string::npos) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nDate: "), std::string::npos) << head;  // RFC 9110 §6.6.1
}

TEST_F(websocket_test, server_stop_closes_websockets_with_1001) {
  start(mode_t::record_only);
  auto c = connect();
  ASSERT_TRUE(state_->handle());
  std::thread closer{[this] { server_->close(); }};
  auto f = c->read_frame();
  if (f) c->send_frame(opcode_t::connection_close_frame, f->payload);  // finish the handshake
  const bool eof = c->wait_for_eof();
  c.reset();  // a real client closes its side once it sees the server's FIN
  closer.join();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(f->close_code(), 1001);
  EXPECT_TRUE(eof);
}

TEST_F(websocket_test, half_received_messages_survive_other_connections_traffic) {
  // An idle connection holds no parse state; a busy one keeps its own until its message is
  // whole, whatever the other connections of the reactor do meanwhile.
  rws::ws_settings_t s;
  s.deliver_whole_messages = true;
  start(mode_t::echo, rws::activation_t::immediate, s);
  auto a = connect();
  auto b = connect();
  const auto b_talks = [&] {
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(b->send_frame(opcode_t::binary_frame, numbered(i)));
      auto f = b->read_frame();
      ASSERT_TRUE(f);
      EXPECT_EQ(f->payload, numbered(i));
    }
  };
  ASSERT_TRUE(a->send_frame(opcode_t::text_frame, "hello ", false));  // a message left open
  b_talks();
  const std::string last = ws_test_client_t::encode(opcode_t::continuation_frame, "world");
  ASSERT_TRUE(a->send_raw(std::string_view{last}.substr(0, 4)));  // and half a frame
  b_talks();
  ASSERT_TRUE(a->send_raw(std::string_view{last}.substr(4)));
  auto f = a->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::text_frame);
  EXPECT_EQ(f->payload, "hello world");
}

TEST_F(websocket_test, a_connection_failed_mid_message_leaves_nothing_to_the_next_one) {
  start();
  {
    auto a = connect();
    ASSERT_TRUE(a->send_frame(opcode_t::text_frame, "part", false));
    ASSERT_TRUE(a->send_frame(opcode_t::text_frame, "new"));  // a new message inside the first
    std::optional<ws_frame_t> f;
    while ((f = a->read_frame()) && f->opcode != opcode_t::connection_close_frame) {
    }
    ASSERT_TRUE(f);
    EXPECT_EQ(f->close_code(), 1002);
  }
  for (int round = 0; round < 2; ++round) {
    auto b = connect();
    ASSERT_TRUE(b->send_frame(opcode_t::text_frame, "a", false));
    ASSERT_TRUE(b->send_frame(opcode_t::continuation_frame, "b"));
    auto f1 = b->read_frame();
    auto f2 = b->read_frame();
    ASSERT_TRUE(f1 && f2);
    EXPECT_EQ(f1->payload, "a");
    EXPECT_FALSE(f1->fin);
    EXPECT_EQ(f2->payload, "b");
    EXPECT_TRUE(f2->fin);
  }
}

TEST_F(websocket_test, server_stop_closes_every_websocket_and_waits_for_them_only) {
  // The reactor's WebSockets share one hand-off registration with the server: held from the
  // first upgrade until the last socket closes, then taken again by the next upgrade.
  start(mode_t::record_only);
  {
    auto early = connect();
    ASSERT_TRUE(early->send_frame(opcode_t::connection_close_frame, std::string{"\x03\xe8", 2}));
    auto reply = early->read_frame();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->opcode, opcode_t::connection_close_frame);
    ASSERT_TRUE(early->wait_for_eof());  // closed on the server: its registration is released
  }
  std::vector<std::unique_ptr<ws_test_client_t>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(connect());
  ASSERT_TRUE(state_->wait([&] { return state_->handles.size() == 4; }));
  std::thread closer{[this] { server_->close(); }};
  for (auto& c : clients) {
    auto f = c->read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
    EXPECT_EQ(f->close_code(), 1001);
    c->send_frame(opcode_t::connection_close_frame, f->payload);
    EXPECT_TRUE(c->wait_for_eof());
    c.reset();
  }
  closer.join();
  // Every WebSocket finished its close handshake: the stop did not run into its time limit.
  EXPECT_FALSE(log_->contains("still open after handoff_stop_timelimit"));
}

TEST_F(websocket_test, server_stop_kills_websockets_whose_peer_never_answers_the_close) {
  rws::ws_settings_t s;
  s.close_timeout = 60s;  // longer than the server's hand-off time limit (5 s)
  start(mode_t::record_only, rws::activation_t::immediate, s);
  auto a = connect();
  auto b = connect();
  ASSERT_TRUE(state_->wait([&] { return state_->handles.size() == 2; }));
  std::thread closer{[this] { server_->close(); }};
  for (auto* c : {a.get(), b.get()}) {
    auto f = c->read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->close_code(), 1001);
  }
  // Neither client answers: the kill handler closes both sockets when the time limit is over.
  EXPECT_TRUE(a->wait_for_eof(15s));
  EXPECT_TRUE(b->wait_for_eof(15s));
  closer.join();
  EXPECT_TRUE(log_->contains("still open after handoff_stop_timelimit"));
}

TEST(websocket_keep_open, stays_open_without_handles_until_the_peer_or_the_server_closes) {
  // ws_settings_t::keep_open: the application keeps no handle (the one upgrade() returns is
  // dropped at once), and the WebSocket still lives until a close.
  auto log = std::make_shared<log_store_t>();
  auto state = std::make_shared<server_state_t>();
  rws::ws_settings_t s;
  s.keep_open = true;
  s.io_uring = io_uring_mode();
  auto server = std::make_unique<http_server_t<traits_t>>(
      on_thread_pool<traits_t>(1)
          .port(0)
          .address("127.0.0.1")
          .logger(log)
          .request_handler([state, s](request_handle_t req) {
            rws::upgrade<traits_t>(
                *req, rws::activation_t::immediate,
                [state](rws::ws_handle_t wsh, rws::message_handle_t m) {
                  state->add(*m);
                  if (m->opcode() == opcode_t::text_frame) wsh->send_message(*m);
                },
                s);
            return request_accepted();
          }));
  server->open();
  auto a = std::make_unique<ws_test_client_t>(server->port());
  auto b = std::make_unique<ws_test_client_t>(server->port());
  ASSERT_NE(a->handshake().find("HTTP/1.1 101"), std::string::npos);
  ASSERT_NE(b->handshake().find("HTTP/1.1 101"), std::string::npos);
  ASSERT_TRUE(a->send_frame(opcode_t::text_frame, "still here"));
  auto echo = a->read_frame();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->opcode, opcode_t::text_frame);
  EXPECT_EQ(echo->payload, "still here");
  // The peer closes: the close handshake completes, and the handler saw the close.
  ASSERT_TRUE(a->send_frame(opcode_t::connection_close_frame, std::string{"\x03\xe8", 2}));
  auto closing = a->read_frame();
  ASSERT_TRUE(closing);
  EXPECT_EQ(closing->opcode, opcode_t::connection_close_frame);
  EXPECT_TRUE(a->wait_for_eof());
  a.reset();  // a real client closes its side once it sees the server's FIN
  ASSERT_TRUE(state->wait([&] { return state->received.size() == 2; }));
  {
    std::lock_guard lock{state->mutex};
    EXPECT_EQ(state->received.back().opcode(), opcode_t::connection_close_frame);
  }
  // The server stops: the other WebSocket, still open, gets 1001.
  std::thread closer{[&] { server->close(); }};
  auto going_away = b->read_frame();
  if (going_away) b->send_frame(opcode_t::connection_close_frame, going_away->payload);
  EXPECT_TRUE(b->wait_for_eof());
  b.reset();
  closer.join();
  ASSERT_TRUE(going_away);
  EXPECT_EQ(going_away->close_code(), 1001);
  EXPECT_FALSE(log->contains("still open after handoff_stop_timelimit"));
}

TEST(websocket_io_uring_automatic, echoes_and_logs_its_choice_once) {
  // The default, io_uring_mode_t::automatic: the first WebSocket times a system call and picks
  // io_uring or plain calls; the server says which, once, and WebSockets work either way.
  rws::ws_settings_t s;
  ASSERT_EQ(s.io_uring, rws::io_uring_mode_t::automatic);
  auto log = std::make_shared<log_store_t>();
  auto server = std::make_unique<http_server_t<traits_t>>(
      on_thread_pool<traits_t>(1)
          .port(0)
          .address("127.0.0.1")
          .logger(log)
          .request_handler([](request_handle_t req) {
            rws::ws_settings_t settings;
            settings.keep_open = true;
            rws::upgrade<traits_t>(
                *req, rws::activation_t::immediate,
                [](rws::ws_handle_t wsh, rws::message_handle_t m) {
                  if (m->opcode() == opcode_t::text_frame) wsh->send_message(*m);
                },
                settings);
            return request_accepted();
          }));
  server->open();
  std::vector<std::unique_ptr<ws_test_client_t>> clients;
  for (int i = 0; i < 2; ++i) {
    clients.push_back(std::make_unique<ws_test_client_t>(server->port()));
    ASSERT_NE(clients.back()->handshake().find("HTTP/1.1 101"), std::string::npos);
  }
  for (int round = 0; round < 3; ++round) {
    for (auto& c : clients) {
      const std::string text = numbered(round);
      ASSERT_TRUE(c->send_frame(opcode_t::text_frame, text));
      auto echo = c->read_frame();
      ASSERT_TRUE(echo);
      EXPECT_EQ(echo->payload, text);
    }
  }
  std::vector<std::string> choices;
  {
    std::lock_guard lock{log->mutex};
    for (const auto& l : log->lines)
      if (l.find("ws: a system call takes") != std::string::npos) choices.push_back(l);
  }
  ASSERT_EQ(choices.size(), 1u);  // two WebSockets, one line (HTTP says its own)
  // "ws: a system call takes N ns here, so ...": the choice follows N.
  const auto& line = choices.front();
  const auto at = line.find("takes ") + 6;
  const long ns = std::stol(line.substr(at));
  EXPECT_GT(ns, 0);
  const bool batches = line.find("through io_uring") != std::string::npos;
  const bool plain = line.find("plain system calls") != std::string::npos;
  EXPECT_NE(batches, plain) << line;
  EXPECT_EQ(batches, ns >= 300) << line;
  for (auto& c : clients) {
    ASSERT_TRUE(c->send_frame(opcode_t::connection_close_frame, std::string{"\x03\xe8", 2}));
    auto closing = c->read_frame();
    ASSERT_TRUE(closing);
    EXPECT_EQ(closing->opcode, opcode_t::connection_close_frame);
    EXPECT_TRUE(c->wait_for_eof());
  }
  clients.clear();
  server->close();
  EXPECT_FALSE(log->contains("still open after handoff_stop_timelimit"));
}

}  // namespace
}  // namespace restws::testing
