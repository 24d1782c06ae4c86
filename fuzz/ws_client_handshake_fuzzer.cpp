// The client's side of the opening handshake on hostile input: a server's response head (found
// in a stream cut at fuzzed points, parsed, checked against requests with and without
// subprotocols and permessage-deflate offered) and WebSocket URLs. No crash, no unbounded
// memory, and what is accepted keeps its promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "restws/http/response_head_parser.hpp"
#include "restws/websocket/protocol/client_handshake.hpp"
#include "restws/websocket/protocol/ws_url.hpp"

namespace wsp = restws::websocket::protocol;
namespace http = restws::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view input{reinterpret_cast<const char*>(data + 1), size - 1};

  // URLs: an accepted one has a host, a port and a target starting with '/'.
  const auto url = wsp::parse_ws_url(input);
  if (url.error == wsp::url_error_t::none) {
    if (url.url.host.empty() || url.url.port == 0 || url.url.target.empty() ||
        url.url.target.front() != '/')
      std::abort();
  }

  // The response, arriving in pieces of a size the first byte picks.
  http::response_head_limits_t limits;
  limits.max_head = 4096;
  const std::size_t step = 1 + (flags & 0x0f) * 37;
  std::size_t scanned = 0;
  bool too_large = false;
  std::optional<std::size_t> end;
  for (std::size_t n = std::min(step, input.size()); !end && !too_large;
       n = std::min(n + step, input.size())) {
    end = http::find_response_head_end(input.substr(0, n), scanned, too_large, limits);
    if (n == input.size()) break;
  }
  if (!end) return 0;
  if (*end > input.size() || *end > limits.max_head) std::abort();
  const auto parsed = http::parse_response_head(input.substr(0, *end), limits);
  if (parsed.error != http::response_parse_error_t::none) return 0;

  wsp::client_request_t request;
  request.host_header = "example.com";
  request.target = "/";
  request.key = "dGhlIHNhbXBsZSBub25jZQ==";
  if (flags & 0x10) request.subprotocols = {"chat", "mqtt"};
  if (flags & 0x20) {
    request.deflate = wsp::deflate_offer_t{};
    request.deflate->client_max_window_bits_present = (flags & 0x40) != 0;
    request.deflate->server_no_context_takeover = (flags & 0x80) != 0;
  }
  const auto result = wsp::check_handshake_response(parsed.head, request);
  if (result.error == wsp::handshake_error_t::none) {
    if (parsed.head.status != 101) std::abort();
    if (!result.subprotocol.empty() && result.subprotocol != "chat" && result.subprotocol != "mqtt")
      std::abort();
    if (result.deflate && !request.deflate) std::abort();
  }
  return 0;
}
