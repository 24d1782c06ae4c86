// ws_deflate_t: the connection's permessage-deflate hook, without sockets.
#include "websocket/ws_deflate.hpp"

#include <gtest/gtest.h>

#include <string>

namespace restws::websocket::basic::detail {
namespace {

using protocol::opcode_t;
using protocol::status_code_t;

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span{s}); }

protocol::deflate_agreement_t agreement(bool server_nct, bool client_nct) {
  protocol::deflate_agreement_t a;
  a.server_no_context_takeover = server_nct;
  a.client_no_context_takeover = client_nct;
  return a;
}

/// What a client compressing with (or without) context would send.
std::string client_message(protocol::message_deflater_t& d, std::string_view m) {
  std::string out;
  EXPECT_TRUE(d.compress(bytes(m), out));
  return out;
}

TEST(ws_deflate, inflates_single_frame_messages_on_the_threads_inflater) {
  ws_deflate_t z{agreement(true, true), {}};
  protocol::message_deflater_t client{{.context_takeover = false}};
  for (int i = 0; i < 3; ++i) {
    std::string out;
    EXPECT_FALSE(z.inflate(bytes(client_message(client, "Hello, hello")), true,
                           opcode_t::text_frame, out, 100));
    EXPECT_EQ(out, "Hello, hello");
  }
  EXPECT_EQ(z.memory(), 0u);  // nothing held between messages
}

TEST(ws_deflate, a_client_keeping_context_costs_its_window) {
  ws_deflate_t z{agreement(true, false), {}};
  protocol::message_deflater_t client;  // keeps context
  std::string out;
  EXPECT_FALSE(
      z.inflate(bytes(client_message(client, "Hello")), true, opcode_t::text_frame, out, 100));
  out.clear();
  EXPECT_FALSE(
      z.inflate(bytes(client_message(client, "Hello")), true, opcode_t::text_frame, out, 100));
  EXPECT_EQ(out, "Hello");  // the second refers to the first
  EXPECT_GT(z.memory(), 32u * 1024);
}

TEST(ws_deflate, a_fragmented_message_inflates_frame_by_frame_and_frees_its_inflater) {
  ws_deflate_t z{agreement(true, true), {}};
  protocol::message_deflater_t client{{.context_takeover = false}};
  const auto c = client_message(client, "Hello, fragmented world");
  std::string out;
  EXPECT_FALSE(z.inflate(bytes(c).first(3), false, opcode_t::text_frame, out, 100));
  EXPECT_GT(z.memory(), 0u);  // its own inflater while the message is open
  EXPECT_FALSE(z.inflate(bytes(c).subspan(3), true, opcode_t::text_frame, out, 100));
  EXPECT_EQ(out, "Hello, fragmented world");
  EXPECT_EQ(z.memory(), 0u);
}

TEST(ws_deflate, failures_have_their_close_codes) {
  protocol::message_deflater_t client{{.context_takeover = false}};
  {
    ws_deflate_t z{agreement(true, true), {}};
    std::string out;
    const auto f = z.inflate(bytes(std::string(4, '\xff')), true, opcode_t::binary_frame, out, 100);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->code, status_code_t::invalid_payload);
  }
  {
    ws_deflate_t z{agreement(true, true), {}};
    std::string out;
    const auto f = z.inflate(bytes(client_message(client, std::string(5000, 'a'))), true,
                             opcode_t::binary_frame, out, 1000);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->code, status_code_t::message_too_big);
  }
  {
    // The limit counts what earlier frames of the message gave (frame mode: not in `out`).
    ws_deflate_t z{agreement(true, true), {}};
    const auto c = client_message(client, std::string(1500, 'a'));
    const std::size_t half = c.size() / 2;
    std::string out;
    EXPECT_FALSE(z.inflate(bytes(c).first(half), false, opcode_t::binary_frame, out, 1000));
    out.clear();
    const auto f = z.inflate(bytes(c).subspan(half), true, opcode_t::continuation_frame, out, 1000);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->code, status_code_t::message_too_big);
  }
  {
    ws_deflate_t z{agreement(true, true), {}};
    std::string out;
    const auto f = z.inflate(bytes(client_message(client, "ok \xc3\x28")), true,
                             opcode_t::text_frame, out, 100);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->code, status_code_t::invalid_payload);
    out.clear();  // binary: not checked
    EXPECT_FALSE(z.inflate(bytes(client_message(client, "ok \xc3\x28")), true,
                           opcode_t::binary_frame, out, 100));
  }
}

TEST(ws_deflate, utf8_is_checked_across_frames) {
  ws_deflate_t z{agreement(true, true), {}};
  protocol::message_deflater_t client{{.context_takeover = false}};
  const auto c = client_message(client, "caf\xc3\xa9");
  std::string out;
  EXPECT_FALSE(z.inflate(bytes(c).first(2), false, opcode_t::text_frame, out, 100));
  EXPECT_FALSE(z.inflate(bytes(c).subspan(2), true, opcode_t::text_frame, out, 100));
  EXPECT_EQ(out, "caf\xc3\xa9");
  // A text message ending inside a sequence fails at its last frame.
  const auto cut = client_message(client, "caf\xc3");
  out.clear();
  const auto f = z.inflate(bytes(cut), true, opcode_t::text_frame, out, 100);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->code, status_code_t::invalid_payload);
}

TEST(ws_deflate, compresses_with_or_without_its_own_context) {
  ws_settings_t::deflate_t settings;
  ws_deflate_t shared{agreement(true, true), settings};
  ws_deflate_t own{agreement(false, true), settings};
  std::string a, b;
  std::string hello;
  for (int i = 0; i < 20; ++i) hello += "Hello, ";
  EXPECT_TRUE(shared.compress(bytes(hello), a));
  EXPECT_EQ(shared.memory(), 0u);
  EXPECT_TRUE(own.compress(bytes("Hello"), b));
  EXPECT_GT(own.memory(), 100u * 1024);
  std::string second;
  EXPECT_TRUE(own.compress(bytes("Hello"), second));
  EXPECT_LT(second.size(), b.size());  // the window remembers the first
  protocol::message_inflater_t client{15, false};
  std::string out;
  EXPECT_EQ(client.inflate(bytes(a), true, out, 1000), protocol::inflate_status_t::ok);
  EXPECT_EQ(out, hello);
}

TEST(ws_deflate, sends_a_message_that_would_not_shrink_as_it_is_without_context) {
  ws_settings_t::deflate_t settings;
  std::string random(1000, '\0');
  std::uint32_t x = 1;
  for (char& c : random) c = static_cast<char>((x = x * 1664525 + 1013904223) >> 24);
  for (std::uint8_t window : {std::uint8_t{9}, std::uint8_t{15}}) {
    auto agreed = agreement(true, true);
    agreed.server_max_window_bits = window;
    ws_deflate_t z{agreed, settings};
    std::string out = "x";
    EXPECT_FALSE(z.compress(bytes(random), out)) << int{window};
    EXPECT_EQ(out, "x");  // nothing appended: the caller sends the message uncompressed
  }
  // With context the window already holds the message: it is sent compressed whatever its size.
  ws_deflate_t own{agreement(false, true), settings};
  std::string out;
  EXPECT_TRUE(own.compress(bytes(random), out));
}

TEST(ws_deflate, keeps_within_a_small_window_the_client_asked_for) {
  // A repeat 700 bytes back: a full window would refer to it, a 9-bit one (512 B) must not.
  std::string block(700, '\0');
  std::uint32_t x = 7;
  for (char& c : block) c = static_cast<char>('a' + ((x = x * 1664525 + 1013904223) >> 28));
  const std::string message = block + block;
  auto agreed = agreement(true, true);
  agreed.server_max_window_bits = 9;
  ws_deflate_t z{agreed, {}};
  std::string out;
  ASSERT_TRUE(z.compress(bytes(message), out));
  protocol::message_inflater_t client{9, false};
  std::string back;
  EXPECT_EQ(client.inflate(bytes(out), true, back, 4096), protocol::inflate_status_t::ok);
  EXPECT_EQ(back, message);
}

TEST(ws_deflate, small_messages_are_not_worth_compressing) {
  ws_settings_t::deflate_t settings;
  settings.min_size = 64;
  ws_deflate_t z{agreement(true, true), settings};
  EXPECT_FALSE(z.worth_compressing(63));
  EXPECT_TRUE(z.worth_compressing(64));
}

}  // namespace
}  // namespace restws::websocket::basic::detail
