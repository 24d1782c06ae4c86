#pragma once
// permessage-deflate negotiation (RFC 7692 §5, §7.1; extension syntax of RFC 6455 §9.1), sans-IO:
// read the offers in a request's Sec-WebSocket-Extensions fields, choose the first one the
// server's settings can honour, write the response's value; and the client's side: write an
// offer, check the server's answer. upgrade() calls negotiate_deflate() once per upgrade.
//
// Syntax: every Sec-WebSocket-Extensions field is a comma-separated list of extensions, each a
// token followed by `; param` or `; param=value` (value a token or a quoted string whose content
// is a token). A field that breaks that syntax makes the whole request's offers unusable: the
// server declines compression (no extension in the 101), it does not refuse the upgrade.
// Extensions other than permessage-deflate are skipped. A permessage-deflate offer with an
// unknown or repeated parameter, a value where none is allowed, or a window size outside 8–15
// is declined alone; the next offer is tried.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "restws/http/header_fields.hpp"

namespace restws::websocket::protocol {

/// One permessage-deflate offer (or a server's response), as sent. Window bits: 0 = absent,
/// else 8–15.
struct deflate_offer_t {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  std::uint8_t server_max_window_bits = 0;
  /// client_max_window_bits without a value (the client can honour a limit the server sets).
  bool client_max_window_bits_present = false;
  std::uint8_t client_max_window_bits = 0;  ///< its value, when it has one

  friend bool operator==(const deflate_offer_t&, const deflate_offer_t&) = default;
};

/// What a request offered in all its Sec-WebSocket-Extensions fields.
struct deflate_offers_t {
  /// The valid permessage-deflate offers, in the client's order of preference.
  std::vector<deflate_offer_t> offers;
  /// permessage-deflate offers declined for a bad parameter.
  std::size_t invalid = 0;
  /// Some field breaks the extension syntax: nothing is usable (offers is empty).
  bool malformed = false;
};

/// Reads every Sec-WebSocket-Extensions field of a request. No field: nothing offered.
deflate_offers_t read_deflate_offers(const http::http_header_fields_t& fields);

/// Reads the parameters of one permessage-deflate element (`; a; b=1` as parsed into pairs);
/// std::nullopt if one is unknown, repeated, has a value it must not have (or lacks one it
/// must), or a window size outside 8–15.
struct extension_param_t {
  std::string_view name;
  std::string_view value;  ///< unquoted
  bool has_value = false;
};
std::optional<deflate_offer_t> read_deflate_params(const std::vector<extension_param_t>& params);

/// The server's side of the negotiation (from ws_settings_t::deflate).
struct deflate_config_t {
  /// LZ77 window of the server's compressor, 8–15 (a client may ask for less).
  std::uint8_t server_max_window_bits = 15;
  /// The server compresses each message on its own (no memory between messages), even when the
  /// client allows context takeover: less memory per connection, weaker compression.
  bool server_no_context_takeover = false;
  /// Asks the client to compress each message on its own: the server then keeps no
  /// decompressor state between messages.
  bool client_no_context_takeover = false;
  /// Window the server asks the client to use, 8–15, when the client's offer allows a limit
  /// (client_max_window_bits); 15 asks for nothing.
  std::uint8_t client_max_window_bits = 15;
};

/// What both ends use once permessage-deflate is agreed (in the server's words: "server" is the
/// end that accepted the offer).
struct deflate_agreement_t {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  std::uint8_t server_max_window_bits = 15;  ///< the server compresses, the client inflates
  std::uint8_t client_max_window_bits = 15;  ///< the client compresses, the server inflates
  /// The response states server_max_window_bits (the offer had it, or the server lowered it).
  bool state_server_window = false;
  /// The response states client_max_window_bits.
  bool state_client_window = false;

  friend bool operator==(const deflate_agreement_t&, const deflate_agreement_t&) = default;
};

/// The same agreement in the other end's words: what the server's side says of itself is said of
/// the client's, and back (a client's own compressor obeys the client_* parameters).
constexpr deflate_agreement_t swap_roles(const deflate_agreement_t& a) noexcept {
  deflate_agreement_t s = a;
  s.server_no_context_takeover = a.client_no_context_takeover;
  s.client_no_context_takeover = a.server_no_context_takeover;
  s.server_max_window_bits = a.client_max_window_bits;
  s.client_max_window_bits = a.server_max_window_bits;
  s.state_server_window = a.state_client_window;
  s.state_client_window = a.state_server_window;
  return s;
}

/// Accepts one offer under `config`, or std::nullopt if it cannot be honoured. Every valid offer
/// can be: the server can always compress with a window as small as asked and without context
/// takeover; a client window limit is only asked for when the offer allows it.
std::optional<deflate_agreement_t> accept_deflate_offer(const deflate_offer_t& offer,
                                                        const deflate_config_t& config) noexcept;

/// The first offer accept_deflate_offer() accepts, or std::nullopt (decline: no extension).
std::optional<deflate_agreement_t> negotiate_deflate(const deflate_offers_t& offers,
                                                     const deflate_config_t& config) noexcept;

/// The Sec-WebSocket-Extensions value of the 101 response: exactly the accepted parameters,
/// e.g. "permessage-deflate; server_no_context_takeover; client_max_window_bits=10".
std::string deflate_response_value(const deflate_agreement_t& agreed);

// The client's side.

/// The Sec-WebSocket-Extensions value a client sends for `offer`.
std::string deflate_offer_value(const deflate_offer_t& offer);

/// Why a server's answer to a client's offer is not acceptable (the client must fail the
/// connection, RFC 7692 §5).
enum class deflate_response_error_t : std::uint8_t {
  none,
  malformed,    ///< the field breaks the extension syntax or a parameter is bad
  not_offered,  ///< an extension other than permessage-deflate, or it twice
  refused,      ///< a parameter the offer did not allow (a window, dropped no_context_takeover)
};

struct deflate_response_t {
  deflate_response_error_t error = deflate_response_error_t::none;
  /// Agreed (no error and the server accepted); std::nullopt: the server declined.
  std::optional<deflate_agreement_t> agreed;
};

/// Checks a 101 response's Sec-WebSocket-Extensions fields against the client's `offer`.
deflate_response_t read_deflate_response(const http::http_header_fields_t& fields,
                                         const deflate_offer_t& offer);

}  // namespace restws::websocket::protocol
