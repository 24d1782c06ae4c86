#pragma once
// Server settings builders, as in RESTinio:
//   restws::on_this_thread<traits_t>().port(8080).address("localhost").request_handler(...)
//   restws::on_thread_pool<traits_t>(4).port(8080)...
// Setters return a reference for chaining; run()/http_server_t copy the settings they are given.

#include <chrono>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "restws/server/detail/server_config.hpp"
#include "restws/server/traits.hpp"

namespace restws {

/// Limits on incoming requests (RESTinio's incoming_http_msg_limits_t), with safe defaults.
using incoming_http_msg_limits_t = http::parser_limits_t;

template <typename Traits>
class server_settings_t {
 public:
  using traits_type = Traits;
  /// Traits with tls_socket_t (restws/tls.hpp): the server speaks TLS.
  static constexpr bool is_tls = std::is_same_v<typename Traits::stream_socket_t, tls_socket_t>;

  explicit server_settings_t(std::size_t thread_count = 1) {
    config_.thread_count = thread_count == 0 ? 1 : thread_count;
  }

  /// TCP port to listen on (0: any free port; http_server_t::port() tells which). Default 8080.
  server_settings_t& port(std::uint16_t p) { return set(config_.port, p); }
  /// IPv4/IPv6 literal or host name ("localhost"); default: IPv4 any.
  server_settings_t& address(std::string a) { return set(config_.address, std::move(a)); }
  /// Initial size of each connection's read buffer. A read that fills it doubles it, up to
  /// 16 KiB (or this size if larger); a long request head grows it up to the header limit.
  /// Default 1 KiB: an idle keep-alive connection holds little.
  server_settings_t& buffer_size(std::size_t n) {
    return set(config_.buffer_size, n < 512 ? std::size_t{512} : n);
  }
  /// Time a client has to send a whole request, counted from when the server waits for it
  /// (a silent client or a slow trickle is dropped, with 408). Default 60 s.
  template <typename R, typename P>
  server_settings_t& read_next_http_message_timelimit(std::chrono::duration<R, P> d) {
    return set(config_.read_next_http_message_timelimit, clamp(d));
  }
  /// Time a response's write may take; then the connection is dropped. Default 5 s.
  template <typename R, typename P>
  server_settings_t& write_http_response_timelimit(std::chrono::duration<R, P> d) {
    return set(config_.write_http_response_timelimit, clamp(d));
  }
  /// Time the handler has to complete a response; then the server answers 503. Default 10 s.
  template <typename R, typename P>
  server_settings_t& handle_request_timeout(std::chrono::duration<R, P> d) {
    return set(config_.handle_request_timeout, clamp(d));
  }
  /// How many requests of one connection may be in the handler at once. Default 1.
  server_settings_t& max_pipelined_requests(std::size_t n) {
    return set(config_.max_pipelined_requests, n ? n : std::size_t{1});
  }
  /// Batch the HTTP connections' system calls with Linux io_uring: the reads of the connections
  /// a reactor finds ready together go to the kernel in one io_uring submission, and the
  /// responses their handlers give meanwhile in one more, instead of one recv() and one send()
  /// per request. Pays where system calls are dear (kernel page-table isolation, paravirtualised
  /// guests); the default, `automatic`, decides by measuring (io_uring_mode_t). Where io_uring is
  /// unavailable (a build without liburing, a kernel or sandbox that refuses it) the server uses
  /// plain system calls, as with `off`, and logs it. WebSockets have their own setting
  /// (ws_settings_t::io_uring).
  server_settings_t& io_uring(io_uring_mode_t m) { return set(config_.io_uring, m); }
  /// Request line + fields, field count, body size limits (defaults 16 KiB, 100, 1 MiB).
  server_settings_t& incoming_http_msg_limits(incoming_http_msg_limits_t l) {
    return set(config_.limits, l);
  }
  server_settings_t& max_header_section_size(std::size_t n) {
    return set(config_.limits.max_header_section, n);
  }
  server_settings_t& max_field_count(std::size_t n) {
    return set(config_.limits.max_field_count, n);
  }
  server_settings_t& max_body_size(std::uint64_t n) { return set(config_.limits.max_body, n); }
  /// Status answered when the handler rejects a request. Default 404.
  server_settings_t& rejected_request_status(http_status_line_t s) {
    return set(config_.rejected_request_status, s);
  }
  /// Called once when the server stops, after in-flight responses are written.
  template <typename F>
  server_settings_t& cleanup_func(F&& f) {
    config_.cleanup_func = std::forward<F>(f);
    return *this;
  }
  /// The request handler: a std::unique_ptr/shared_ptr to a handler object (e.g. a router), or a
  /// callable `(request_handle_t) -> request_handling_status_t`.
  template <typename H>
  server_settings_t& request_handler(std::unique_ptr<H> h) {
    return set_handler(std::shared_ptr<H>{std::move(h)});
  }
  template <typename H>
  server_settings_t& request_handler(std::shared_ptr<H> h) {
    return set_handler(std::move(h));
  }
  template <typename F>
  requires std::is_invocable_r_v < request_handling_status_t, std::decay_t<F>
  &, request_handle_t > server_settings_t& request_handler(F&& f) {
    return set_handler(std::make_shared<std::decay_t<F>>(std::forward<F>(f)));
  }

  /// The hub of topics (restws/websocket/topics.hpp) for this server's WebSockets: share one to
  /// publish from code that runs before the server (restws::run() blocks), or to set a bridge
  /// to other processes. Default: the server makes its own (http_server_t::topics()).
  server_settings_t& topics(std::shared_ptr<websocket::basic::topic_hub_t> hub) {
    config_.topics = std::move(hub);
    return *this;
  }

  /// Constructs the logger (Traits::logger_t) from `args`.
  template <typename... Args>
  server_settings_t& logger(Args&&... args) {
    config_.logger = std::make_shared<typename Traits::logger_t>(std::forward<Args>(args)...);
    return *this;
  }

  // ---- TLS (restws/tls.hpp, docs/tls.md): only with TLS traits (tls_traits_t) ----

  /// The server's TLS context: its certificate chain and key, and whatever else the context
  /// sets (client verification, ciphers). restws then raises the minimum version to TLS 1.2,
  /// refuses renegotiation and answers ALPN with http/1.1 (restws::make_tls_context() also sets
  /// a modern cipher list). As RESTinio's; the context is moved into the server.
  // (Templates only so that asio::ssl::context, declared here, is complete where they are used.)
  template <typename Context>
  requires is_tls && std::is_same_v<Context, asio::ssl::context> server_settings_t& tls_context(
      Context context) {
    config_.tls_context = std::make_shared<Context>(std::move(context));
    return *this;
  }
  /// The same, with a context shared by several servers.
  template <typename Context>
  requires is_tls && std::is_same_v<Context, asio::ssl::context> server_settings_t& tls_context(
      std::shared_ptr<Context> context) {
    config_.tls_context = std::move(context);
    return *this;
  }
  /// Another certificate, used when the client asks for `pattern` by SNI: an exact host name
  /// ("api.example.com", case-insensitive) or a wildcard for one label ("*.example.com"). Exact
  /// names win over wildcards; a client that sends no name, or one that matches nothing, gets
  /// tls_context()'s certificate.
  template <typename Context>
  requires is_tls && std::is_same_v<Context, asio::ssl::context> server_settings_t& tls_server_name(
      std::string pattern, Context context) {
    config_.tls_server_names.push_back(detail::tls_server_name_t{
        std::move(pattern), std::make_shared<Context>(std::move(context))});
    return *this;
  }
  /// Time a client has to complete its TLS handshake after connecting, else it is dropped
  /// (and logged). Default 10 s.
  template <typename R, typename P>
  requires is_tls server_settings_t& tls_handshake_timelimit(std::chrono::duration<R, P> d) {
    return set(config_.tls_handshake_timelimit, clamp(d));
  }

  /// The settings in the form the server machinery reads (a default logger if none was set).
  detail::server_config_t release_config() const {
    auto c = config_;
    if (!c.logger) c.logger = std::make_shared<typename Traits::logger_t>();
    return c;
  }
  const detail::server_config_t& config() const noexcept { return config_; }

 private:
  template <typename R, typename P>
  static std::chrono::steady_clock::duration clamp(std::chrono::duration<R, P> d) {
    const auto v = std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
    return v < std::chrono::milliseconds{1} ? std::chrono::milliseconds{1} : v;
  }
  template <typename H>
  server_settings_t& set_handler(std::shared_ptr<H> h) {
    config_.handler = detail::erased_request_handler_t::owning(std::move(h));
    return *this;
  }
  template <typename T, typename V>
  server_settings_t& set(T& field, V&& v) {
    field = std::forward<V>(v);
    return *this;
  }

  detail::server_config_t config_;
};

/// Settings for a server running on the thread that calls run().
template <typename Traits = default_single_thread_traits_t>
server_settings_t<Traits> on_this_thread() {
  return server_settings_t<Traits>{1};
}

/// Settings for a server running `n` reactors (one io_context per thread).
template <typename Traits = default_traits_t>
server_settings_t<Traits> on_thread_pool(std::size_t n) {
  return server_settings_t<Traits>{n};
}

}  // namespace restws
