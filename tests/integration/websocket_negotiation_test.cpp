// Subprotocol negotiation and the Origin check at upgrade, over real loopback sockets
// (ws_settings_t::subprotocols, subprotocol_selector, require_subprotocol, allowed_origins,
// require_origin; RESTinio's overloads that set Sec-WebSocket-Protocol themselves).

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "integration/test_server.hpp"
#include "integration/ws_test_client.hpp"
#include "restws/all.hpp"
#include "restws/websocket/protocol/handshake.hpp"
#include "restws/websocket/websocket.hpp"

namespace restws::testing {
namespace {

namespace rws = restws::websocket::basic;
using traits_t = restws::traits_t<restws::asio_timer_manager_t, capturing_logger_t>;
using opcode_t = rws::opcode_t;

bool io_uring_run() {
  const char* v = std::getenv("RESTWS_TEST_WS_IO_URING");
  return v != nullptr && std::string_view{v} == "1";
}

// Which of RESTinio's upgrade() overloads the handler calls.
enum class overload_t { computed_accept, accept_and_protocol, fields };

// What the server's handler saw, shared with the test thread.
struct seen_t {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<rws::ws_handle_t> handles;
  std::vector<std::string> subprotocols;  ///< ws_t::subprotocol() in the handler, per upgrade
  std::vector<int> refusals;              ///< upgrade_error_t::status()
  bool closed = false;                    ///< the message handler saw a close

  template <typename P>
  bool wait(P pred, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, timeout, pred);
  }
};

std::size_t occurrences(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class websocket_negotiation : public ::testing::Test {
 protected:
  void start(rws::ws_settings_t settings, overload_t overload = overload_t::computed_accept,
             std::string own_protocol = {}) {
    settings.io_uring = io_uring_run() ? rws::io_uring_mode_t::on : rws::io_uring_mode_t::off;
    auto seen = seen_;
    server_ = std::make_unique<http_server_t<traits_t>>(
        on_thread_pool<traits_t>(1)
            .port(0)
            .address("127.0.0.1")
            .logger(log_)
            .request_handler([seen, settings, overload, own_protocol](request_handle_t req) {
              auto on_message = [seen](rws::ws_handle_t wsh, rws::message_handle_t m) {
                if (m->opcode() == opcode_t::connection_close_frame) {
                  std::lock_guard lock{seen->mutex};
                  seen->closed = true;
                  seen->changed.notify_all();
                } else if (restws::websocket::protocol::is_data_opcode(m->opcode())) {
                  wsh->send_message(*m);
                }
              };
              const std::string accept = restws::websocket::protocol::sec_websocket_accept(
                  req->header().value_of("Sec-WebSocket-Key"));
              rws::ws_handle_t wsh;
              try {
                switch (overload) {
                  case overload_t::computed_accept:
                    wsh = rws::upgrade<traits_t>(*req, rws::activation_t::immediate, on_message,
                                                 settings);
                    break;
                  case overload_t::accept_and_protocol:
                    wsh = rws::upgrade<traits_t>(*req, rws::activation_t::immediate, accept,
                                                 own_protocol, on_message, settings);
                    break;
                  case overload_t::fields: {
                    http_header_fields_t fields;
                    fields.add_field("Sec-WebSocket-Accept", accept);
                    fields.add_field("Sec-WebSocket-Protocol", own_protocol);
                    wsh = rws::upgrade<traits_t>(*req, rws::activation_t::immediate,
                                                 std::move(fields), on_message, settings);
                    break;
                  }
                }
              } catch (const rws::upgrade_error_t& e) {
                std::lock_guard lock{seen->mutex};
                seen->refusals.push_back(e.status());
                seen->changed.notify_all();
                return request_accepted();  // upgrade() answered it
              }
              std::lock_guard lock{seen->mutex};
              seen->handles.push_back(wsh);
              seen->subprotocols.emplace_back(wsh->subprotocol());
              seen->changed.notify_all();
              return request_accepted();
            }));
    server_->open();
  }

  /// Sends an upgrade request with `extra_fields` (CRLF-terminated lines); returns the head.
  std::string handshake(std::string_view extra_fields) {
    client_ = std::make_unique<ws_test_client_t>(server_->port());
    EXPECT_TRUE(client_->connected());
    return client_->handshake("/chat", "13", extra_fields);
  }

  rws::ws_handle_t handle() {
    seen_->wait([&] { return !seen_->handles.empty(); });
    std::lock_guard lock{seen_->mutex};
    return seen_->handles.empty() ? nullptr : seen_->handles.front();
  }

  std::string subprotocol_in_handler() {
    seen_->wait([&] { return !seen_->subprotocols.empty(); });
    std::lock_guard lock{seen_->mutex};
    return seen_->subprotocols.empty() ? "<no upgrade>" : seen_->subprotocols.front();
  }

  int refusal() {
    seen_->wait([&] { return !seen_->refusals.empty(); });
    std::lock_guard lock{seen_->mutex};
    return seen_->refusals.empty() ? 0 : seen_->refusals.front();
  }

  /// The WebSocket works: a text frame comes back.
  void expect_echo() {
    ASSERT_TRUE(client_->send_frame(opcode_t::text_frame, "hello"));
    const auto f = client_->read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->opcode, opcode_t::text_frame);
    EXPECT_EQ(f->payload, "hello");
  }

  /// A refusal: the status line, a Date field, Connection: close, then the end of TCP; no
  /// WebSocket was made.
  void expect_refused(const std::string& head, std::string_view status_line) {
    EXPECT_EQ(head.rfind(status_line, 0), 0u) << head;
    EXPECT_NE(head.find("\r\nDate: "), std::string::npos) << head;  // RFC 9110 §6.6.1
    EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos) << head;
    EXPECT_EQ(head.find("Sec-WebSocket-Accept"), std::string::npos) << head;
    EXPECT_TRUE(client_->wait_for_eof());
    std::lock_guard lock{seen_->mutex};
    EXPECT_TRUE(seen_->handles.empty());
  }

  void TearDown() override {
    client_.reset();  // our close of TCP ends the WebSocket: no close handshake to wait out
    {
      std::lock_guard lock{seen_->mutex};
      seen_->handles.clear();
    }
    if (server_) server_->close();
  }

  std::shared_ptr<log_store_t> log_ = std::make_shared<log_store_t>();
  std::shared_ptr<seen_t> seen_ = std::make_shared<seen_t>();
  std::unique_ptr<http_server_t<traits_t>> server_;
  std::unique_ptr<ws_test_client_t> client_;
};

rws::ws_settings_t speaking(std::vector<std::string> subprotocols, bool require = false) {
  rws::ws_settings_t s;
  s.subprotocols = std::move(subprotocols);
  s.require_subprotocol = require;
  return s;
}

rws::ws_settings_t allowing(std::vector<std::string> origins, bool require = false) {
  rws::ws_settings_t s;
  s.allowed_origins = std::move(origins);
  s.require_origin = require;
  return s;
}

// ---- subprotocols ------------------------------------------------------------------------------

TEST_F(websocket_negotiation, the_servers_preferred_offer_is_answered_and_reported) {
  start(speaking({"v2", "v1"}));
  const auto head = handshake("Sec-WebSocket-Protocol: v1, v2\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("\r\nSec-WebSocket-Protocol: v2\r\n"), std::string::npos) << head;
  EXPECT_EQ(occurrences(head, "Sec-WebSocket-Protocol"), 1u) << head;
  EXPECT_EQ(subprotocol_in_handler(), "v2");
  const auto wsh = handle();
  ASSERT_TRUE(wsh);
  EXPECT_EQ(wsh->subprotocol(), "v2");  // from another thread than the connection's
  expect_echo();
}

TEST_F(websocket_negotiation, offers_in_several_fields_are_one_list) {
  start(speaking({"v1"}));
  const auto head = handshake("Sec-WebSocket-Protocol: x, ,y\r\nSec-WebSocket-Protocol: v1\r\n");
  EXPECT_NE(head.find("\r\nSec-WebSocket-Protocol: v1\r\n"), std::string::npos) << head;
  EXPECT_EQ(subprotocol_in_handler(), "v1");
}

TEST_F(websocket_negotiation, the_subprotocol_outlives_the_connections_close) {
  start(speaking({"v1"}));
  handshake("Sec-WebSocket-Protocol: v1\r\n");
  const auto wsh = handle();
  ASSERT_TRUE(wsh);
  wsh->kill();
  ASSERT_TRUE(seen_->wait([&] { return seen_->closed; }));
  EXPECT_EQ(wsh->subprotocol(), "v1");  // the timers went at the close, the name stays
}

TEST_F(websocket_negotiation, no_match_upgrades_without_the_field) {
  start(speaking({"v1"}));
  const auto head = handshake("Sec-WebSocket-Protocol: v9\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
  EXPECT_EQ(head.find("Sec-WebSocket-Protocol"), std::string::npos) << head;
  EXPECT_EQ(subprotocol_in_handler(), "");
  expect_echo();
}

TEST_F(websocket_negotiation, without_settings_offers_are_not_answered) {
  start({});
  const auto head = handshake("Sec-WebSocket-Protocol: v1\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
  EXPECT_EQ(head.find("Sec-WebSocket-Protocol"), std::string::npos) << head;
  EXPECT_EQ(subprotocol_in_handler(), "");
}

TEST_F(websocket_negotiation, required_and_not_agreed_is_refused_with_400) {
  start(speaking({"v1"}, true));
  const auto head = handshake("Sec-WebSocket-Protocol: v9, v8\r\n");
  expect_refused(head, "HTTP/1.1 400 Bad Request\r\n");
  EXPECT_EQ(refusal(), 400);
  EXPECT_TRUE(log_->contains("require_subprotocol"));
  EXPECT_TRUE(log_->contains("\"v9, v8\""));
}

TEST_F(websocket_negotiation, required_and_not_offered_is_refused_with_400) {
  start(speaking({"v1"}, true));
  expect_refused(handshake(""), "HTTP/1.1 400 Bad Request\r\n");
  EXPECT_EQ(refusal(), 400);
}

TEST_F(websocket_negotiation, a_malformed_offer_is_refused_with_400) {
  for (const std::string_view offer : {"v1 v2", "\"v1\"", "v1;q=1", ""}) {
    SCOPED_TRACE(offer);
    seen_ = std::make_shared<seen_t>();
    log_ = std::make_shared<log_store_t>();
    start(speaking({"v1"}));
    const auto head = handshake("Sec-WebSocket-Protocol: " + std::string{offer} + "\r\n");
    expect_refused(head, "HTTP/1.1 400 Bad Request\r\n");
    EXPECT_EQ(refusal(), 400);
    EXPECT_TRUE(log_->contains("is not a list of tokens"));
    client_.reset();
    server_->close();
  }
}

TEST_F(websocket_negotiation, a_selector_chooses_from_the_offers) {
  rws::ws_settings_t s;
  s.subprotocols = {"v1"};  // the selector replaces the list
  s.subprotocol_selector = [](std::span<const std::string_view> offered) {
    return std::optional<std::string>{offered.back()};
  };
  start(s);
  const auto head = handshake("Sec-WebSocket-Protocol: v1, v2\r\n");
  EXPECT_NE(head.find("\r\nSec-WebSocket-Protocol: v2\r\n"), std::string::npos) << head;
  EXPECT_EQ(subprotocol_in_handler(), "v2");
}

TEST_F(websocket_negotiation, a_selector_choosing_what_was_not_offered_gets_500) {
  rws::ws_settings_t s;
  s.subprotocol_selector = [](auto) { return std::optional<std::string>{"zz"}; };
  start(s);
  const auto head = handshake("Sec-WebSocket-Protocol: v1\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 500 ", 0), 0u) << head;
  EXPECT_TRUE(log_->wait_for("subprotocol_selector chose \"zz\"", 3s));
}

TEST_F(websocket_negotiation, restinio_protocol_overload_wins_and_is_sent_once) {
  start(speaking({"v1"}), overload_t::accept_and_protocol, "chat");
  const auto head = handshake("Sec-WebSocket-Protocol: v1, chat\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("\r\nSec-WebSocket-Protocol: chat\r\n"), std::string::npos) << head;
  EXPECT_EQ(occurrences(head, "Sec-WebSocket-Protocol"), 1u) << head;
  EXPECT_EQ(subprotocol_in_handler(), "chat");
  expect_echo();
}

TEST_F(websocket_negotiation, restinio_protocol_overload_is_not_refused_by_require) {
  // The caller decided: nothing is negotiated, so nothing is refused either.
  start(speaking({"v1"}, true), overload_t::accept_and_protocol, "chat");
  const auto head = handshake("Sec-WebSocket-Protocol: other\r\n");
  EXPECT_NE(head.find("\r\nSec-WebSocket-Protocol: chat\r\n"), std::string::npos) << head;
  EXPECT_EQ(subprotocol_in_handler(), "chat");
}

TEST_F(websocket_negotiation, upgrade_fields_with_a_protocol_win_and_are_sent_once) {
  start(speaking({"v1"}), overload_t::fields, "chat");
  const auto head = handshake("Sec-WebSocket-Protocol: v1, chat\r\n");
  EXPECT_NE(head.find("\r\nSec-WebSocket-Protocol: chat\r\n"), std::string::npos) << head;
  EXPECT_EQ(occurrences(head, "Sec-WebSocket-Protocol"), 1u) << head;
  EXPECT_EQ(subprotocol_in_handler(), "chat");
}

// ---- Origin ------------------------------------------------------------------------------------

TEST_F(websocket_negotiation, a_listed_origin_is_upgraded) {
  for (const std::string_view origin :
       {"https://app.example.com", "HTTPS://App.Example.com:443", "https://a.b.example.org"}) {
    SCOPED_TRACE(origin);
    seen_ = std::make_shared<seen_t>();
    log_ = std::make_shared<log_store_t>();
    start(allowing({"https://app.example.com", "https://*.example.org"}));
    const auto head = handshake("Origin: " + std::string{origin} + "\r\n");
    EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
    expect_echo();
    client_.reset();
    server_->close();
  }
}

TEST_F(websocket_negotiation, an_unlisted_origin_is_refused_with_403_and_logged) {
  start(allowing({"https://app.example.com", "https://*.example.org"}));
  const auto head = handshake("Origin: https://example.org.evil.com\r\n");
  expect_refused(head, "HTTP/1.1 403 Forbidden\r\n");
  EXPECT_EQ(refusal(), 403);
  EXPECT_TRUE(log_->contains("\"https://example.org.evil.com\""));
  EXPECT_TRUE(log_->contains("allowed_origins"));
}

TEST_F(websocket_negotiation, refused_origins) {
  const std::string_view cases[] = {
      "Origin: https://example.org\r\n",           // the bare domain of a wildcard
      "Origin: http://app.example.com\r\n",        // another scheme
      "Origin: https://app.example.com:8443\r\n",  // another port
      "Origin: null\r\n",                          // opaque, with a list
      "Origin: https://app.example.com/\r\n",      // not a serialized origin
      "Origin: https://app.example.com\r\nOrigin: https://app.example.com\r\n",  // several
  };
  for (const auto fields : cases) {
    SCOPED_TRACE(fields);
    seen_ = std::make_shared<seen_t>();
    log_ = std::make_shared<log_store_t>();
    start(allowing({"https://app.example.com", "https://*.example.org"}));
    expect_refused(handshake(fields), "HTTP/1.1 403 Forbidden\r\n");
    EXPECT_EQ(refusal(), 403);
    client_.reset();
    server_->close();
  }
}

TEST_F(websocket_negotiation, a_request_without_origin_passes_unless_required) {
  start(allowing({"https://app.example.com"}));
  const auto head = handshake("");
  EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
  expect_echo();
}

TEST_F(websocket_negotiation, require_origin_refuses_a_request_without_one) {
  start(allowing({"https://app.example.com"}, true));
  expect_refused(handshake(""), "HTTP/1.1 403 Forbidden\r\n");
  EXPECT_EQ(refusal(), 403);
  EXPECT_TRUE(log_->contains("require_origin"));
}

TEST_F(websocket_negotiation, require_origin_alone_takes_any_origin) {
  start(allowing({}, true));
  const auto head = handshake("Origin: https://anything.example\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
}

TEST_F(websocket_negotiation, without_a_list_every_origin_passes) {
  start({});
  const auto head = handshake("Origin: null\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
}

TEST_F(websocket_negotiation, a_bad_allow_list_entry_is_a_programmer_error_answered_500) {
  start(allowing({"https://app.example.com/"}));
  const auto head = handshake("Origin: https://app.example.com\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 500 ", 0), 0u) << head;
  EXPECT_TRUE(log_->wait_for("allowed_origins: \"https://app.example.com/\"", 3s));
}

TEST_F(websocket_negotiation, origin_is_checked_before_the_subprotocol) {
  auto s = allowing({"https://app.example.com"});
  s.subprotocols = {"v1"};
  s.require_subprotocol = true;
  start(s);
  expect_refused(handshake("Origin: https://evil.com\r\nSec-WebSocket-Protocol: v9\r\n"),
                 "HTTP/1.1 403 Forbidden\r\n");
}

TEST_F(websocket_negotiation, origin_and_subprotocol_together) {
  auto s = allowing({"https://*.example.com"});
  s.subprotocols = {"v1"};
  start(s);
  const auto head = handshake("Origin: https://app.example.com\r\nSec-WebSocket-Protocol: v1\r\n");
  EXPECT_NE(head.find("\r\nSec-WebSocket-Protocol: v1\r\n"), std::string::npos) << head;
  EXPECT_EQ(subprotocol_in_handler(), "v1");
  expect_echo();
}

}  // namespace
}  // namespace restws::testing
