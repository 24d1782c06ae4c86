#pragma once
// traits_t: compile-time choice of timer manager, logger and request handler, as in RESTinio:
//   restws::traits_t<restws::asio_timer_manager_t, restws::single_threaded_ostream_logger_t,
//                    router_t>

#include <functional>

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/strand.hpp>

#include "restws/server/logger.hpp"
#include "restws/server/request.hpp"

namespace restws {

/// RESTinio's name for the Asio namespace (standalone Asio here).
namespace asio_ns = ::asio;

/// The traits' socket type for TLS connections (defined in restws/tls.hpp).
struct tls_socket_t;

/// The timer manager: one coarse timer per reactor checks every connection's deadlines
/// (read, write, handling) a few times per timeout period.
struct asio_timer_manager_t {};

/// Handler type when none is chosen: any callable `(request_handle_t) ->
/// request_handling_status_t`.
using default_request_handler_t = std::function<request_handling_status_t(request_handle_t)>;

/// RESTinio's executor and strand names. restws runs one reactor (io_context) per thread and
/// every connection on its reactor's thread, so the strand parameter is accepted and not needed.
using default_asio_executor = asio::any_io_executor;
using default_strand_t = asio::strand<default_asio_executor>;
using noop_strand_t = default_asio_executor;

/// `Socket`: asio::ip::tcp::socket (plain TCP), or tls_socket_t (restws/tls.hpp) for https/wss.
template <typename Timer_Manager, typename Logger,
          typename Request_Handler = default_request_handler_t, typename Strand = default_strand_t,
          typename Socket = asio::ip::tcp::socket>
struct traits_t {
  using timer_manager_t = Timer_Manager;
  using logger_t = Logger;
  using request_handler_t = Request_Handler;
  using strand_t = Strand;
  using stream_socket_t = Socket;
};

/// Single-threaded defaults.
using default_single_thread_traits_t = traits_t<asio_timer_manager_t, null_logger_t>;
/// Defaults for a thread pool.
using default_traits_t = traits_t<asio_timer_manager_t, null_logger_t>;

}  // namespace restws
