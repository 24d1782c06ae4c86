#pragma once
// Starting and stopping a server:
//   restws::run(settings)        blocks; stops on SIGINT/SIGTERM (in-flight responses finished,
//                                then cleanup_func); on_this_thread runs it on the calling thread.
//   restws::run_async(settings)  returns a handle with stop()/wait().
//   restws::http_server_t        open()/close() from code, bound port available (tests bind 0).

#include <cstdint>
#include <memory>

#include <asio/ip/tcp.hpp>

#include "restws/server/detail/server_core.hpp"
#include "restws/server/settings.hpp"
#include "restws/websocket/topics.hpp"

namespace restws {

/// A server opened and closed from code. Its reactors run on threads of its own.
template <typename Traits>
class http_server_t {
 public:
  explicit http_server_t(const server_settings_t<Traits>& settings)
      : core_{settings.release_config()} {}

  /// Binds, listens and starts serving. Throws std::system_error (port in use...) or
  /// std::runtime_error (address not resolvable). Call at most once.
  void open() { core_.open(false); }
  /// Stops accepting, closes idle connections, finishes in-flight responses, calls
  /// cleanup_func, waits for the threads. Idempotent; also done by the destructor.
  void close() { core_.close(); }

  /// The address and port actually bound (after open()).
  asio::ip::tcp::endpoint endpoint() const { return core_.local_endpoint(); }
  std::uint16_t port() const { return core_.local_endpoint().port(); }

  /// The hub of topics of this server's WebSockets (the one given to settings.topics(), else
  /// the server's own): publish to it from any thread. Valid as long as the server.
  websocket::basic::topic_hub_t& topics() const { return core_.topics(); }

  /// TLS servers: certificates for the connections that come from now on (SNI names too);
  /// established ones keep theirs. Thread-safe. Throws std::logic_error if the server has no
  /// TLS, std::invalid_argument for a bad SNI pattern (the certificates in use stay then).
  void reload_tls(std::shared_ptr<asio::ssl::context> context,
                  std::vector<detail::tls_server_name_t> server_names = {}) {
    core_.reload_tls(std::move(context), std::move(server_names));
  }

 private:
  detail::server_core_t core_;
};

/// Runs the server until SIGINT/SIGTERM. With on_this_thread settings the calling thread serves;
/// with on_thread_pool(n) it is one of the n reactors. Throws if the server cannot open.
template <typename Traits>
void run(const server_settings_t<Traits>& settings) {
  detail::server_core_t core{settings.release_config()};
  core.open(true);
  core.stop_on_signals();
  core.run_first_reactor();
  core.wait();
}

/// A server running in the background (run_async()).
class running_server_t {
 public:
  explicit running_server_t(detail::server_config_t config) : core_{std::move(config)} {
    core_.open(false);
  }
  /// Starts the stop sequence; returns at once. Thread-safe.
  void stop() { core_.request_stop(); }
  /// Blocks until the server has stopped (after stop() or a signal).
  void wait() { core_.wait(); }
  asio::ip::tcp::endpoint endpoint() const { return core_.local_endpoint(); }
  std::uint16_t port() const { return core_.local_endpoint().port(); }

  /// The hub of topics of this server's WebSockets (the one given to settings.topics(), else
  /// the server's own): publish to it from any thread. Valid as long as the server.
  websocket::basic::topic_hub_t& topics() const { return core_.topics(); }

  /// TLS servers: certificates for the connections that come from now on (SNI names too);
  /// established ones keep theirs. Thread-safe. Throws std::logic_error if the server has no
  /// TLS, std::invalid_argument for a bad SNI pattern (the certificates in use stay then).
  void reload_tls(std::shared_ptr<asio::ssl::context> context,
                  std::vector<detail::tls_server_name_t> server_names = {}) {
    core_.reload_tls(std::move(context), std::move(server_names));
  }

 private:
  detail::server_core_t core_;
};

using running_server_handle_t = std::unique_ptr<running_server_t>;

/// Starts the server on background threads; `handle->stop(); handle->wait();` ends it.
/// Throws if the server cannot open.
template <typename Traits>
running_server_handle_t run_async(const server_settings_t<Traits>& settings) {
  return std::make_unique<running_server_t>(settings.release_config());
}

}  // namespace restws
