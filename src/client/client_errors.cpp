#include <string>

#include "restws/websocket/client.hpp"

namespace restws::websocket::basic {
namespace {

class client_category_t final : public std::error_category {
 public:
  const char* name() const noexcept override { return "restws.client"; }
  std::string message(int value) const override {
    switch (static_cast<client_error_t>(value)) {
      case client_error_t::bad_url:
        return "not a valid ws:// or wss:// URL";
      case client_error_t::connect_timeout:
        return "timed out connecting to the server";
      case client_error_t::handshake_timeout:
        return "timed out waiting for the WebSocket handshake";
      case client_error_t::tls_failed:
        return "the TLS handshake failed";
      case client_error_t::bad_response:
        return "the server's response is not a valid HTTP/1.1 response head";
      case client_error_t::not_101:
        return "the server did not answer 101 Switching Protocols";
      case client_error_t::missing_upgrade:
        return "the server's response lacks Upgrade: websocket";
      case client_error_t::missing_connection:
        return "the server's response lacks Connection: Upgrade";
      case client_error_t::bad_accept:
        return "the server's Sec-WebSocket-Accept does not match the key";
      case client_error_t::unrequested_subprotocol:
        return "the server chose a subprotocol that was not offered";
      case client_error_t::unrequested_extension:
        return "the server agreed to an extension that was not offered";
      case client_error_t::bad_extension:
        return "the server's permessage-deflate parameters break the offer";
      case client_error_t::closed_in_handshake:
        return "the server closed the connection during the handshake";
    }
    return "unknown restws client error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& client_category() noexcept {
  static const client_category_t category;
  return category;
}

std::error_code make_error_code(client_error_t e) noexcept {
  return {static_cast<int>(e), client_category()};
}

}  // namespace restws::websocket::basic
