#pragma once
// One restws server with its own topic hub and Redis bridge: a "node" of the bridge's tests.
// Two of them in one test process stand for two processes sharing one Redis.
//
// Its WebSocket clients speak text commands:
//   "sub:T" / "unsub:T"   subscribe / leave topic T; the server answers "ok:sub:T" / "ok:unsub:T"
//   "pub:T:PAYLOAD"       wsh->publish(T, PAYLOAD): every subscriber but the sender

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "integration/test_server.hpp"
#include "integration/ws_test_client.hpp"
#include "restws/all.hpp"
#include "restws/pubsub/redis_bridge.hpp"
#include "restws/websocket/websocket.hpp"

namespace restws::testing {

namespace rws = restws::websocket::basic;
using node_traits_t = restws::traits_t<restws::asio_timer_manager_t, capturing_logger_t>;

/// Waits (bounded) until `pred` holds. The bridge's and Redis's state have no event to wait on,
/// so this polls; the deadline fails the test instead of hanging it.
template <typename P>
bool eventually(P pred, std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  return true;
}

inline std::string concat(std::string_view a, std::string_view b) {
  std::string s{a};
  s.append(b);
  return s;
}

/// Bridge settings for tests: this Redis port, quick reconnects, log lines kept in `log`.
inline pubsub::redis_bridge_settings_t bridge_settings(std::uint16_t port,
                                                       const std::shared_ptr<log_store_t>& log,
                                                       std::string prefix = "restws:") {
  pubsub::redis_bridge_settings_t s;
  s.port = port;
  s.channel_prefix = std::move(prefix);
  s.reconnect_min = std::chrono::milliseconds{10};
  s.reconnect_max = std::chrono::milliseconds{100};
  s.log = [log](std::string_view line) {
    std::lock_guard lock{log->mutex};
    log->lines.emplace_back(line);
    log->changed.notify_all();
  };
  return s;
}

class node_t {
 public:
  explicit node_t(pubsub::redis_bridge_settings_t settings) {
    bridge = pubsub::make_redis_bridge(std::move(settings));
    hub->set_bridge(bridge);
    rws::ws_settings_t ws;
    ws.keep_open = true;
    server_ = std::make_unique<http_server_t<node_traits_t>>(
        on_thread_pool<node_traits_t>(2)
            .port(0)
            .address("127.0.0.1")
            .logger(server_log)
            .topics(hub)
            .request_handler([ws](request_handle_t req) {
              (void)rws::upgrade<node_traits_t>(*req, rws::activation_t::immediate,
                                                &node_t::command, ws);
              return request_accepted();
            }));
    server_->open();
  }
  ~node_t() { close(); }
  node_t(const node_t&) = delete;
  node_t& operator=(const node_t&) = delete;

  void close() {
    if (server_) server_->close();
    server_.reset();
  }

  /// A client subscribed to `topic` (the server said so).
  std::unique_ptr<ws_test_client_t> subscriber(std::string_view topic) {
    auto c = std::make_unique<ws_test_client_t>(server_->port());
    EXPECT_TRUE(c->connected());
    EXPECT_NE(c->handshake("/t").find(" 101 "), std::string::npos);
    EXPECT_TRUE(c->send_frame(rws::opcode_t::text_frame, concat("sub:", topic)));
    const auto ok = c->read_frame(std::chrono::seconds{5});
    EXPECT_TRUE(ok && ok->payload == concat("ok:sub:", topic));
    return c;
  }

  std::uint16_t port() const { return server_->port(); }
  pubsub::redis_bridge_stats_t stats() const { return bridge->stats(); }

  std::shared_ptr<log_store_t> server_log = std::make_shared<log_store_t>();
  rws::topic_hub_handle_t hub = rws::topic_hub_t::make();
  std::shared_ptr<pubsub::redis_bridge_t> bridge;

 private:
  static void command(rws::ws_handle_t wsh, rws::message_handle_t m) {
    if (m->opcode() != rws::opcode_t::text_frame) return;
    const std::string p{m->payload()};
    if (p.starts_with("sub:")) {
      wsh->subscribe(p.substr(4));
      wsh->send_message(rws::final_frame, rws::opcode_t::text_frame, concat("ok:", p));
    } else if (p.starts_with("unsub:")) {
      wsh->unsubscribe(p.substr(6));
      wsh->send_message(rws::final_frame, rws::opcode_t::text_frame, concat("ok:", p));
    } else if (p.starts_with("pub:")) {
      const auto colon = p.find(':', 4);
      wsh->publish(p.substr(4, colon - 4), p.substr(colon + 1));
    }
  }

  std::unique_ptr<http_server_t<node_traits_t>> server_;
};

/// The payload of `client`'s next frame ("" if none within the bound).
inline std::string next_payload(ws_test_client_t& client,
                                std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
  const auto f = client.read_frame(timeout);
  return f ? f->payload : std::string{};
}

}  // namespace restws::testing
