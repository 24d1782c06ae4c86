#pragma once
// The non-template form of the server settings that the compiled machinery (src/server/) reads.
// Users build it through server_settings_t<Traits> (settings.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "restws/http/request_parser.hpp"
#include "restws/http/status.hpp"
#include "restws/server/io_uring_mode.hpp"
#include "restws/server/logger.hpp"
#include "restws/server/request.hpp"

namespace asio::ssl {
class context;
}

namespace restws::websocket::basic {
class topic_hub_t;
}

namespace restws::detail {

/// A TLS certificate chosen by the server name a client asks for (SNI).
struct tls_server_name_t {
  std::string pattern;  ///< "example.com", or "*.example.com" for one label's wildcard
  std::shared_ptr<asio::ssl::context> context;
};

/// A request handler with its type erased: one indirect call per request, no std::function.
class erased_request_handler_t {
 public:
  erased_request_handler_t() = default;

  /// Takes ownership of a handler object (a router, a lambda...).
  template <typename H>
  static erased_request_handler_t owning(std::shared_ptr<H> h) {
    erased_request_handler_t e;
    e.object_ = h.get();
    e.owner_ = std::move(h);
    e.call_ = [](void* o, request_handle_t req) -> request_handling_status_t {
      return (*static_cast<H*>(o))(std::move(req));
    };
    return e;
  }

  explicit operator bool() const noexcept { return call_ != nullptr; }
  request_handling_status_t operator()(request_handle_t req) const {
    return call_(object_, std::move(req));
  }

 private:
  void* object_ = nullptr;
  std::shared_ptr<void> owner_;
  request_handling_status_t (*call_)(void*, request_handle_t) = nullptr;
};

/// A connection's first read buffer (server_settings_t::buffer_size).
inline constexpr std::size_t default_buffer_size = 1024;

struct server_config_t {
  std::size_t thread_count = 1;
  std::uint16_t port = 8080;
  /// Empty: IPv4 any (0.0.0.0). Otherwise an IPv4/IPv6 literal or a host name ("localhost").
  std::string address;
  std::size_t buffer_size = default_buffer_size;
  std::chrono::steady_clock::duration read_next_http_message_timelimit = std::chrono::seconds{60};
  std::chrono::steady_clock::duration write_http_response_timelimit = std::chrono::seconds{5};
  std::chrono::steady_clock::duration handle_request_timeout = std::chrono::seconds{10};
  /// How long a closing connection keeps draining the peer's bytes after its last response, so
  /// that the kernel does not reset the connection and destroy that response.
  std::chrono::steady_clock::duration linger_timelimit = std::chrono::milliseconds{500};
  /// After cleanup_func, how long stop waits for handed-off (WebSocket) connections to finish.
  std::chrono::steady_clock::duration handoff_stop_timelimit = std::chrono::seconds{5};
  std::size_t max_pipelined_requests = 1;
  io_uring_mode_t io_uring = io_uring_mode_t::automatic;
  http::parser_limits_t limits;
  http_status_line_t rejected_request_status = status_not_found();
  std::function<void()> cleanup_func;
  erased_request_handler_t handler;
  std::shared_ptr<abstract_logger_t> logger;
  /// TLS (restws/tls.hpp): null for plain TCP. Otherwise every connection speaks TLS, with this
  /// context's certificate unless one of tls_server_names matches the client's SNI.
  std::shared_ptr<asio::ssl::context> tls_context;
  std::vector<tls_server_name_t> tls_server_names;
  /// A client that has not finished its TLS handshake by then is dropped.
  std::chrono::steady_clock::duration tls_handshake_timelimit = std::chrono::seconds{10};
  /// Topics of the server's WebSockets (restws/websocket/topics.hpp); null: the server makes one.
  std::shared_ptr<websocket::basic::topic_hub_t> topics;
};

}  // namespace restws::detail
