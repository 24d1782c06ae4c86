#include "restws/websocket/protocol/subprotocol.hpp"

#include <algorithm>

#include "../../http/http_syntax.hpp"

namespace restws::websocket::protocol {

bool parse_subprotocol_list(std::string_view value, std::vector<std::string_view>& out) {
  const std::size_t first = out.size();
  for (;;) {
    const std::size_t comma = value.find(',');
    const std::string_view element = http::detail::trim_ows(value.substr(0, comma));
    if (!element.empty()) {
      if (!http::detail::is_token(element)) {
        out.resize(first);
        return false;
      }
      out.push_back(element);
    }
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

subprotocol_offers_t read_subprotocol_offers(const http::http_header_fields_t& fields) {
  subprotocol_offers_t offers;
  bool present = false;
  fields.for_each_value_of("Sec-WebSocket-Protocol", [&](std::string_view value) {
    present = true;
    if (!offers.malformed && !parse_subprotocol_list(value, offers.offered))
      offers.malformed = true;
  });
  // The fields form one list of 1#token: present, it holds a token (RFC 6455 §4.1).
  if (present && offers.offered.empty()) offers.malformed = true;
  if (offers.malformed) offers.offered.clear();
  return offers;
}

std::optional<std::string_view> select_subprotocol(
    std::span<const std::string> supported, std::span<const std::string_view> offered) noexcept {
  for (const auto& s : supported)
    if (std::find(offered.begin(), offered.end(), std::string_view{s}) != offered.end()) return s;
  return std::nullopt;
}

int http_status(subprotocol_result_t result) noexcept {
  switch (result) {
    case subprotocol_result_t::none:
    case subprotocol_result_t::chosen:
      return 101;
    case subprotocol_result_t::selector_misuse:
      return 500;
    default:
      return 400;
  }
}

std::string_view describe(subprotocol_result_t result) noexcept {
  switch (result) {
    case subprotocol_result_t::none:
      return "no subprotocol";
    case subprotocol_result_t::chosen:
      return "subprotocol agreed";
    case subprotocol_result_t::malformed:
      return "Sec-WebSocket-Protocol is not a list of tokens";
    case subprotocol_result_t::no_match:
      return "no offered subprotocol is supported";
    case subprotocol_result_t::selector_misuse:
      return "subprotocol_selector chose a subprotocol the client did not offer";
  }
  return "unknown subprotocol result";
}

subprotocol_decision_t negotiate_subprotocol(const http::http_header_fields_t& fields,
                                             std::span<const std::string> supported,
                                             const subprotocol_selector_t& selector, bool require) {
  subprotocol_decision_t d;
  if (supported.empty() && !selector && !require) return d;
  const subprotocol_offers_t offers = read_subprotocol_offers(fields);
  if (offers.malformed) {
    d.result = subprotocol_result_t::malformed;
    return d;
  }
  if (!offers.offered.empty()) {
    if (selector) {
      std::optional<std::string> pick = selector(offers.offered);
      if (pick) {
        const bool offered = std::find(offers.offered.begin(), offers.offered.end(),
                                       std::string_view{*pick}) != offers.offered.end();
        d.result = offered ? subprotocol_result_t::chosen : subprotocol_result_t::selector_misuse;
        d.chosen = std::move(*pick);
        return d;
      }
    } else if (const auto pick = select_subprotocol(supported, offers.offered)) {
      d.result = subprotocol_result_t::chosen;
      d.chosen = std::string{*pick};
      return d;
    }
  }
  if (require) d.result = subprotocol_result_t::no_match;
  return d;
}

}  // namespace restws::websocket::protocol
