#pragma once
// The compiled server machinery behind http_server_t, run() and run_async(): reactors (one
// io_context per thread), the acceptor, connections, the coarse timers and the stop sequence.

#include <cstdint>
#include <memory>

#include <asio/ip/tcp.hpp>

#include "restws/server/detail/server_config.hpp"

namespace restws::detail {

class server_core_impl_t;

class server_core_t {
 public:
  explicit server_core_t(server_config_t config);
  ~server_core_t();
  server_core_t(const server_core_t&) = delete;
  server_core_t& operator=(const server_core_t&) = delete;

  /// Binds and listens (throws std::system_error / std::runtime_error on failure: address not
  /// resolvable, port in use...). Then starts the reactors: all on new threads, or all but the
  /// first if `use_calling_thread` (the caller must then call run_first_reactor()).
  void open(bool use_calling_thread);
  /// Runs the first reactor on the calling thread until the server has stopped.
  void run_first_reactor();
  /// Also stop on SIGINT/SIGTERM (call after open, before running).
  void stop_on_signals();
  /// Starts the stop sequence (acceptor closed, idle connections closed, in-flight responses
  /// finished, cleanup_func, handed-off connections told). Thread-safe, idempotent, returns at
  /// once.
  void request_stop();
  /// Blocks until every reactor has stopped and joins the threads. Idempotent.
  void wait();
  /// request_stop() + wait().
  void close();

  asio::ip::tcp::endpoint local_endpoint() const;
  /// New TLS certificates for new connections (established ones keep theirs). Thread-safe.
  /// Throws std::logic_error without TLS, std::invalid_argument for a bad SNI pattern.
  void reload_tls(std::shared_ptr<asio::ssl::context> context,
                  std::vector<tls_server_name_t> names);
  /// The server's hub of topics (its config's, else its own). Valid as long as the server.
  websocket::basic::topic_hub_t& topics() const;

 private:
  std::unique_ptr<server_core_impl_t> impl_;
};

}  // namespace restws::detail
