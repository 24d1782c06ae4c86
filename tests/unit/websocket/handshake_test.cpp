#include "restws/websocket/protocol/handshake.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace restws::websocket::protocol {
namespace {

using http::http_header_fields_t;
using http::method_t;

http_header_fields_t valid_fields() {
  return {{"Host", "server.example.com"},
          {"Upgrade", "websocket"},
          {"Connection", "Upgrade"},
          {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
          {"Sec-WebSocket-Version", "13"}};
}

upgrade_check_t check(const http_header_fields_t& f, method_t m = method_t::get, unsigned major = 1,
                      unsigned minor = 1) {
  return check_upgrade_request(m, major, minor, f);
}

http_header_fields_t with(std::string_view name, std::string_view value) {
  auto f = valid_fields();
  f.set_field(std::string{name}, std::string{value});
  return f;
}

http_header_fields_t without(std::string_view name) {
  auto f = valid_fields();
  f.remove_field(name);
  return f;
}

TEST(handshake, computes_accept_for_rfc6455_sample_key) {
  EXPECT_EQ(sec_websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(handshake, accepts_rfc6455_sample_request) {
  EXPECT_EQ(check(valid_fields()), upgrade_check_t::ok);
}

TEST(handshake, accepts_http_versions_above_1_1) {
  EXPECT_EQ(check(valid_fields(), method_t::get, 1, 2), upgrade_check_t::ok);
  EXPECT_EQ(check(valid_fields(), method_t::get, 2, 0), upgrade_check_t::ok);
}

TEST(handshake, rejects_method_other_than_get) {
  for (const auto m : {method_t::post, method_t::head, method_t::put, method_t::connect})
    EXPECT_EQ(check(valid_fields(), m), upgrade_check_t::not_get);
}

TEST(handshake, rejects_http_1_0) {
  EXPECT_EQ(check(valid_fields(), method_t::get, 1, 0), upgrade_check_t::http_version_too_old);
  EXPECT_EQ(check(valid_fields(), method_t::get, 0, 9), upgrade_check_t::http_version_too_old);
}

TEST(handshake, upgrade_token_is_case_insensitive_and_found_in_lists) {
  EXPECT_EQ(check(with("Upgrade", "WebSocket")), upgrade_check_t::ok);
  EXPECT_EQ(check(with("Upgrade", "h2c, websocket")), upgrade_check_t::ok);
}

TEST(handshake, rejects_missing_or_other_upgrade) {
  EXPECT_EQ(check(without("Upgrade")), upgrade_check_t::missing_upgrade_websocket);
  EXPECT_EQ(check(with("Upgrade", "h2c")), upgrade_check_t::missing_upgrade_websocket);
  EXPECT_EQ(check(with("Upgrade", "websockets")), upgrade_check_t::missing_upgrade_websocket);
}

TEST(handshake, connection_upgrade_token_is_found_in_lists_and_repeated_fields) {
  EXPECT_EQ(check(with("Connection", "keep-alive, Upgrade")), upgrade_check_t::ok);
  auto f = with("Connection", "keep-alive");
  f.add_field("connection", "UPGRADE");
  EXPECT_EQ(check(f), upgrade_check_t::ok);
}

TEST(handshake, rejects_connection_without_upgrade_token) {
  EXPECT_EQ(check(without("Connection")), upgrade_check_t::missing_connection_upgrade);
  EXPECT_EQ(check(with("Connection", "keep-alive")), upgrade_check_t::missing_connection_upgrade);
  EXPECT_EQ(check(with("Connection", "upgraded")), upgrade_check_t::missing_connection_upgrade);
}

TEST(handshake, rejects_key_that_is_not_base64_of_16_bytes) {
  for (const char* key :
       {"", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ",
        "short==", "dGhlIHNhbXBsZSBub25jZSE=", "dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ==",
        "dGhlIHNhbXBsZSBub25j!Q=="})
    EXPECT_EQ(check(with("Sec-WebSocket-Key", key)), upgrade_check_t::bad_key) << key;
}

TEST(handshake, rejects_missing_or_repeated_key) {
  EXPECT_EQ(check(without("Sec-WebSocket-Key")), upgrade_check_t::bad_key);
  auto f = valid_fields();
  f.add_field("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(check(f), upgrade_check_t::bad_key);
}

TEST(handshake, accepts_key_with_surrounding_whitespace) {
  EXPECT_EQ(check(with("Sec-WebSocket-Key", " dGhlIHNhbXBsZSBub25jZQ==\t")), upgrade_check_t::ok);
}

TEST(handshake, rejects_version_other_than_13_with_426) {
  for (const char* v : {"8", "12", "14", "13, 8", ""})
    EXPECT_EQ(check(with("Sec-WebSocket-Version", v)), upgrade_check_t::unsupported_version) << v;
  EXPECT_EQ(check(without("Sec-WebSocket-Version")), upgrade_check_t::unsupported_version);
  EXPECT_EQ(http_status(upgrade_check_t::unsupported_version), 426);
}

TEST(handshake, maps_each_failure_to_400_except_version) {
  for (const auto r : {upgrade_check_t::not_get, upgrade_check_t::http_version_too_old,
                       upgrade_check_t::missing_upgrade_websocket,
                       upgrade_check_t::missing_connection_upgrade, upgrade_check_t::bad_key}) {
    EXPECT_EQ(http_status(r), 400) << describe(r);
    EXPECT_FALSE(describe(r).empty());
  }
  EXPECT_EQ(http_status(upgrade_check_t::ok), 101);
}

TEST(handshake, builds_101_head_with_accept) {
  EXPECT_EQ(switching_protocols_head("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "\r\n");
}

TEST(handshake, builds_101_head_with_protocol_and_extra_fields) {
  const http_header_fields_t extra{{"X-Server", "restws"}, {"Upgrade", "ignored"}};
  EXPECT_EQ(switching_protocols_head("abc=", "chat", extra),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: abc=\r\n"
            "Sec-WebSocket-Protocol: chat\r\n"
            "X-Server: restws\r\n"
            "\r\n");
}

TEST(handshake, builds_101_head_from_user_fields_alone) {
  const http_header_fields_t fields{{"Sec-WebSocket-Accept", "given="}};
  EXPECT_EQ(switching_protocols_head({}, {}, fields),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: given=\r\n"
            "\r\n");
}

TEST(handshake, refuses_fields_that_would_split_the_response) {
  EXPECT_THROW(switching_protocols_head("a", "chat\r\nX-Evil: 1"), std::invalid_argument);
  EXPECT_THROW(switching_protocols_head("a", {}, {{"Bad Name", "v"}}), std::invalid_argument);
  EXPECT_THROW(switching_protocols_head("a", {}, {{"X", "v\n"}}), std::invalid_argument);
}

TEST(handshake, rejection_for_version_is_426_with_supported_version) {
  EXPECT_EQ(upgrade_rejection_response(upgrade_check_t::unsupported_version),
            "HTTP/1.1 426 Upgrade Required\r\n"
            "Upgrade: websocket\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            "Content-Length: 0\r\n"
            "Connection: close\r\n"
            "\r\n");
}

TEST(handshake, rejection_for_other_failures_is_400) {
  EXPECT_EQ(upgrade_rejection_response(upgrade_check_t::bad_key),
            "HTTP/1.1 400 Bad Request\r\n"
            "Content-Length: 0\r\n"
            "Connection: close\r\n"
            "\r\n");
}

}  // namespace
}  // namespace restws::websocket::protocol
