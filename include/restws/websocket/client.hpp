#pragma once
// A WebSocket client (docs/client.md): connect to a ws:// or wss:// URL, then the same ws_t
// handle as a server's connection (send_message, shutdown, kill, buffered_amount, drain
// handler, keep-alive and backpressure from ws_settings_t).
//
//   namespace rws = restws::websocket::basic;
//   asio::io_context io;
//   rws::async_connect(io, "ws://127.0.0.1:8080/chat",
//       [](rws::ws_handle_t ws, rws::message_handle_t m) { ... },   // as upgrade()'s handler
//       [&](const std::error_code& ec, rws::ws_handle_t ws) {
//         if (ec) { std::cerr << ec.message() << "\n"; return; }
//         ws->send_message(rws::final_frame, rws::opcode_t::text_frame, "hello");
//         keep = ws;                                   // the WebSocket lives while a handle does
//       });
//   io.run();
//
// Frames the client sends are masked with a fresh key from OpenSSL's CSPRNG per frame; frames
// the server sends are checked as strictly as a server checks a client's (a masked one fails the
// connection with 1002). The server's 101 is checked (status, Upgrade, Connection,
// Sec-WebSocket-Accept, and that it agreed only to the subprotocols and extensions offered).

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/io_context.hpp>

#include "restws/http/header_fields.hpp"
#include "restws/server/logger.hpp"
#include "restws/websocket/settings.hpp"
#include "restws/websocket/ws.hpp"

namespace restws::websocket::basic {

/// Why a connection attempt failed (besides the system's and Asio's own codes: connection
/// refused, host not found, ...). Category client_category(), names "restws.client".
enum class client_error_t {
  bad_url = 1,              ///< not a ws:// or wss:// URL (the message says what is wrong)
  connect_timeout,          ///< no TCP connection within client_settings_t::connect_timeout
  handshake_timeout,        ///< TLS and the upgrade not done within handshake_timeout
  tls_failed,               ///< the TLS handshake failed (certificate not trusted, wrong host, ...)
  bad_response,             ///< the server's answer is not an HTTP/1.1 response head, or too large
  not_101,                  ///< the server answered with another status (the log line says which)
  missing_upgrade,          ///< the 101 lacks Upgrade: websocket
  missing_connection,       ///< the 101 lacks Connection: Upgrade
  bad_accept,               ///< Sec-WebSocket-Accept does not match the key
  unrequested_subprotocol,  ///< the server chose a subprotocol that was not offered
  unrequested_extension,    ///< the server agreed to an extension that was not offered
  bad_extension,            ///< permessage-deflate parameters the offer does not allow
  closed_in_handshake,      ///< the server closed the connection before its response was whole
};

const std::error_category& client_category() noexcept;
std::error_code make_error_code(client_error_t e) noexcept;

struct client_tls_settings_t {
  /// Checks the server's certificate chain and that it was issued for the URL's host (name or
  /// IP address). Turn off only for tests against self-signed certificates.
  bool verify_peer = true;
  /// PEM file of the CAs to trust; empty: the system's trust store (OpenSSL's default paths).
  std::string ca_file;
};

struct client_settings_t {
  /// Extra request fields (Origin, Authorization, Cookie, ...). A field the handshake writes
  /// itself (Host, Upgrade, Connection, Sec-WebSocket-*) is refused: std::invalid_argument.
  http_header_fields_t headers;
  /// Subprotocols offered, in order of preference; ws_t::subprotocol() says which was agreed.
  std::vector<std::string> subprotocols;
  /// Offers permessage-deflate (with client_max_window_bits; the codec settings are
  /// ws.deflate's). The server may decline.
  bool offer_deflate = false;
  /// Resolving and the TCP connection, together.
  std::chrono::milliseconds connect_timeout{10000};
  /// TLS handshake (wss) and the upgrade's response, from the TCP connection on.
  std::chrono::milliseconds handshake_timeout{10000};
  /// Largest response head accepted.
  std::size_t max_response_head = 16 * 1024;
  client_tls_settings_t tls;
  /// The WebSocket's own settings, as for a server's connection: limits, keep-alive pings and
  /// idle timeout, backpressure, whole messages, keep_open.
  ws_settings_t ws;
  /// Where the client logs (handshake failures with the server's status, closes); null: none.
  std::shared_ptr<abstract_logger_t> logger;
};

/// Called once, on `io`'s thread: an error, or the open WebSocket.
using connect_handler_t = std::function<void(const std::error_code&, ws_handle_t)>;

/// Connects to `url` on `io` (names resolved asynchronously; IPv4 and IPv6), runs the opening
/// handshake, then calls `done`. `handler` gets the messages, as upgrade()'s does. Throws
/// std::invalid_argument at once for a bad field in settings.headers or a subprotocol that is not
/// a token; a bad URL is reported through `done` (client_error_t::bad_url). Thread-safety: any
/// thread; `io` must run for anything to happen.
void async_connect(asio::io_context& io, std::string_view url, message_handler_t handler,
                   connect_handler_t done, client_settings_t settings = {});

}  // namespace restws::websocket::basic

template <>
struct std::is_error_code_enum<restws::websocket::basic::client_error_t> : std::true_type {};
