// The seed's echo server (RESTinio's minimal WebSocket sample), with only restinio renamed to
// restws: listens on localhost:8080, upgrades GET /chat and echoes every frame as received.
#include <restws/all.hpp>
#include <restws/websocket/websocket.hpp>

namespace rr = restws::router;
using router_t = rr::express_router_t<>;
namespace rws = restws::websocket::basic;

using traits_t = restws::traits_t<restws::asio_timer_manager_t,
                                  restws::single_threaded_ostream_logger_t, router_t>;

using ws_registry_t = std::map<std::uint64_t, rws::ws_handle_t>;

auto server_handler(ws_registry_t& registry) {
  auto router = std::make_unique<router_t>();
  router->http_get("/chat", [&registry](auto req, auto) mutable {
    if (restws::http_connection_header_t::upgrade == req->header().connection()) {
      auto wsh = rws::upgrade<traits_t>(*req, rws::activation_t::immediate,
          [&registry](auto wsh, auto m) {
            switch (m->opcode()) {
              case rws::opcode_t::ping_frame: {  // ping/pong is the user's job
                auto pong = *m;
                pong.set_opcode(rws::opcode_t::pong_frame);
                wsh->send_message(pong);
                break;
              }
              case rws::opcode_t::pong_frame:
                break;
              case rws::opcode_t::connection_close_frame:
                registry.erase(wsh->connection_id());
                break;
              default:  // text, binary, continuation: echo as received
                wsh->send_message(*m);
            }
          });
      registry.emplace(wsh->connection_id(), wsh);
      return restws::request_accepted();
    }
    return restws::request_rejected();
  });
  return router;
}

int main() {
  using namespace std::chrono;
  try {
    ws_registry_t registry;
    restws::run(restws::on_this_thread<traits_t>()
                    .port(8080)
                    .address("localhost")
                    .request_handler(server_handler(registry))
                    .read_next_http_message_timelimit(10s)
                    .write_http_response_timelimit(1s)
                    .handle_request_timeout(1s)
                    .cleanup_func([&] { registry.clear(); }));
  } catch (const std::exception& ex) {
    std::cerr << "Error: " << ex.what() << std::endl;
    return 1;
  }
  return 0;
}
