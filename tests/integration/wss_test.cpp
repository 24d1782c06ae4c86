// WebSockets over TLS (wss) on loopback: the upgrade hands the TLS session to the WebSocket,
// which then speaks through it; every frame type, the close handshake, large messages through a
// full socket, backpressure, and TLS failures after the upgrade.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "restws/websocket/websocket.hpp"
#include "tls_test_server.hpp"
#include "ws_test_client.hpp"

namespace restws::testing {
namespace {

namespace rws = restws::websocket::basic;
using opcode_t = rws::opcode_t;

struct wss_test : ::testing::Test {
  tls_files_t files;
  tls_client_context_t client{files.pki.ca_pem()};
  std::mutex mutex;
  std::vector<rws::ws_handle_t> handles;
  std::atomic<int> closes{0};
  std::atomic<int> queued{0};
  struct event_t {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    void set() {
      std::lock_guard lock{m};
      done = true;
      cv.notify_all();
    }
    bool wait_for(std::chrono::milliseconds t) {
      std::unique_lock lock{m};
      return cv.wait_for(lock, t, [&] { return done; });
    }
  } flooded, closed;
  rws::ws_settings_t ws_settings;

  tls_test_settings_t settings() {
    return tls_settings_with(files, [this](const request_handle_t& req) {
      if (http_connection_header_t::upgrade != req->header().connection())
        return request_rejected();
      auto h = rws::upgrade<tls_test_traits_t>(
          *req, rws::activation_t::immediate,
          [this](rws::ws_handle_t wsh, rws::message_handle_t m) {
            if (m->opcode() == opcode_t::connection_close_frame) {
              ++closes;
              closed.set();
              return;
            }
            if (m->opcode() == opcode_t::ping_frame || m->opcode() == opcode_t::pong_frame) return;
            if (m->payload() == "flood") {
              const std::string chunk(64 * 1024, 'q');
              for (int i = 0; i < 200; ++i)
                if (wsh->send_message(rws::final_frame_flag_t::final_frame, opcode_t::binary_frame,
                                      chunk) == rws::send_status_t::queued)
                  ++queued;
              flooded.set();
              return;
            }
            wsh->send_message(*m);
          },
          ws_settings);
      std::lock_guard lock{mutex};
      handles.push_back(h);
      return request_accepted();
    });
  }

  /// A wss client, upgraded; asserts on the way.
  std::unique_ptr<ws_test_client_t> open(tls_test_server_t& server, int receive_buffer = 0) {
    auto c = std::make_unique<ws_test_client_t>(server.port(), receive_buffer);
    EXPECT_TRUE(c->start_tls(client.get())) << c->tls_error();
    EXPECT_EQ(c->handshake().rfind("HTTP/1.1 101", 0), 0u);
    return c;
  }
};

TEST_F(wss_test, echoes_every_frame_type) {
  ws_settings.auto_pong = true;
  tls_test_server_t server{settings()};
  auto c = open(server);
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "Hello, κόσμε"));
  auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::text_frame);
  EXPECT_EQ(f->payload, "Hello, κόσμε");

  const std::string binary{"\x00\x01\xff\xfe", 4};
  ASSERT_TRUE(c->send_frame(opcode_t::binary_frame, binary));
  f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::binary_frame);
  EXPECT_EQ(f->payload, binary);

  // Fragments come back as fragments (the handler sees frames).
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "frag", false));
  ASSERT_TRUE(c->send_frame(opcode_t::continuation_frame, "ment", true));
  f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->fin);
  f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->fin);
  EXPECT_EQ(f->payload, "ment");

  ASSERT_TRUE(c->send_frame(opcode_t::ping_frame, "p"));
  f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::pong_frame);
  EXPECT_EQ(f->payload, "p");
}

TEST_F(wss_test, runs_the_close_handshake_and_ends_tls) {
  tls_test_server_t server{settings()};
  auto c = open(server);
  ASSERT_TRUE(c->send_frame(opcode_t::connection_close_frame, std::string{"\x0f\xa0", 2} + "bye"));
  const auto f = c->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(f->close_code(), 4000);
  EXPECT_TRUE(c->wait_for_eof());
  // The server's close_notify came before its FIN.
  EXPECT_NE(SSL_get_shutdown(c->ssl()) & SSL_RECEIVED_SHUTDOWN, 0);
}

TEST_F(wss_test, echoes_large_messages_through_a_small_receive_buffer) {
  ws_settings.max_frame_size = 32 * 1024 * 1024;
  ws_settings.max_message_size = 32 * 1024 * 1024;
  tls_test_server_t server{settings()};
  auto c = open(server, 32 * 1024);
  std::string big(16 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 2654435761u >> 24);
  // Sent from another thread: the echo comes back while the frame still goes out.
  std::thread writer{[&] { c->send_frame(opcode_t::binary_frame, big); }};
  const auto f = c->read_frame(20s);
  writer.join();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload.size(), big.size());
  EXPECT_TRUE(f->payload == big);
}

TEST_F(wss_test, many_messages_in_a_burst_come_back_in_order) {
  tls_test_server_t server{settings()};
  auto c = open(server);
  std::string burst;
  for (int i = 0; i < 500; ++i)
    burst += ws_test_client_t::encode(opcode_t::text_frame, "message " + std::to_string(i));
  ASSERT_TRUE(c->send_raw(burst));
  for (int i = 0; i < 500; ++i) {
    const auto f = c->read_frame();
    ASSERT_TRUE(f) << i;
    ASSERT_EQ(f->payload, "message " + std::to_string(i));
  }
}

TEST_F(wss_test, holds_a_client_that_does_not_read_to_its_backpressure_limit) {
  ws_settings.max_backpressure = 256 * 1024;
  ws_settings.backpressure_policy = rws::backpressure_policy_t::drop;
  tls_test_server_t server{settings()};
  auto c = open(server, 16 * 1024);
  // "flood": the handler (on the connection's thread) sends 200 × 64 KiB at once.
  ASSERT_TRUE(c->send_frame(opcode_t::text_frame, "flood"));
  ASSERT_TRUE(flooded.wait_for(3s));
  // The cap counts what TLS has not sent yet too: the queue stays near it, never all 12.5 MiB.
  EXPECT_GT(queued.load(), 0);
  EXPECT_LT(queued.load(), 200);
  // Once the client reads, everything queued arrives whole.
  for (int i = 0; i < queued.load(); ++i) {
    const auto f = c->read_frame(10s);
    ASSERT_TRUE(f) << i;
    ASSERT_EQ(f->payload.size(), 64u * 1024);
  }
}

TEST_F(wss_test, a_tls_error_after_the_upgrade_closes_the_websocket_and_is_logged) {
  tls_test_server_t server{settings()};
  auto c = open(server);
  // A record of garbage, sent under TLS's feet on the raw socket.
  const int fd = SSL_get_fd(c->ssl());
  const std::string junk = std::string("\x17\x03\x03\x00\x20", 5) + std::string(32, 'j');
  ASSERT_EQ(::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL), static_cast<ssize_t>(junk.size()));
  EXPECT_TRUE(c->wait_for_eof());
  EXPECT_TRUE(server.log->wait_for("TLS failed", 3s));
  EXPECT_TRUE(server.log->wait_for("ws [", 3s));
  // The handler was told (1006), and the server goes on serving.
  EXPECT_TRUE(closed.wait_for(3s));
  auto d = open(server);
  ASSERT_TRUE(d->send_frame(opcode_t::text_frame, "still here"));
  const auto f = d->read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "still here");
}

}  // namespace
}  // namespace restws::testing
