#include "restws/websocket/protocol/client_handshake.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

using namespace restws::websocket::protocol;
using restws::http::parse_response_head;
using restws::http::response_parse_error_t;

constexpr const char* kKey = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 §1.3's example
constexpr const char* kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

client_request_t sample_request() {
  client_request_t r;
  r.host_header = "server.example.com";
  r.target = "/chat?x=1";
  r.key = kKey;
  return r;
}

handshake_result_t check(const std::string& wire, const client_request_t& request) {
  const auto parsed = parse_response_head(wire);
  EXPECT_EQ(parsed.error, response_parse_error_t::none) << wire;
  return check_handshake_response(parsed.head, request);
}

std::string response(const std::string& extra, const std::string& accept = kAccept) {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         accept + "\r\n" + extra + "\r\n";
}

TEST(client_handshake, key_is_base64_of_sixteen_bytes) {
  std::array<std::byte, 16> bytes{};
  EXPECT_EQ(make_websocket_key(bytes), "AAAAAAAAAAAAAAAAAAAAAA==");
}

TEST(client_handshake, writes_the_request_rfc6455_asks_for) {
  auto request = sample_request();
  request.subprotocols = {"graphql-transport-ws", "mqtt"};
  request.deflate = deflate_offer_t{};
  request.deflate->client_max_window_bits_present = true;
  request.extra_fields.add_field("Origin", "http://example.com");
  EXPECT_EQ(client_request_head(request),
            "GET /chat?x=1 HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws, mqtt\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            "Origin: http://example.com\r\n\r\n");
}

TEST(client_handshake, refuses_requests_that_would_split_or_falsify_the_head) {
  auto bad_value = sample_request();
  bad_value.extra_fields.add_field("X-A", "1\r\nX-B: 2");
  EXPECT_THROW(client_request_head(bad_value), std::invalid_argument);
  auto bad_name = sample_request();
  bad_name.extra_fields.add_field("X A", "1");
  EXPECT_THROW(client_request_head(bad_name), std::invalid_argument);
  auto own_field = sample_request();
  own_field.extra_fields.add_field("sec-websocket-key", "x");
  EXPECT_THROW(client_request_head(own_field), std::invalid_argument);
  auto bad_protocol = sample_request();
  bad_protocol.subprotocols = {"a b"};
  EXPECT_THROW(client_request_head(bad_protocol), std::invalid_argument);
  auto bad_target = sample_request();
  bad_target.target = "/a b";
  EXPECT_THROW(client_request_head(bad_target), std::invalid_argument);
}

TEST(client_handshake, accepts_a_correct_101) {
  const auto r = check(response(""), sample_request());
  EXPECT_EQ(r.error, handshake_error_t::none);
  EXPECT_TRUE(r.subprotocol.empty());
  EXPECT_FALSE(r.deflate);
}

TEST(client_handshake, header_tokens_are_case_insensitive_and_may_be_in_lists) {
  const std::string wire =
      "HTTP/1.1 101 x\r\nupgrade: WebSocket\r\nconnection: keep-alive, UPGRADE\r\n"
      "sec-websocket-accept: " +
      std::string{kAccept} + "\r\n\r\n";
  EXPECT_EQ(check(wire, sample_request()).error, handshake_error_t::none);
}

TEST(client_handshake, fails_each_bad_response_with_its_reason) {
  const auto request = sample_request();
  EXPECT_EQ(check("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", request).error,
            handshake_error_t::not_101);
  EXPECT_EQ(check("HTTP/1.1 101 x\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
                      std::string{kAccept} + "\r\n\r\n",
                  request)
                .error,
            handshake_error_t::missing_upgrade);
  EXPECT_EQ(check("HTTP/1.1 101 x\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: " +
                      std::string{kAccept} + "\r\n\r\n",
                  request)
                .error,
            handshake_error_t::missing_connection);
  EXPECT_EQ(check(response("", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="), request).error,
            handshake_error_t::bad_accept);
  EXPECT_EQ(
      check(response("Sec-WebSocket-Accept: " + std::string{kAccept} + "\r\n"), request).error,
      handshake_error_t::bad_accept);  // twice
}

TEST(client_handshake, subprotocol_must_be_one_offered) {
  auto request = sample_request();
  EXPECT_EQ(check(response("Sec-WebSocket-Protocol: mqtt\r\n"), request).error,
            handshake_error_t::unrequested_subprotocol);  // none offered
  request.subprotocols = {"graphql-transport-ws", "mqtt"};
  const auto ok = check(response("Sec-WebSocket-Protocol: mqtt\r\n"), request);
  EXPECT_EQ(ok.error, handshake_error_t::none);
  EXPECT_EQ(ok.subprotocol, "mqtt");
  EXPECT_EQ(check(response("Sec-WebSocket-Protocol: MQTT\r\n"), request).error,
            handshake_error_t::unrequested_subprotocol);  // exact match only
  EXPECT_EQ(
      check(response("Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Protocol: mqtt\r\n"), request)
          .error,
      handshake_error_t::unrequested_subprotocol);
  EXPECT_EQ(check(response(""), request).error, handshake_error_t::none);  // server chose none
}

TEST(client_handshake, extensions_must_answer_the_offer) {
  auto request = sample_request();
  EXPECT_EQ(check(response("Sec-WebSocket-Extensions: permessage-deflate\r\n"), request).error,
            handshake_error_t::unrequested_extension);  // nothing offered
  request.deflate = deflate_offer_t{};
  request.deflate->client_max_window_bits_present = true;
  const auto ok =
      check(response("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
                     "client_max_window_bits=10\r\n"),
            request);
  ASSERT_EQ(ok.error, handshake_error_t::none);
  ASSERT_TRUE(ok.deflate);
  EXPECT_TRUE(ok.deflate->server_no_context_takeover);
  EXPECT_EQ(ok.deflate->client_max_window_bits, 10);
  EXPECT_EQ(check(response("Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n"), request).error,
            handshake_error_t::unrequested_extension);
  EXPECT_EQ(
      check(response("Sec-WebSocket-Extensions: permessage-deflate; bogus\r\n"), request).error,
      handshake_error_t::bad_extension);
  auto no_window = sample_request();
  no_window.deflate = deflate_offer_t{};  // client_max_window_bits not offered
  EXPECT_EQ(check(response("Sec-WebSocket-Extensions: permessage-deflate; "
                           "client_max_window_bits=10\r\n"),
                  no_window)
                .error,
            handshake_error_t::bad_extension);
  const auto declined = check(response(""), request);
  EXPECT_EQ(declined.error, handshake_error_t::none);
  EXPECT_FALSE(declined.deflate);
}

}  // namespace
