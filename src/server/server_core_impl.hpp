#pragma once
// Private state of server_core_t: reactors, threads, acceptor, signals, stop bookkeeping.

#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "reactor.hpp"
#include "restws/server/detail/server_config.hpp"
#include "tls_contexts.hpp"

namespace restws::pubsub::detail {
class topic_hub_impl_t;
}

namespace restws::detail {

class server_core_impl_t {
 public:
  explicit server_core_impl_t(server_config_t config);
  ~server_core_impl_t();

  void open(bool use_calling_thread);
  void run_reactor(reactor_t& r);
  void stop_on_signals();
  void request_stop();
  void wait();
  /// A reactor has no HTTP connection left during stop; the last one runs cleanup_func.
  void reactor_drained();

  /// The TLS certificates new connections get (null: plain TCP). Any thread.
  std::shared_ptr<const tls_contexts_t> tls() const { return tls_.load(std::memory_order_acquire); }
  /// New certificates for new connections (established ones keep theirs). Any thread.
  void reload_tls(std::shared_ptr<asio::ssl::context> context,
                  std::vector<tls_server_name_t> names);

  /// The server's hub of topics (config_.topics: always set).
  pubsub::detail::topic_hub_impl_t& hub() const;

  server_config_t config_;
  std::vector<std::unique_ptr<reactor_t>> reactors_;
  asio::ip::tcp::endpoint endpoint_;

 private:
  void accept_next();

  std::optional<asio::ip::tcp::acceptor> acceptor_;
  std::optional<asio::signal_set> signals_;
  std::optional<asio::steady_timer> accept_retry_;
  std::vector<std::thread> threads_;
  std::atomic<std::shared_ptr<const tls_contexts_t>> tls_;
  std::atomic<connection_id_t> next_connection_id_{1};
  std::atomic<std::size_t> reactors_not_drained_{0};
  std::atomic<bool> stop_requested_{false};
  std::size_t next_reactor_ = 0;
  bool opened_ = false;
  bool waited_ = false;
};

}  // namespace restws::detail
