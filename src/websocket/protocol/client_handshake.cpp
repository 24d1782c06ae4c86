#include "restws/websocket/protocol/client_handshake.hpp"

#include <span>
#include <stdexcept>

#include "../../http/http_syntax.hpp"
#include "restws/websocket/protocol/base64.hpp"
#include "restws/websocket/protocol/handshake.hpp"

namespace restws::websocket::protocol {

std::string make_websocket_key(const std::array<std::byte, 16>& random) {
  return base64_encode(std::span<const std::byte>{random});
}

namespace {

using http::detail::is_token;

bool safe_value(std::string_view v) { return v.find_first_of({"\r\n\0", 3}) == v.npos; }

bool written_by_handshake(std::string_view name) {
  for (std::string_view own :
       {"host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
        "sec-websocket-protocol", "sec-websocket-extensions", "sec-websocket-accept"})
    if (http::iequals(name, own)) return true;
  return false;
}

}  // namespace

std::string client_request_head(const client_request_t& request) {
  if (request.target.empty() || request.target.front() != '/')
    throw std::invalid_argument("WebSocket request target must start with '/'");
  for (char c : request.target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      throw std::invalid_argument("WebSocket request target holds a space or control byte");
  if (!safe_value(request.host_header) || request.host_header.empty())
    throw std::invalid_argument("WebSocket request needs a Host without CR, LF or NUL");
  std::string head;
  head.reserve(256);
  head.append("GET ").append(request.target).append(" HTTP/1.1\r\nHost: ");
  head.append(request.host_header);
  head.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
  head.append(request.key).append("\r\nSec-WebSocket-Version: 13\r\n");
  if (!request.subprotocols.empty()) {
    head.append("Sec-WebSocket-Protocol: ");
    bool first = true;
    for (const auto& p : request.subprotocols) {
      if (!is_token(p)) throw std::invalid_argument("subprotocol is not a token: " + p);
      if (!first) head.append(", ");
      head.append(p);
      first = false;
    }
    head.append("\r\n");
  }
  if (request.deflate)
    head.append("Sec-WebSocket-Extensions: ")
        .append(deflate_offer_value(*request.deflate))
        .append("\r\n");
  for (const auto& f : request.extra_fields) {
    if (!is_token(f.name) || !safe_value(f.value))
      throw std::invalid_argument("bad request header field: " + f.name);
    if (written_by_handshake(f.name))
      throw std::invalid_argument("the handshake writes this field itself: " + f.name);
    head.append(f.name).append(": ").append(f.value).append("\r\n");
  }
  head.append("\r\n");
  return head;
}

std::string_view describe(handshake_error_t e) noexcept {
  switch (e) {
    case handshake_error_t::none:
      return "no error";
    case handshake_error_t::not_101:
      return "the server did not answer 101 Switching Protocols";
    case handshake_error_t::missing_upgrade:
      return "the server's response lacks Upgrade: websocket";
    case handshake_error_t::missing_connection:
      return "the server's response lacks Connection: Upgrade";
    case handshake_error_t::bad_accept:
      return "the server's Sec-WebSocket-Accept does not match the key";
    case handshake_error_t::unrequested_subprotocol:
      return "the server chose a subprotocol that was not offered";
    case handshake_error_t::unrequested_extension:
      return "the server agreed to an extension that was not offered";
    case handshake_error_t::bad_extension:
      return "the server's permessage-deflate parameters break the offer";
  }
  return "unknown error";
}

handshake_result_t check_handshake_response(const http::response_head_t& response,
                                            const client_request_t& request) {
  handshake_result_t r;
  auto fail = [&r](handshake_error_t e) {
    r.error = e;
    r.subprotocol.clear();
    r.deflate.reset();
    return r;
  };
  const auto& fields = response.fields;
  if (response.status != 101) return fail(handshake_error_t::not_101);
  bool upgrade = false;
  fields.for_each_value_of(
      "upgrade", [&](std::string_view v) { upgrade = upgrade || http::has_token(v, "websocket"); });
  if (!upgrade) return fail(handshake_error_t::missing_upgrade);
  bool connection = false;
  fields.for_each_value_of("connection", [&](std::string_view v) {
    connection = connection || http::has_token(v, "upgrade");
  });
  if (!connection) return fail(handshake_error_t::missing_connection);
  if (fields.count("sec-websocket-accept") != 1 ||
      fields.value_of("sec-websocket-accept") != sec_websocket_accept(request.key))
    return fail(handshake_error_t::bad_accept);

  // At most one subprotocol, one of those offered (RFC 6455 §4.1 item 6).
  const std::size_t protocols = fields.count("sec-websocket-protocol");
  if (protocols > 1) return fail(handshake_error_t::unrequested_subprotocol);
  if (protocols == 1) {
    const std::string_view chosen = fields.value_of("sec-websocket-protocol");
    bool offered = false;
    for (const auto& p : request.subprotocols) offered = offered || p == chosen;
    if (!offered) return fail(handshake_error_t::unrequested_subprotocol);
    r.subprotocol.assign(chosen);
  }

  if (!request.deflate) {
    if (fields.has_field("sec-websocket-extensions"))
      return fail(handshake_error_t::unrequested_extension);
  } else {
    const deflate_response_t d = read_deflate_response(fields, *request.deflate);
    switch (d.error) {
      case deflate_response_error_t::none:
        r.deflate = d.agreed;
        break;
      case deflate_response_error_t::not_offered:
        return fail(handshake_error_t::unrequested_extension);
      case deflate_response_error_t::malformed:
      case deflate_response_error_t::refused:
        return fail(handshake_error_t::bad_extension);
    }
  }
  return r;
}

}  // namespace restws::websocket::protocol
