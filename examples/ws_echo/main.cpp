// The seed's echo server (RESTinio's minimal WebSocket sample), with only restinio renamed to
// restws: listens on localhost:8080, upgrades GET /chat and echoes every frame as received.
// Flags (none: the seed's behaviour with restws's defaults, docs/websocket.md):
//   --idle-timeout-ms N   ws_settings_t::idle_timeout (0: off); keep-alive pings at half of it
//   --subprotocols A,B    ws_settings_t::subprotocols: the ones spoken, in order of preference
//   --deflate             ws_settings_t::deflate.enabled: accept permessage-deflate (RFC 7692)
//   --tls-cert FILE --tls-key FILE
//                         serve wss:// (and https) on the same port: PEM certificate chain
//                         (leaf first) and private key (docs/tls.md)
#include <restws/all.hpp>
#include <restws/tls.hpp>
#include <restws/websocket/websocket.hpp>

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace rr = restws::router;
using router_t = rr::express_router_t<>;
namespace rws = restws::websocket::basic;

using traits_t = restws::traits_t<restws::asio_timer_manager_t,
                                  restws::single_threaded_ostream_logger_t, router_t>;
// The same server over TLS: only the traits differ (and the certificate in the settings).
using tls_traits_t = restws::tls_traits_t<restws::asio_timer_manager_t,
                                          restws::single_threaded_ostream_logger_t, router_t>;

using ws_registry_t = std::map<std::uint64_t, rws::ws_handle_t>;

template <typename Traits>
auto server_handler(ws_registry_t& registry, const rws::ws_settings_t& settings) {
  auto router = std::make_unique<router_t>();
  router->http_get("/chat", [&registry, settings](auto req, auto) mutable {
    if (restws::http_connection_header_t::upgrade == req->header().connection()) {
      auto wsh = rws::upgrade<Traits>(
          *req, rws::activation_t::immediate,
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
          },
          settings);
      registry.emplace(wsh->connection_id(), wsh);
      return restws::request_accepted();
    }
    return restws::request_rejected();
  });
  return router;
}

struct flags_t {
  rws::ws_settings_t settings;
  std::string tls_cert;
  std::string tls_key;
};

// The flags above, or nothing (and a usage line) for anything else.
std::optional<flags_t> parse_flags(int argc, char** argv) {
  flags_t flags;
  rws::ws_settings_t& settings = flags.settings;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--idle-timeout-ms" && i + 1 < argc) {
      char* end = nullptr;
      const unsigned long ms = std::strtoul(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0') return std::nullopt;
      settings.idle_timeout = std::chrono::milliseconds{ms};
    } else if (flag == "--subprotocols" && i + 1 < argc) {
      std::string_view list = argv[++i];
      while (!list.empty()) {
        const auto comma = list.find(',');
        const auto name = list.substr(0, comma);
        if (name.empty()) return std::nullopt;
        settings.subprotocols.emplace_back(name);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      }
      if (settings.subprotocols.empty()) return std::nullopt;
    } else if (flag == "--deflate") {
      settings.deflate.enabled = true;
    } else if (flag == "--tls-cert" && i + 1 < argc) {
      flags.tls_cert = argv[++i];
    } else if (flag == "--tls-key" && i + 1 < argc) {
      flags.tls_key = argv[++i];
    } else {
      return std::nullopt;
    }
  }
  if (flags.tls_cert.empty() != flags.tls_key.empty()) return std::nullopt;  // both or none
  return flags;
}

template <typename Traits>
void serve(const rws::ws_settings_t& ws_settings, std::optional<asio::ssl::context> tls) {
  using namespace std::chrono;
  ws_registry_t registry;
  auto settings = restws::on_this_thread<Traits>();
  settings.port(8080)
      .address("localhost")
      .request_handler(server_handler<Traits>(registry, ws_settings))
      .read_next_http_message_timelimit(10s)
      .write_http_response_timelimit(1s)
      .handle_request_timeout(1s)
      .cleanup_func([&] { registry.clear(); });
  if constexpr (!std::is_same_v<Traits, traits_t>) settings.tls_context(std::move(*tls));
  restws::run(settings);
}

int main(int argc, char** argv) {
  const auto flags = parse_flags(argc, argv);
  if (!flags) {
    std::cerr << "usage: " << argv[0]
              << " [--idle-timeout-ms N] [--subprotocols A,B] [--deflate]"
                 " [--tls-cert FILE --tls-key FILE]\n";
    return 2;
  }
  try {
    if (flags->tls_cert.empty()) {
      serve<traits_t>(flags->settings, std::nullopt);
    } else {
      serve<tls_traits_t>(flags->settings,
                          restws::make_tls_context(flags->tls_cert, flags->tls_key));
    }
  } catch (const std::exception& ex) {
    std::cerr << "Error: " << ex.what() << std::endl;
    return 1;
  }
  return 0;
}
