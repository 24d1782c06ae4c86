#pragma once
// Hand-off of an HTTP connection to another protocol (the WebSocket upgrade).
//
// Inside a request handler, code holding the request calls `take_connection(req)`. It receives the
// connection's socket, the io_context it runs on, the bytes the server already read past the end
// of the request (the first bytes of the new protocol), the connection id and the peer's address.
//
// Guarantees when take_connection() returns:
//  - no read or write is pending on the socket: the server dispatches a request carrying
//    `Connection: upgrade` only after every earlier response on the connection was written, and
//    reads nothing more on that connection until the request is answered or handed off;
//  - the HTTP connection never touches the socket again and sends no response for that request
//    (a later done() on a response builder of it is ignored);
//  - nothing has been written for the request: the new owner writes the `101 Switching Protocols`
//    response itself, as the first bytes it sends (e.g. one async_write before anything else).
//
// The server keeps counting a handed-off connection while `registration` lives: on stop it calls
// the stop handler set with `registration->set_stop_handler()` (on the connection's io_context, so
// the WebSocket can send its close frame), then cleanup_func, and it waits (bounded) for every
// registration to be released before run() returns. Release the registration (drop the
// shared_ptr) when the connection is closed. The socket belongs to the server's io_context: close
// and destroy it before the server object is destroyed (cleanup_func is the place); a
// registration still alive handoff_stop_timelimit (5 s) after cleanup_func no longer holds the
// stop back.
//
// Preconditions: call on the connection's io_context thread (the handler's thread), before the
// request was answered, at most once. Violations throw std::logic_error.

#include <functional>
#include <memory>
#include <string>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "restws/server/logger.hpp"
#include "restws/server/response_sink.hpp"

namespace restws {

class request_t;

namespace websocket::basic {
class topic_hub_t;
}

namespace detail {
class tls_transport_t;
/// Frees a TLS session (the library's; a handed-off connection carries it to the WebSocket).
struct tls_transport_deleter_t {
  void operator()(tls_transport_t* t) const noexcept;
};
using tls_transport_ptr_t = std::unique_ptr<tls_transport_t, tls_transport_deleter_t>;
}  // namespace detail

/// The server's record of a handed-off connection.
class handoff_registration_t {
 public:
  virtual ~handoff_registration_t() = default;
  /// Sets the function the server calls, once, on the connection's io_context when it stops.
  /// Thread-safety: may be called from any thread.
  virtual void set_stop_handler(std::function<void()> handler) = 0;
  /// Sets the function the server calls, once, on the connection's io_context if the
  /// registration still lives when the stop's time limit is over, just before the io_context
  /// stops: it must close the socket and release everything bound to the io_context (sockets,
  /// timers), which is destroyed afterwards. Thread-safety: may be called from any thread.
  virtual void set_kill_handler(std::function<void()> handler) = 0;
};

/// Everything the new owner of a connection gets.
struct connection_handoff_t {
  asio::ip::tcp::socket socket;  ///< open, no operation pending, TCP_NODELAY set
  asio::io_context* io_context;  ///< the reactor the socket belongs to (never null)
  std::string already_read;      ///< bytes received after the request, to be parsed first
  connection_id_t connection_id = 0;
  asio::ip::tcp::endpoint remote_endpoint;
  std::shared_ptr<handoff_registration_t> registration;  ///< hold while the connection lives
  std::shared_ptr<abstract_logger_t> logger;             ///< the server's logger (never null)
  /// The TLS session over the socket, null for plain TCP. Only restws's WebSocket connection can
  /// speak through it: a TLS connection's raw socket carries ciphertext.
  detail::tls_transport_ptr_t tls;
  /// The server's hub of topics (never null for a server's connection).
  std::shared_ptr<websocket::basic::topic_hub_t> topics;
};

/// Takes the connection of `req` away from the HTTP server (see the file comment).
/// Throws std::logic_error if the request has no socket (unit-test sink), was already answered or
/// handed off, or the call is not on the connection's thread.
connection_handoff_t take_connection(request_t& req);

}  // namespace restws
