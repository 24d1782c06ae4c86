#include <gtest/gtest.h>

#include <string>

#include "handshake.hpp"

namespace ws_load {
namespace {

TEST(ws_load_handshake, computes_the_accept_value_of_rfc_6455_example) {
  EXPECT_EQ(expected_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ws_load_handshake, makes_keys_of_16_bytes_in_base64) {
  std::mt19937_64 rng(1);
  const std::string key = make_websocket_key(rng);
  EXPECT_EQ(key.size(), 24u);
  EXPECT_EQ(key.substr(22), "==");
  EXPECT_NE(make_websocket_key(rng), key);
}

TEST(ws_load_handshake, request_names_path_host_version_and_key) {
  const std::string request = make_upgrade_request("127.0.0.1", 9001, "/chat", "KEY");
  EXPECT_EQ(request.rfind("GET /chat HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(request.find("\r\nHost: 127.0.0.1:9001\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nSec-WebSocket-Key: KEY\r\n\r\n"), std::string::npos);
}

struct response_case {
  const char* name;
  std::string response;
  handshake_status expected;
};

class ws_load_handshake_response : public testing::TestWithParam<response_case> {};

const std::string good_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

TEST_P(ws_load_handshake_response, is_classified) {
  std::size_t header_size = 0;
  std::string reason;
  EXPECT_EQ(check_upgrade_response(GetParam().response, good_accept, header_size, reason),
            GetParam().expected)
      << reason;
}

INSTANTIATE_TEST_SUITE_P(
    cases, ws_load_handshake_response,
    testing::Values(
        response_case{"accepted",
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                      "Upgrade\r\nSec-WebSocket-Accept: " +
                          good_accept + "\r\n\r\n",
                      handshake_status::accepted},
        response_case{"accepted_with_any_header_case",
                      "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n"
                      "SEC-WEBSOCKET-ACCEPT:  " +
                          good_accept + " \r\n\r\n",
                      handshake_status::accepted},
        response_case{"incomplete_without_blank_line",
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n",
                      handshake_status::incomplete},
        response_case{"rejected_on_status_200",
                      "HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: " +
                          good_accept + "\r\n\r\n",
                      handshake_status::rejected},
        response_case{"rejected_on_wrong_accept",
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Sec-WebSocket-Accept: AAAAMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                      handshake_status::rejected},
        response_case{"rejected_without_accept",
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
                      handshake_status::rejected},
        response_case{
            "rejected_without_upgrade",
            "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: " + good_accept + "\r\n\r\n",
            handshake_status::rejected},
        response_case{"rejected_on_extension_not_offered",
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Sec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Accept: " +
                          good_accept + "\r\n\r\n",
                      handshake_status::rejected},
        response_case{"rejected_when_header_never_ends",
                      "HTTP/1.1 101 Switching Protocols\r\nX: " + std::string(9000, 'a'),
                      handshake_status::rejected}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ws_load_handshake, reports_header_size_so_following_frames_are_kept) {
  const std::string header =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Accept: " +
      good_accept + "\r\n\r\n";
  std::size_t header_size = 0;
  std::string reason;
  ASSERT_EQ(check_upgrade_response(header + "\x82\x01x", good_accept, header_size, reason),
            handshake_status::accepted);
  EXPECT_EQ(header_size, header.size());
}

}  // namespace
}  // namespace ws_load
