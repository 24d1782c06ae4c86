// The WebSocket client (restws/websocket/client.hpp) against restws's own server on loopback:
// echo of every frame type and size, subprotocol and permessage-deflate agreed, the close
// handshake from either side, connection errors, wss with certificate checks.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "integration/test_server.hpp"
#include "integration/tls_test_server.hpp"
#include "integration/ws_client_fixture.hpp"
#include "restws/all.hpp"
#include "restws/tls.hpp"
#include "restws/websocket/websocket.hpp"

namespace restws::testing {
namespace {

namespace rws = restws::websocket::basic;
using opcode_t = rws::opcode_t;
using namespace std::chrono_literals;

// The server's side: echoes every data frame; records the close it got.
struct server_side_t {
  std::mutex mutex;
  std::vector<rws::ws_handle_t> handles;
  std::promise<std::string> close_payload;
  std::atomic<bool> close_seen{false};
};

template <typename Traits, typename Settings>
Settings& with_echo(Settings& s, std::shared_ptr<server_side_t> side,
                    rws::ws_settings_t ws_settings = {}) {
  s.request_handler([side, ws_settings](const request_handle_t& req) {
    auto h = rws::upgrade<Traits>(
        *req, rws::activation_t::immediate,
        [side](rws::ws_handle_t wsh, rws::message_handle_t m) {
          if (m->opcode() == opcode_t::connection_close_frame) {
            if (!side->close_seen.exchange(true))
              side->close_payload.set_value(std::string{m->payload()});
            return;
          }
          if (m->opcode() == opcode_t::text_frame || m->opcode() == opcode_t::binary_frame ||
              m->opcode() == opcode_t::continuation_frame) {
            if (std::string_view{m->payload()} == "close-please") {
              wsh->shutdown(rws::status_code_t::going_away, "bye");
              return;
            }
            wsh->send_message(*m);
          }
        },
        ws_settings);
    std::lock_guard lock{side->mutex};
    side->handles.push_back(h);
    return request_accepted();
  });
  return s;
}

std::string url(std::uint16_t port, std::string_view path = "/ws") {
  return "ws://127.0.0.1:" + std::to_string(port) + std::string{path};
}

class ws_client : public ::testing::Test {
 protected:
  std::shared_ptr<server_side_t> side = std::make_shared<server_side_t>();
  std::shared_ptr<inbox_t> inbox = std::make_shared<inbox_t>();
  client_runner_t client;
};

TEST_F(ws_client, echoes_text_binary_empty_and_large_messages) {
  test_settings_t s = on_this_thread<test_traits_t>();
  test_server_t server{with_echo<test_traits_t>(s, side)};
  auto r = client.connect(url(server.port()), inbox);
  ASSERT_FALSE(r.ec) << r.ec.message();
  ASSERT_TRUE(r.ws);
  r.ws->send_message(rws::final_frame, opcode_t::text_frame, "hello");
  r.ws->send_message(rws::final_frame, opcode_t::binary_frame, std::string{"\x00\x01\xff", 3});
  r.ws->send_message(rws::final_frame, opcode_t::text_frame, "");
  std::string large(3 * 1024 * 1024 + 7, 'x');
  for (std::size_t i = 0; i < large.size(); i += 997) large[i] = static_cast<char>('a' + i % 26);
  r.ws->send_message(rws::final_frame, opcode_t::binary_frame, large);
  auto m = inbox->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->opcode, opcode_t::text_frame);
  EXPECT_EQ(m->payload, "hello");
  m = inbox->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->opcode, opcode_t::binary_frame);
  EXPECT_EQ(m->payload, std::string("\x00\x01\xff", 3));
  m = inbox->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, "");
  m = inbox->pop(10s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload.size(), large.size());
  EXPECT_TRUE(m->payload == large);
}

TEST_F(ws_client, many_messages_from_another_thread_arrive_in_order) {
  test_settings_t s = on_this_thread<test_traits_t>();
  test_server_t server{with_echo<test_traits_t>(s, side)};
  auto r = client.connect(url(server.port()), inbox);
  ASSERT_FALSE(r.ec) << r.ec.message();
  constexpr int count = 2000;
  for (int i = 0; i < count; ++i)
    r.ws->send_message(rws::final_frame, opcode_t::text_frame, std::to_string(i));
  for (int i = 0; i < count; ++i) {
    auto m = inbox->pop();
    ASSERT_TRUE(m) << i;
    ASSERT_EQ(m->payload, std::to_string(i));
  }
}

TEST_F(ws_client, agrees_the_servers_subprotocol_among_those_offered) {
  rws::ws_settings_t ws;
  ws.subprotocols = {"mqtt", "graphql-ws"};
  test_settings_t s = on_this_thread<test_traits_t>();
  test_server_t server{with_echo<test_traits_t>(s, side, ws)};
  rws::client_settings_t settings;
  settings.subprotocols = {"graphql-ws", "mqtt"};
  auto r = client.connect(url(server.port()), inbox, settings);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.ws->subprotocol(), "mqtt");  // the server's preference
}

TEST_F(ws_client, compressed_messages_go_both_ways_when_deflate_is_agreed) {
  rws::ws_settings_t ws;
  ws.deflate.enabled = true;
  test_settings_t s = on_this_thread<test_traits_t>();
  test_server_t server{with_echo<test_traits_t>(s, side, ws)};
  rws::client_settings_t settings;
  settings.offer_deflate = true;
  auto r = client.connect(url(server.port()), inbox, settings);
  ASSERT_FALSE(r.ec) << r.ec.message();
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "compressible text " + std::to_string(i % 10) + " ";
  for (int i = 0; i < 3; ++i) r.ws->send_message(rws::final_frame, opcode_t::text_frame, text);
  for (int i = 0; i < 3; ++i) {
    auto m = inbox->pop();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->payload, text);
  }
}

TEST_F(ws_client, shutdown_runs_the_close_handshake) {
  test_settings_t s = on_this_thread<test_traits_t>();
  test_server_t server{with_echo<test_traits_t>(s, side)};
  auto r = client.connect(url(server.port()), inbox);
  ASSERT_FALSE(r.ec) << r.ec.message();
  auto server_got = side->close_payload.get_future();
  r.ws->shutdown(rws::status_code_t::normal_closure, "done");
  ASSERT_EQ(server_got.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(server_got.get(), rws::status_code_to_bin(rws::status_code_t::normal_closure) + "done");
  auto m = inbox->pop();  // the server's answer
  ASSERT_TRUE(m);
  EXPECT_EQ(m->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(m->payload.substr(0, 2), rws::status_code_to_bin(rws::status_code_t::normal_closure));
}

TEST_F(ws_client, the_servers_close_reaches_the_handler) {
  test_settings_t s = on_this_thread<test_traits_t>();
  test_server_t server{with_echo<test_traits_t>(s, side)};
  auto r = client.connect(url(server.port()), inbox);
  ASSERT_FALSE(r.ec) << r.ec.message();
  r.ws->send_message(rws::final_frame, opcode_t::text_frame, "close-please");
  auto m = inbox->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->opcode, opcode_t::connection_close_frame);
  EXPECT_EQ(m->payload, rws::status_code_to_bin(rws::status_code_t::going_away) + "bye");
  EXPECT_THROW(r.ws->send_message(rws::final_frame, opcode_t::text_frame, "late"),
               rws::ws_closed_error_t);
}

TEST_F(ws_client, a_refused_connection_says_so) {
  std::uint16_t port;
  {
    test_settings_t s = on_this_thread<test_traits_t>();
    test_server_t server{with_echo<test_traits_t>(s, side)};
    port = server.port();
  }  // closed: nothing listens there now
  auto r = client.connect(url(port), inbox);
  EXPECT_EQ(r.ec, asio::error::connection_refused) << r.ec.message();
  EXPECT_FALSE(r.ws);
}

TEST_F(ws_client, a_bad_url_is_reported_through_the_handler) {
  for (const char* bad : {"http://127.0.0.1/", "ws://", "ws://h:99999/", "ws://h/#x"}) {
    auto r = client.connect(bad, inbox);
    EXPECT_EQ(r.ec, rws::client_error_t::bad_url) << bad;
    EXPECT_EQ(r.ec.category().name(), std::string{"restws.client"});
    EXPECT_FALSE(r.ec.message().empty());
  }
}

TEST_F(ws_client, connects_to_an_ipv6_literal) {
  test_settings_t s = on_this_thread<test_traits_t>();
  with_echo<test_traits_t>(s, side);
  test_server_t server{s, "::1"};
  auto r = client.connect("ws://[::1]:" + std::to_string(server.port()) + "/v6?x=1", inbox);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_TRUE(r.ws->remote_endpoint().address().is_v6());
  r.ws->send_message(rws::final_frame, opcode_t::text_frame, "over v6");
  auto m = inbox->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, "over v6");
}

TEST_F(ws_client, resolves_a_name) {
  test_settings_t s = on_this_thread<test_traits_t>();
  test_server_t server{with_echo<test_traits_t>(s, side)};
  auto r = client.connect("ws://localhost:" + std::to_string(server.port()) + "/", inbox);
  ASSERT_FALSE(r.ec) << r.ec.message();
  r.ws->send_message(rws::final_frame, opcode_t::text_frame, "named");
  auto m = inbox->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, "named");
}

// ---- wss -----------------------------------------------------------------------------------

class wss_client : public ws_client {
 protected:
  tls_files_t files;
  std::string ca_file = files.dir.write("ca.pem", files.pki.ca_pem());

  std::unique_ptr<tls_test_server_t> server() {
    auto s = tls_settings_with(files, [](const request_handle_t&) { return request_rejected(); });
    with_echo<tls_test_traits_t>(s, side);
    return std::make_unique<tls_test_server_t>(s);
  }
};

TEST_F(wss_client, talks_over_tls_to_a_server_its_ca_vouches_for) {
  auto server = this->server();
  rws::client_settings_t settings;
  settings.tls.ca_file = ca_file;
  auto r =
      client.connect("wss://localhost:" + std::to_string(server->port()) + "/s", inbox, settings);
  ASSERT_FALSE(r.ec) << r.ec.message();
  std::string big(200 * 1024, 'z');
  r.ws->send_message(rws::final_frame, opcode_t::text_frame, "secure");
  r.ws->send_message(rws::final_frame, opcode_t::binary_frame, big);
  auto m = inbox->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, "secure");
  m = inbox->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, big);
}

TEST_F(wss_client, checks_the_host_name_and_ip_address) {
  auto server = this->server();
  rws::client_settings_t settings;
  settings.tls.ca_file = ca_file;
  // The certificate names localhost and 127.0.0.1.
  auto ok =
      client.connect("wss://127.0.0.1:" + std::to_string(server->port()) + "/", inbox, settings);
  EXPECT_FALSE(ok.ec) << ok.ec.message();
  // One the same CA issued for another name: trusted, but not for this host.
  auto s = tls_settings_with(files, [](const request_handle_t&) { return request_rejected(); });
  s.tls_context(files.context_for("a.test", "a"));
  tls_test_server_t other{s};
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    auto wrong =
        client.connect("wss://" + host + ":" + std::to_string(other.port()) + "/", inbox, settings);
    EXPECT_EQ(wrong.ec, rws::client_error_t::tls_failed) << host << ": " << wrong.ec.message();
  }
}

TEST_F(wss_client, refuses_a_server_no_trusted_ca_vouches_for_unless_told_not_to_verify) {
  auto server = this->server();
  const std::string u = "wss://localhost:" + std::to_string(server->port()) + "/";
  auto system_store = client.connect(u, inbox);  // the test CA is not in the system's store
  EXPECT_EQ(system_store.ec, rws::client_error_t::tls_failed) << system_store.ec.message();
  rws::client_settings_t insecure;
  insecure.tls.verify_peer = false;
  auto r = client.connect(u, inbox, insecure);
  ASSERT_FALSE(r.ec) << r.ec.message();
  r.ws->send_message(rws::final_frame, opcode_t::text_frame, "unverified");
  auto m = inbox->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, "unverified");
}

TEST_F(wss_client, a_missing_ca_file_fails_the_connection) {
  rws::client_settings_t settings;
  settings.tls.ca_file = "/nonexistent/restws-no-such-ca.pem";
  auto server = this->server();
  auto r =
      client.connect("wss://localhost:" + std::to_string(server->port()) + "/", inbox, settings);
  EXPECT_EQ(r.ec, rws::client_error_t::tls_failed);
}

}  // namespace
}  // namespace restws::testing
