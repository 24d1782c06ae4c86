#include "restws/websocket/protocol/ws_url.hpp"

#include <gtest/gtest.h>

namespace {

using restws::websocket::protocol::parse_ws_url;
using restws::websocket::protocol::url_error_t;

TEST(ws_url, reads_host_port_target_and_host_header) {
  const auto r = parse_ws_url("ws://example.com:9001/chat?room=1&x=%20");
  ASSERT_EQ(r.error, url_error_t::none);
  EXPECT_FALSE(r.url.secure);
  EXPECT_EQ(r.url.host, "example.com");
  EXPECT_EQ(r.url.port, 9001);
  EXPECT_EQ(r.url.target, "/chat?room=1&x=%20");
  EXPECT_EQ(r.url.host_header, "example.com:9001");
}

TEST(ws_url, defaults_port_and_path_by_scheme) {
  auto r = parse_ws_url("WSS://example.com");
  ASSERT_EQ(r.error, url_error_t::none);
  EXPECT_TRUE(r.url.secure);
  EXPECT_EQ(r.url.port, 443);
  EXPECT_EQ(r.url.target, "/");
  EXPECT_EQ(r.url.host_header, "example.com");  // default port not written
  r = parse_ws_url("ws://127.0.0.1?x=1");
  ASSERT_EQ(r.error, url_error_t::none);
  EXPECT_EQ(r.url.port, 80);
  EXPECT_EQ(r.url.target, "/?x=1");
  r = parse_ws_url("ws://h:80/");
  ASSERT_EQ(r.error, url_error_t::none);
  EXPECT_EQ(r.url.host_header, "h");
}

TEST(ws_url, takes_ipv6_literals_in_brackets) {
  auto r = parse_ws_url("ws://[::1]:8081/echo");
  ASSERT_EQ(r.error, url_error_t::none);
  EXPECT_TRUE(r.url.ipv6_literal);
  EXPECT_EQ(r.url.host, "::1");
  EXPECT_EQ(r.url.port, 8081);
  EXPECT_EQ(r.url.host_header, "[::1]:8081");
  r = parse_ws_url("wss://[2001:db8::7]");
  ASSERT_EQ(r.error, url_error_t::none);
  EXPECT_EQ(r.url.host_header, "[2001:db8::7]");
}

struct bad_url_t {
  const char* text;
  url_error_t error;
};

class ws_url_rejects : public ::testing::TestWithParam<bad_url_t> {};

TEST_P(ws_url_rejects, each_malformed_url_with_its_reason) {
  EXPECT_EQ(parse_ws_url(GetParam().text).error, GetParam().error) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(cases, ws_url_rejects,
                         ::testing::Values(bad_url_t{"http://h/", url_error_t::bad_scheme},
                                           bad_url_t{"h:80/x", url_error_t::bad_scheme},
                                           bad_url_t{"ws:/h/", url_error_t::bad_scheme},
                                           bad_url_t{"ws:///x", url_error_t::missing_host},
                                           bad_url_t{"ws://:80/x", url_error_t::missing_host},
                                           bad_url_t{"ws://h:/x", url_error_t::bad_port},
                                           bad_url_t{"ws://h:0/", url_error_t::bad_port},
                                           bad_url_t{"ws://h:65536/", url_error_t::bad_port},
                                           bad_url_t{"ws://h:80a/", url_error_t::bad_port},
                                           bad_url_t{"ws://h:0000080/", url_error_t::bad_port},
                                           bad_url_t{"ws://[::1/", url_error_t::bad_host},
                                           bad_url_t{"ws://[::1]x/", url_error_t::bad_host},
                                           bad_url_t{"ws://[1.2.3.4]/", url_error_t::bad_host},
                                           bad_url_t{"ws://[::g]/", url_error_t::bad_host},
                                           bad_url_t{"ws://a b/", url_error_t::bad_host},
                                           bad_url_t{"ws://user:pw@h/", url_error_t::userinfo},
                                           bad_url_t{"ws://h/#frag", url_error_t::fragment},
                                           bad_url_t{"ws://h/a b", url_error_t::bad_target},
                                           bad_url_t{"ws://h/a\r\nX: y", url_error_t::bad_target}));

}  // namespace
