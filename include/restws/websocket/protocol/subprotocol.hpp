#pragma once
// Subprotocol negotiation (RFC 6455 §1.9, §4.2.2), sans-IO: read the client's offers from its
// Sec-WebSocket-Protocol fields, choose the server's answer. upgrade() calls
// negotiate_subprotocol() once per upgrade; the other functions are its parts.
//
// Offers are RFC 9110 tokens, compared exactly (case-sensitive), as the IANA registry's names
// are. Every field is read, and the fields together form one list (RFC 9110 §5.3): empty list
// elements (`a,,b`, a trailing comma, an empty field beside others) are ignored (§5.6.1), but
// the list must hold at least one token (`1#token`) and every element must be a token.
// Duplicates are kept as sent (they change no choice).

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "restws/http/header_fields.hpp"

namespace restws::websocket::protocol {

/// Chooses a subprotocol from the client's offers (in the client's order, never empty):
/// returns one of them, or std::nullopt for none (ws_settings_t::subprotocol_selector).
using subprotocol_selector_t =
    std::function<std::optional<std::string>(std::span<const std::string_view> offered)>;

/// Appends the tokens of one Sec-WebSocket-Protocol field value to `out`, in order; empty
/// elements are skipped. Returns false, appending nothing, if some element is not a token
/// (it holds a separator, a space inside, a quote, a control or non-ASCII byte).
bool parse_subprotocol_list(std::string_view value, std::vector<std::string_view>& out);

/// What a client offered in all its Sec-WebSocket-Protocol fields.
struct subprotocol_offers_t {
  /// The tokens in the client's order: views into `fields`, valid while they are.
  std::vector<std::string_view> offered;
  /// Some element is not a token, or the fields hold no token at all: answer 400.
  bool malformed = false;
};

/// Reads every Sec-WebSocket-Protocol field of a request. No such field: nothing offered, not
/// malformed.
subprotocol_offers_t read_subprotocol_offers(const http::http_header_fields_t& fields);

/// The first of `supported` (the server's preference order) that is among `offered`, compared
/// exactly; std::nullopt if none is. The view is into `supported`.
std::optional<std::string_view> select_subprotocol(
    std::span<const std::string> supported, std::span<const std::string_view> offered) noexcept;

/// What negotiate_subprotocol() decided.
enum class subprotocol_result_t : std::uint8_t {
  none,             ///< 101 without Sec-WebSocket-Protocol (RFC 6455 §4.2.2)
  chosen,           ///< 101 with Sec-WebSocket-Protocol: chosen
  malformed,        ///< 400: the offers are not a token list
  no_match,         ///< 400: a subprotocol is required and none was agreed
  selector_misuse,  ///< 500: the selector chose something the client did not offer
};

struct subprotocol_decision_t {
  subprotocol_result_t result = subprotocol_result_t::none;
  std::string chosen;  ///< with `chosen`: the answer; with `selector_misuse`: what it returned
};

/// The HTTP status a result answers with: 101 for none and chosen, 400, or 500.
int http_status(subprotocol_result_t result) noexcept;
/// Short English description for log lines, exception messages and the refusal's body.
std::string_view describe(subprotocol_result_t result) noexcept;

/// The whole negotiation over a request's fields:
/// - nothing to negotiate (`supported` empty, no `selector`, not `require`): `none`, and the
///   fields are not read (a server that speaks no subprotocol ignores them, malformed or not);
/// - offers that are not a token list: `malformed`;
/// - the client offered some: `selector` (if set) chooses, and must return one of the offers
///   or std::nullopt (anything else is `selector_misuse`); without one, select_subprotocol();
///   the selector is not called when nothing was offered;
/// - nothing agreed: `no_match` if `require` (also when the client offered nothing), else `none`.
/// An exception from the selector propagates.
subprotocol_decision_t negotiate_subprotocol(const http::http_header_fields_t& fields,
                                             std::span<const std::string> supported,
                                             const subprotocol_selector_t& selector, bool require);

}  // namespace restws::websocket::protocol
