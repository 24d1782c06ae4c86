// async_connect(): resolve, connect, TLS for wss, the opening handshake; then the socket goes
// to a ws_connection_t in the client's role, as a server's goes at upgrade().

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "../websocket/mask_keys.hpp"
#include "../websocket/ws_connection.hpp"
#include "client_tls.hpp"
#include "restws/http/response_head_parser.hpp"
#include "restws/websocket/client.hpp"
#include "restws/websocket/protocol/client_handshake.hpp"
#include "restws/websocket/protocol/ws_url.hpp"

namespace restws::websocket::basic {
namespace {

using asio::ip::tcp;

// Client connections' ids, apart from any server's (they only name log lines).
std::atomic<std::uint64_t> next_client_id{1};

client_error_t to_client_error(protocol::handshake_error_t e) {
  switch (e) {
    case protocol::handshake_error_t::not_101:
      return client_error_t::not_101;
    case protocol::handshake_error_t::missing_upgrade:
      return client_error_t::missing_upgrade;
    case protocol::handshake_error_t::missing_connection:
      return client_error_t::missing_connection;
    case protocol::handshake_error_t::bad_accept:
      return client_error_t::bad_accept;
    case protocol::handshake_error_t::unrequested_subprotocol:
      return client_error_t::unrequested_subprotocol;
    case protocol::handshake_error_t::unrequested_extension:
      return client_error_t::unrequested_extension;
    case protocol::handshake_error_t::bad_extension:
    case protocol::handshake_error_t::none:
      break;
  }
  return client_error_t::bad_extension;
}

class connector_t : public std::enable_shared_from_this<connector_t> {
 public:
  connector_t(asio::io_context& io, protocol::ws_url_t url, message_handler_t handler,
              connect_handler_t done, client_settings_t settings)
      : io_{io},
        url_{std::move(url)},
        handler_{std::move(handler)},
        done_{std::move(done)},
        settings_{std::move(settings)},
        logger_{settings_.logger ? settings_.logger : std::make_shared<null_logger_t>()},
        resolver_{io},
        socket_{io},
        timer_{io} {
    std::array<std::byte, 16> nonce;
    detail::random_bytes(nonce.data(), nonce.size());
    request_.host_header = url_.host_header;
    request_.target = url_.target;
    request_.key = protocol::make_websocket_key(nonce);
    request_.subprotocols = settings_.subprotocols;
    if (settings_.offer_deflate) {
      protocol::deflate_offer_t offer;
      offer.client_max_window_bits_present = true;  // the server may ask for a smaller window
      request_.deflate = offer;
    }
    request_.extra_fields = settings_.headers;
    head_ = protocol::client_request_head(request_);  // throws for a bad field: at the call
    limits_.max_head = settings_.max_response_head;
  }

  void start() {
    arm(settings_.connect_timeout, client_error_t::connect_timeout);
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        [self = shared_from_this()](const std::error_code& ec, tcp::resolver::results_type r) {
          self->on_resolved(ec, std::move(r));
        });
  }

 private:
  void arm(std::chrono::milliseconds timeout, client_error_t error) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this(), error](const std::error_code& ec) {
      if (ec || self->finished_) return;  // cancelled: the step it guarded is done
      self->finish(make_error_code(error));
    });
  }

  void on_resolved(const std::error_code& ec, tcp::resolver::results_type results) {
    if (finished_) return;
    if (ec) return finish(ec);
    asio::async_connect(
        socket_, results,
        [self = shared_from_this()](const std::error_code& ec, const tcp::endpoint&) {
          self->on_connected(ec);
        });
  }

  void on_connected(const std::error_code& ec) {
    if (finished_) return;
    if (ec) return finish(ec);
    std::error_code ignored;
    socket_.set_option(tcp::no_delay{true}, ignored);
    remote_ = socket_.remote_endpoint(ignored);
    arm(settings_.handshake_timeout, client_error_t::handshake_timeout);
    if (url_.secure) {
      std::string why;
      auto ctx = detail::client_tls_context(settings_.tls, why);
      if (ctx) tls_ = detail::client_tls_session(ctx.get(), url_, settings_.tls.verify_peer, why);
      if (!tls_) return fail_tls(why);
      on_raw({});  // the ClientHello
    } else {
      send(std::move(head_));
    }
    read_some();
  }

  void fail_tls(std::string_view why) {
    logger_->warn(
        [&] { return "ws client " + url_.host_header + ": TLS failed: " + std::string{why}; });
    finish(make_error_code(client_error_t::tls_failed));
  }

  void send(std::string bytes) {
    if (bytes.empty()) return;
    auto buffer = std::make_shared<std::string>(std::move(bytes));
    asio::async_write(socket_, asio::buffer(*buffer),
                      [self = shared_from_this(), buffer](const std::error_code& ec, std::size_t) {
                        if (ec && !self->finished_) self->finish(ec);
                      });
  }

  void read_some() {
    socket_.async_read_some(asio::buffer(buf_),
                            [self = shared_from_this()](const std::error_code& ec, std::size_t n) {
                              self->on_read(ec, n);
                            });
  }

  void on_read(const std::error_code& ec, std::size_t n) {
    if (finished_) return;
    if (ec == asio::error::eof) return finish(make_error_code(client_error_t::closed_in_handshake));
    if (ec) return finish(ec);
    if (!on_raw({buf_.data(), n})) return;
    if (!finished_) read_some();
  }

  // Bytes from the socket: through TLS for wss, then into the response. False once finished.
  bool on_raw(std::span<const char> raw) {
    if (!tls_) {
      in_.append(raw.data(), raw.size());
      return check_response();
    }
    std::string out;
    for (;;) {
      const auto r = tls_->stream.read(raw, plain_, out);
      raw = {};
      in_.append(plain_.data(), r.plain);
      if (r.status == restws::detail::tls_status_t::failed) {
        send(std::move(out));  // the alert
        fail_tls(tls_->stream.error());
        return false;
      }
      if (r.status == restws::detail::tls_status_t::closed) {
        finish(make_error_code(client_error_t::closed_in_handshake));
        return false;
      }
      if (r.status == restws::detail::tls_status_t::want_input) break;
    }
    if (!request_sent_ && tls_->stream.handshake_done()) {
      request_sent_ = true;
      if (!tls_->stream.write(head_, out)) {
        fail_tls(tls_->stream.error());
        return false;
      }
    }
    send(std::move(out));
    return check_response();
  }

  bool check_response() {
    bool too_large = false;
    const auto end = http::find_response_head_end(in_, scanned_, too_large, limits_);
    if (too_large) {
      logger_->warn([&] { return "ws client " + url_.host_header + ": response head too large"; });
      finish(make_error_code(client_error_t::bad_response));
      return false;
    }
    if (!end) return true;
    const auto parsed = http::parse_response_head(std::string_view{in_}.substr(0, *end), limits_);
    if (parsed.error != http::response_parse_error_t::none) {
      logger_->warn([&] {
        return "ws client " + url_.host_header +
               ": bad response: " + std::string{http::describe(parsed.error)};
      });
      finish(make_error_code(client_error_t::bad_response));
      return false;
    }
    const auto result = protocol::check_handshake_response(parsed.head, request_);
    if (result.error != protocol::handshake_error_t::none) {
      logger_->warn([&] {
        return "ws client " + url_.host_header + ": handshake refused (" +
               std::to_string(parsed.head.status) + " " + parsed.head.reason +
               "): " + std::string{protocol::describe(result.error)};
      });
      finish(make_error_code(to_client_error(result.error)));
      return false;
    }
    open(in_.substr(*end), result);
    return false;
  }

  void open(std::string already_read, const protocol::handshake_result_t& agreed) {
    finished_ = true;
    timer_.cancel();
    connection_handoff_t handoff{std::move(socket_),
                                 &io_,
                                 std::move(already_read),
                                 next_client_id.fetch_add(1, std::memory_order_relaxed),
                                 remote_,
                                 nullptr,
                                 logger_,
                                 std::move(tls_),
                                 nullptr};
    const detail::connection_ref_t connection{
        new detail::ws_connection_t(std::move(handoff), std::move(handler_), settings_.ws,
                                    agreed.subprotocol, agreed.deflate, protocol::role_t::client)};
    ws_handle_t ws = connection->make_handle();
    connection->start({}, true, nullptr);
    auto done = std::move(done_);
    done({}, std::move(ws));
  }

  void finish(const std::error_code& ec) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    resolver_.cancel();
    std::error_code ignored;
    socket_.close(ignored);
    auto done = std::move(done_);
    done(ec, nullptr);
  }

  asio::io_context& io_;
  protocol::ws_url_t url_;
  message_handler_t handler_;
  connect_handler_t done_;
  client_settings_t settings_;
  std::shared_ptr<abstract_logger_t> logger_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  tcp::endpoint remote_;
  protocol::client_request_t request_;
  std::string head_;
  http::response_head_limits_t limits_;
  restws::detail::tls_transport_ptr_t tls_;
  std::string in_;  ///< the response so far (plaintext)
  std::size_t scanned_ = 0;
  std::array<char, 4096> buf_;
  std::array<char, 16 * 1024> plain_;
  bool request_sent_ = false;
  bool finished_ = false;
};

}  // namespace

void async_connect(asio::io_context& io, std::string_view url, message_handler_t handler,
                   connect_handler_t done, client_settings_t settings) {
  auto parsed = protocol::parse_ws_url(url);
  if (parsed.error != protocol::url_error_t::none) {
    if (settings.logger)
      settings.logger->warn([&] {
        return "ws client: " + std::string{url} + ": " +
               std::string{protocol::describe(parsed.error)};
      });
    asio::post(io,
               [done = std::move(done)] { done(make_error_code(client_error_t::bad_url), {}); });
    return;
  }
  auto c = std::make_shared<connector_t>(io, std::move(parsed.url), std::move(handler),
                                         std::move(done), std::move(settings));
  asio::post(io, [c] { c->start(); });
}

}  // namespace restws::websocket::basic
