#include "restws/websocket/protocol/close_payload.hpp"

#include <gtest/gtest.h>

#include <string>

#include "restws/websocket/protocol/utf8_validator.hpp"

namespace restws::websocket::protocol {
namespace {

TEST(close_payload, is_code_then_reason) {
  EXPECT_EQ(make_close_payload(status_code_t::going_away, "bye"), std::string("\x03\xE9"
                                                                              "bye",
                                                                              5));
  EXPECT_EQ(make_close_payload(status_code_t::normal_closure), std::string("\x03\xE8", 2));
}

TEST(close_payload, cuts_long_reason_to_123_bytes) {
  const auto p = make_close_payload(status_code_t::normal_closure, std::string(200, 'r'));
  EXPECT_EQ(p.size(), 125u);
}

TEST(close_payload, cuts_reason_without_splitting_a_utf8_sequence) {
  // 122 ASCII bytes then a 3-byte character: only 122 fit whole.
  const std::string reason = std::string(122, 'r') + "\xE2\x82\xAC";
  const auto p = make_close_payload(status_code_t::normal_closure, reason);
  EXPECT_EQ(p.size(), 2u + 122u);
  EXPECT_TRUE(is_valid_utf8(std::string_view{p}.substr(2)));
}

TEST(close_payload, cuts_invalid_reason_at_its_first_bad_byte) {
  const auto p = make_close_payload(status_code_t::normal_closure, "ok\xFFnot");
  EXPECT_EQ(p, std::string("\x03\xE8ok", 4));
}

TEST(close_payload, parses_code_and_reason) {
  const std::string payload("\x0F\xA0gone", 6);
  const auto info = parse_close_payload(payload);
  EXPECT_EQ(info.code, static_cast<status_code_t>(4000));
  EXPECT_EQ(info.reason, "gone");
}

TEST(close_payload, empty_payload_means_no_status_and_is_answered_with_1000) {
  const auto info = parse_close_payload("");
  EXPECT_EQ(info.code, status_code_t::no_status_received);
  EXPECT_EQ(close_reply_code(info), status_code_t::normal_closure);
}

TEST(close_payload, reply_echoes_the_peer_code) {
  EXPECT_EQ(close_reply_code(parse_close_payload(std::string("\x03\xE9", 2))),
            status_code_t::going_away);
}

}  // namespace
}  // namespace restws::websocket::protocol
