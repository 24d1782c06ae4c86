// libFuzzer target: the sans-IO negotiation parsers of the upgrade, Sec-WebSocket-Protocol lists
// (subprotocol.hpp) and Origin values and allow-list entries (origin.hpp). Beyond not crashing,
// each result must agree with itself:
// - subprotocols: the tokens offered are tokens; joined again they parse to the same list; the
//   server's preference picks the first supported offer;
// - origins: a parsed origin's parts are views into the input and serialize back to the same
//   origin; a valid exact entry matches the origin it names, a wildcard one a subdomain of it
//   and never its bare domain; a match of an exact entry is the same origin;
// - permessage-deflate (permessage_deflate.hpp): each offer read, written again, reads back the
//   same; the server's answer to it, checked as a client checks it, is accepted and agrees with
//   the server on every parameter.
//
// Input: "entry\norigin\nfield\nfield..." (any part may be missing or empty).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "restws/http/header_fields.hpp"
#include "restws/websocket/protocol/origin.hpp"
#include "restws/websocket/protocol/permessage_deflate.hpp"
#include "restws/websocket/protocol/subprotocol.hpp"

namespace {

namespace wsp = restws::websocket::protocol;

void check(bool ok) {
  if (!ok) std::abort();
}

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

bool within(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void fuzz_subprotocols(const std::vector<std::string_view>& values) {
  restws::http::http_header_fields_t fields;
  for (const auto v : values) fields.add_field("Sec-WebSocket-Protocol", std::string{v});
  const auto offers = wsp::read_subprotocol_offers(fields);
  if (offers.malformed) {
    check(offers.offered.empty());
    check(wsp::negotiate_subprotocol(fields, std::vector<std::string>{"x"}, {}, false).result ==
          wsp::subprotocol_result_t::malformed);
    return;
  }
  check(values.empty() || !offers.offered.empty());
  std::string joined;
  for (const auto t : offers.offered) {
    check(!t.empty());
    for (const char c : t) check(is_tchar(c));
    if (!joined.empty()) joined += ", ";
    joined += t;
  }
  std::vector<std::string_view> again;
  check(wsp::parse_subprotocol_list(joined, again));
  check(again == offers.offered);
  if (offers.offered.empty()) return;
  // The server's preference: its first name that was offered, whatever the client's order.
  const std::vector<std::string> supported{"not-offered\x01", std::string{offers.offered.back()},
                                           std::string{offers.offered.front()}};
  const auto d = wsp::negotiate_subprotocol(fields, supported, {}, true);
  check(d.result == wsp::subprotocol_result_t::chosen);
  check(d.chosen == offers.offered.back());
}

std::string serialize(const wsp::origin_t& o) {
  return std::string{o.scheme} + "://" + std::string{o.host} + ":" + std::to_string(o.port);
}

void fuzz_origin(std::string_view entry, std::string_view value) {
  const auto origin = wsp::parse_origin(value);
  if (origin && !origin->opaque) {
    check(within(origin->scheme, value) && within(origin->host, value));
    check(!origin->scheme.empty() && !origin->host.empty());
    if (origin->port != 0) {
      const std::string s = serialize(*origin);
      const auto again = wsp::parse_origin(s);
      check(again && wsp::same_origin(*again, *origin));
      // Listed as itself, an origin is allowed; as a wildcard's domain, its subdomains are.
      check(wsp::is_valid_origin_entry(s) && wsp::origin_matches(s, *origin));
      if (origin->host.front() != '[') {
        const std::string wildcard = std::string{origin->scheme} + "://*." +
                                     std::string{origin->host} + ":" + std::to_string(origin->port);
        check(!wsp::origin_matches(wildcard, *origin));
        const std::string sub = std::string{origin->scheme} + "://a." + std::string{origin->host} +
                                ":" + std::to_string(origin->port);
        const auto sub_origin = wsp::parse_origin(sub);
        check(sub_origin && wsp::origin_matches(wildcard, *sub_origin));
      }
    }
  }
  const bool valid_entry = wsp::is_valid_origin_entry(entry);
  if (origin) {
    const bool matches = wsp::origin_matches(entry, *origin);
    check(!matches || valid_entry);
    check(!matches || !origin->opaque);
    if (matches && entry.find("://*.") == std::string_view::npos) {
      const auto named = wsp::parse_origin(entry);
      check(named && wsp::same_origin(*named, *origin));
    }
  }
  restws::http::http_header_fields_t fields;
  fields.add_field("Origin", std::string{value});
  const std::vector<std::string> list{std::string{entry}};
  const auto result = wsp::check_origin(fields, list, false);
  if (valid_entry) {  // check_origin() trims OWS around the field value first
    std::string_view trimmed = value;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t'))
      trimmed.remove_prefix(1);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t'))
      trimmed.remove_suffix(1);
    const auto o = wsp::parse_origin(trimmed);
    check((result == wsp::origin_check_t::allowed) == (o && wsp::origin_matches(entry, *o)));
  }
}

void fuzz_deflate(const std::vector<std::string_view>& values) {
  restws::http::http_header_fields_t fields;
  for (const auto v : values) fields.add_field("Sec-WebSocket-Extensions", std::string{v});
  const auto offers = wsp::read_deflate_offers(fields);
  check(!offers.malformed || (offers.offers.empty() && offers.invalid == 0));
  wsp::deflate_config_t config;
  if (!values.empty() && !values[0].empty()) {  // settings from the input too
    const auto b = static_cast<unsigned char>(values[0][0]);
    config.server_no_context_takeover = b & 1;
    config.client_no_context_takeover = b & 2;
    config.server_max_window_bits = static_cast<std::uint8_t>(b >> 4);  // clamped: 0..15
    config.client_max_window_bits = static_cast<std::uint8_t>(8 + (b & 0x0c));
  }
  for (const auto& o : offers.offers) {
    restws::http::http_header_fields_t again;
    again.add_field("Sec-WebSocket-Extensions", wsp::deflate_offer_value(o));
    const auto reread = wsp::read_deflate_offers(again);
    check(reread.offers.size() == 1 && reread.offers[0] == o);
    const auto a = wsp::accept_deflate_offer(o, config);
    check(a.has_value());
    check(a->server_max_window_bits >= 8 && a->server_max_window_bits <= 15);
    check(a->client_max_window_bits >= 8 && a->client_max_window_bits <= 15);
    check(!o.server_max_window_bits || a->server_max_window_bits <= o.server_max_window_bits);
    restws::http::http_header_fields_t response;
    response.add_field("Sec-WebSocket-Extensions", wsp::deflate_response_value(*a));
    const auto seen = wsp::read_deflate_response(response, o);
    check(seen.error == wsp::deflate_response_error_t::none && seen.agreed.has_value());
    check(seen.agreed->server_no_context_takeover == a->server_no_context_takeover);
    check(seen.agreed->client_no_context_takeover == a->client_no_context_takeover);
    check(seen.agreed->server_max_window_bits == a->server_max_window_bits);
    check(seen.agreed->client_max_window_bits == a->client_max_window_bits);
  }
  const auto chosen = wsp::negotiate_deflate(offers, config);
  check(chosen.has_value() == !offers.offers.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input{reinterpret_cast<const char*>(data), size};
  std::vector<std::string_view> parts;
  for (;;) {
    const std::size_t nl = input.find('\n');
    parts.push_back(input.substr(0, nl));
    if (nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
  const std::string_view entry = parts[0];
  const std::string_view origin = parts.size() > 1 ? parts[1] : std::string_view{};
  fuzz_origin(entry, origin);
  fuzz_origin(origin, entry);
  fuzz_subprotocols({parts.begin() + (parts.size() > 2 ? 2 : parts.size()), parts.end()});
  fuzz_subprotocols({parts.begin(), parts.end()});
  fuzz_deflate({parts.begin(), parts.end()});
  return 0;
}
