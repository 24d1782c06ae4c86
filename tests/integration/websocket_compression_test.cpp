// permessage-deflate over real loopback sockets (ws_settings_t::deflate): negotiation in the 101,
// compressed echo both ways, and hostile input closed with the right code (bomb 1009, corrupt
// 1007, RSV1 on a control frame 1002).

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "integration/test_server.hpp"
#include "integration/ws_test_client.hpp"
#include "restws/all.hpp"
#include "restws/websocket/protocol/message_deflater.hpp"
#include "restws/websocket/protocol/message_inflater.hpp"
#include "restws/websocket/websocket.hpp"

namespace restws::testing {
namespace {

namespace rws = restws::websocket::basic;
using traits_t = restws::traits_t<restws::asio_timer_manager_t, capturing_logger_t>;
using opcode_t = rws::opcode_t;

constexpr std::string_view chromium_offer =
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

std::string deflated(std::string_view message, int level = 1) {
  wsp::message_deflater_t d{{.level = level, .context_takeover = false}};
  std::string out;
  EXPECT_TRUE(d.compress(std::as_bytes(std::span{message}), out));
  return out;
}

std::string inflated(std::string_view payload) {
  wsp::message_inflater_t i{15, false};
  std::string out;
  EXPECT_EQ(i.inflate(std::as_bytes(std::span{payload}), true, out, 64u << 20),
            wsp::inflate_status_t::ok);
  return out;
}

/// A masked client frame with RSV1 set: a compressed message's first frame.
std::string compressed_frame(opcode_t opcode, std::string_view payload, bool fin = true) {
  std::string f = ws_test_client_t::encode(opcode, payload, fin);
  f[0] = static_cast<char>(f[0] | 0x40);
  return f;
}

class websocket_compression : public ::testing::Test {
 protected:
  void start(bool enabled, std::size_t max_message_size = 16u << 20) {
    rws::ws_settings_t settings;
    settings.deflate.enabled = enabled;
    settings.max_message_size = max_message_size;
    settings.keep_open = true;  // the library holds each WebSocket: the handler only echoes
    server_ = std::make_unique<http_server_t<traits_t>>(
        on_thread_pool<traits_t>(1)
            .port(0)
            .address("127.0.0.1")
            .logger(log_)
            .request_handler([settings](request_handle_t req) {
              rws::upgrade<traits_t>(
                  *req, rws::activation_t::immediate,
                  [](rws::ws_handle_t wsh, rws::message_handle_t m) {
                    if (!restws::websocket::protocol::is_data_opcode(m->opcode())) return;
                    // "raw:..." is echoed with compression_t::none: never compressed.
                    if (m->payload().starts_with("raw:")) {
                      rws::message_t raw{*m};
                      raw.set_compression(rws::compression_t::none);
                      wsh->send_message(raw);
                      return;
                    }
                    wsh->send_message(*m);
                  },
                  settings);
              return request_accepted();
            }));
    server_->open();
    client_ = std::make_unique<ws_test_client_t>(server_->port());
    ASSERT_TRUE(client_->connected());
  }

  void expect_closed_with(int code) {
    const auto f = client_->read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->opcode, opcode_t::connection_close_frame);
    EXPECT_EQ(f->close_code(), code);
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->close();
  }

  std::shared_ptr<log_store_t> log_ = std::make_shared<log_store_t>();
  std::unique_ptr<http_server_t<traits_t>> server_;
  std::unique_ptr<ws_test_client_t> client_;
};

TEST_F(websocket_compression, the_101_states_the_agreed_parameters) {
  start(true);
  const auto head = client_->handshake("/chat", "13", chromium_offer);
  EXPECT_NE(head.find("\r\nSec-WebSocket-Extensions: permessage-deflate; "
                      "server_no_context_takeover; client_no_context_takeover\r\n"),
            std::string::npos)
      << head;
}

TEST_F(websocket_compression, off_by_default_the_offer_is_declined) {
  start(false);
  const auto head = client_->handshake("/chat", "13", chromium_offer);
  EXPECT_EQ(head.find("Sec-WebSocket-Extensions"), std::string::npos) << head;
  // And RSV1 is then a protocol error.
  ASSERT_TRUE(client_->send_raw(compressed_frame(opcode_t::text_frame, deflated("Hello"))));
  expect_closed_with(1002);
}

TEST_F(websocket_compression, a_malformed_offer_is_declined_not_refused) {
  start(true);
  const auto head =
      client_->handshake("/chat", "13", "Sec-WebSocket-Extensions: permessage-deflate; x=\"\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  EXPECT_EQ(head.find("Sec-WebSocket-Extensions"), std::string::npos) << head;
}

TEST_F(websocket_compression, compressed_messages_echo_compressed) {
  start(true);
  client_->handshake("/chat", "13", chromium_offer);
  const std::string text(2000, 'a');
  ASSERT_TRUE(client_->send_raw(compressed_frame(opcode_t::text_frame, deflated(text))));
  const auto f = client_->read_frame();
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->rsv1);
  EXPECT_LT(f->payload.size(), text.size() / 10);
  EXPECT_EQ(inflated(f->payload), text);
}

TEST_F(websocket_compression, a_fragmented_compressed_message_is_inflated_across_frames) {
  start(true);
  client_->handshake("/chat", "13", chromium_offer);
  const std::string text = "fragmented and compressed, twice over: " + std::string(200, 'z');
  const auto c = deflated(text);
  ASSERT_TRUE(client_->send_raw(compressed_frame(opcode_t::text_frame, c.substr(0, 5), false)));
  ASSERT_TRUE(client_->send_frame(opcode_t::continuation_frame, c.substr(5), true));
  // Frame mode (RESTinio's default): each frame is delivered with what it inflated to, and the
  // handler's echo of a fragment goes uncompressed (only whole messages are compressed).
  std::string echoed;
  for (;;) {
    const auto f = client_->read_frame();
    ASSERT_TRUE(f);
    EXPECT_FALSE(f->rsv1);
    echoed += f->payload;
    if (f->fin) break;
  }
  EXPECT_EQ(echoed, text);
}

TEST_F(websocket_compression, a_message_sent_with_compression_none_goes_uncompressed) {
  start(true);
  client_->handshake("/chat", "13", chromium_offer);
  const std::string text = "raw:" + std::string(2000, 'a');
  ASSERT_TRUE(client_->send_raw(compressed_frame(opcode_t::text_frame, deflated(text))));
  const auto f = client_->read_frame();
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->rsv1);
  EXPECT_EQ(f->payload, text);
}

TEST_F(websocket_compression, incompressible_messages_go_back_uncompressed) {
  start(true);
  client_->handshake("/chat", "13", chromium_offer);
  std::string noise(4000, '\0');
  std::uint32_t x = 3;
  for (char& c : noise) c = static_cast<char>((x = x * 1664525 + 1013904223) >> 24);
  ASSERT_TRUE(client_->send_raw(compressed_frame(opcode_t::binary_frame, deflated(noise))));
  const auto f = client_->read_frame();
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->rsv1);  // deflate would have made it larger
  EXPECT_EQ(f->payload, noise);
}

TEST_F(websocket_compression, short_messages_go_back_uncompressed) {
  start(true);
  client_->handshake("/chat", "13", chromium_offer);
  ASSERT_TRUE(client_->send_raw(compressed_frame(opcode_t::text_frame, deflated("Hello"))));
  const auto f = client_->read_frame();
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->rsv1);  // under min_size (64 B)
  EXPECT_EQ(f->payload, "Hello");
}

TEST_F(websocket_compression, a_bomb_is_closed_with_1009_at_the_limit) {
  start(true, 1u << 20);
  client_->handshake("/chat", "13", chromium_offer);
  const auto bomb = deflated(std::string(16u << 20, '\0'), 9);  // ~16 KiB
  ASSERT_LT(bomb.size(), 64u * 1024);
  ASSERT_TRUE(client_->send_raw(compressed_frame(opcode_t::binary_frame, bomb)));
  expect_closed_with(1009);
}

TEST_F(websocket_compression, corrupt_data_is_closed_with_1007) {
  start(true);
  client_->handshake("/chat", "13", chromium_offer);
  ASSERT_TRUE(client_->send_raw(compressed_frame(opcode_t::binary_frame, "\xff\xff\xff\xff")));
  expect_closed_with(1007);
}

TEST_F(websocket_compression, invalid_utf8_once_inflated_is_closed_with_1007) {
  start(true);
  client_->handshake("/chat", "13", chromium_offer);
  ASSERT_TRUE(client_->send_raw(compressed_frame(opcode_t::text_frame, deflated("ok \xc3\x28"))));
  expect_closed_with(1007);
}

TEST_F(websocket_compression, rsv1_on_a_control_frame_is_closed_with_1002) {
  start(true);
  client_->handshake("/chat", "13", chromium_offer);
  ASSERT_TRUE(client_->send_raw(compressed_frame(opcode_t::ping_frame, "")));
  expect_closed_with(1002);
}

}  // namespace
}  // namespace restws::testing
