// chat: a browser chat server (docs/deployment.md). GET / serves the page (embedded, assets.hpp),
// GET /ws the WebSocket; each room is a topic of the server's hub, and with --redis (a build
// with the Redis bridge) the rooms span every node that uses the same Redis.
//   chat [--port 8090] [--address 127.0.0.1] [--node-name NAME] [--redis HOST:PORT]
//        [--idle-timeout-ms 60000]
// The protocol and what a connection does are in session.hpp (sans-IO); this file carries the
// session's actions out on the WebSocket.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <variant>

#include <restws/all.hpp>
#include <restws/websocket/topics.hpp>
#include <restws/websocket/websocket.hpp>

#include "assets.hpp"
#include "options.hpp"
#include "session.hpp"

#if CHAT_WITH_REDIS
#include <restws/pubsub/redis_bridge.hpp>
#endif

namespace {

namespace rws = restws::websocket::basic;
using router_t = restws::router::express_router_t<>;
using traits_t = restws::traits_t<restws::asio_timer_manager_t,
                                  restws::single_threaded_ostream_logger_t, router_t>;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void run_actions(rws::ws_t& ws, const chat::actions_t& actions) {
  using kind_t = chat::action_t::kind_t;
  for (const auto& a : actions) {
    switch (a.kind) {
      case kind_t::send:
        // A page that went away meanwhile is not an error: its close is on its way.
        ws.try_send_message(rws::final_frame, rws::opcode_t::text_frame, a.payload);
        break;
      case kind_t::publish:
        // To everyone else in the room, on every node (the page gets its copy by `send`). Also
        // while the connection is closing: its `left` still goes out.
        ws.publish(a.topic, a.payload);
        break;
      case kind_t::subscribe:
        ws.subscribe(a.topic);
        break;
      case kind_t::unsubscribe:
        ws.unsubscribe(a.topic);
        break;
    }
  }
}

rws::ws_settings_t ws_settings(const chat::options_t& options) {
  rws::ws_settings_t s;
  s.keep_open = true;               // each connection's session lives in its handler
  s.deliver_whole_messages = true;  // the protocol reads whole JSON documents
  s.auto_pong = true;
  s.idle_timeout = options.idle_timeout;  // keep-alive pings after half of it
  s.send_pings = true;
  // Over the protocol's own limit (an error message), but a document this size is no chat
  // message: the connection is closed with 1009 rather than the bytes buffered.
  s.max_frame_size = s.max_message_size = 64 * 1024;
  return s;
}

std::unique_ptr<router_t> make_router(const chat::options_t& options) {
  auto router = std::make_unique<router_t>();
  for (const chat::asset_t& asset : chat::assets()) {
    router->http_get(std::string{asset.path}, [&asset](auto req, auto) {
      return req->create_response()
          .append_header("Content-Type", std::string{asset.content_type})
          .append_header("Cache-Control", "no-cache")
          .append_header("X-Content-Type-Options", "nosniff")
          // The page runs only its own script: even a bug that let user text into the DOM as
          // HTML could not run code.
          .append_header("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; "
                         "connect-src 'self' ws: wss:; img-src 'self' data:; "
                         "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
          .append_header_date_field()
          .set_body(std::string{asset.body})
          .done();
    });
  }
  router->http_get("/healthz", [node = options.node_name](auto req, auto) {
    return req->create_response()
        .append_header("Content-Type", "text/plain")
        .append_header("Cache-Control", "no-store")
        .set_body(node + "\n")
        .done();
  });
  router->http_get("/ws", [options, settings = ws_settings(options)](auto req, auto) {
    if (restws::http_connection_header_t::upgrade != req->header().connection())
      return restws::request_rejected();
    // One session per connection, owned by its handler (the library keeps the connection open,
    // ws_settings_t::keep_open), so no registry of connections is needed.
    // "node/connection" names this connection among all nodes' (late `left`s are matched by it).
    auto session = std::make_shared<chat::session_t>(
        options.node_name, options.node_name + "/" + std::to_string(req->connection_id()));
    auto handler = [session](rws::ws_handle_t wsh, rws::message_handle_t m) {
      switch (m->opcode()) {
        case rws::opcode_t::text_frame:
          run_actions(*wsh, session->on_text(m->payload(), now_ms()));
          break;
        case rws::opcode_t::binary_frame:
          run_actions(*wsh, session->on_binary());
          break;
        case rws::opcode_t::connection_close_frame:
          run_actions(*wsh, session->on_close());
          break;
        default:  // pings (answered by auto_pong) and pongs
          break;
      }
    };
    try {
      // Reading starts once the greeting is queued, so that it is the page's first message.
      auto wsh = rws::upgrade<traits_t>(*req, rws::activation_t::delayed, handler, settings);
      run_actions(*wsh, session->on_open());
      wsh->activate();
    } catch (const rws::upgrade_error_t&) {
      // Already answered (400/403/426) and logged by upgrade().
    }
    return restws::request_accepted();
  });
  return router;
}

// Sets the hub's bridge to other nodes when asked for; false (and a message) if this build
// cannot.
bool connect_nodes(const chat::options_t& options, rws::topic_hub_t& hub) {
  if (!options.redis_host) return true;
#if CHAT_WITH_REDIS
  restws::pubsub::redis_bridge_settings_t redis;
  redis.host = *options.redis_host;
  redis.port = options.redis_port;
  redis.channel_prefix = "restws-chat:";
  hub.set_bridge(restws::pubsub::make_redis_bridge(std::move(redis)));
  return true;
#else
  (void)hub;
  std::cerr << "chat: --redis: this build has no Redis bridge (restws::redis); "
               "run as a single node without --redis\n";
  return false;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = chat::parse_options(argc, argv);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    std::cerr << "chat: " << *error << "\n" << chat::usage << "\n";
    return 2;
  }
  const auto& options = std::get<chat::options_t>(parsed);
  try {
    auto hub = rws::topic_hub_t::make();
    if (!connect_nodes(options, *hub)) return 2;
    auto settings = restws::on_this_thread<traits_t>();
    settings.port(options.port)
        .address(options.address)
        .topics(hub)
        .request_handler(make_router(options));
    std::cout << "chat: node " << options.node_name << " on http://" << options.address << ":"
              << options.port << "/"
              << (options.redis_host ? " (rooms shared through Redis " + *options.redis_host + ":" +
                                           std::to_string(options.redis_port) + ")"
                                     : std::string{" (single node)"})
              << std::endl;
    restws::run(settings);
  } catch (const std::exception& ex) {
    std::cerr << "chat: " << ex.what() << std::endl;
    return 1;
  }
  return 0;
}
