#pragma once
// The Origin check of a WebSocket upgrade (RFC 6455 §4.2.1 item 8, §10.2), sans-IO: parse the
// Origin a browser sends (RFC 6454 §7), match it against the server's allow-list
// (ws_settings_t::allowed_origins). upgrade() calls check_origin() once per upgrade.
//
// Origins compare as RFC 6454 §5 says of serialized origins: scheme and host case-insensitive,
// the scheme's default port the same as no port (`https://example.com:443` is
// `https://example.com`). Hosts are ASCII, as browsers send them (IDNs in their punycode form).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "restws/http/header_fields.hpp"

namespace restws::websocket::protocol {

/// One serialized origin as a client sent it: views into the value parsed.
struct origin_t {
  /// The opaque origin, `null` (sandboxed frames, file: pages, some redirects); the other
  /// members are then empty.
  bool opaque = false;
  std::string_view scheme;  ///< as sent: compare case-insensitively
  std::string_view host;    ///< as sent: compare case-insensitively; IPv6 with its brackets
  /// The port given, else the scheme's default (http, ws: 80; https, wss: 443); 0 when neither.
  std::uint16_t port = 0;
};

/// Parses a serialized origin: `null`, or scheme "://" host [":" port] and nothing more (no
/// path, not even "/", no user info, no surrounding whitespace). scheme: a letter, then letters,
/// digits, "+", "-", "."; host: labels of letters, digits, "-", "_" joined by single dots, or an
/// IPv6 literal in brackets; port: 1 to 5 digits, 1-65535. std::nullopt for anything else
/// (RFC 6454's list of several origins in one value too). Thread-safe, allocates nothing.
std::optional<origin_t> parse_origin(std::string_view value) noexcept;

/// The same origin (RFC 6454 §5) for tuples: scheme and host case-insensitive, ports equal (a
/// missing port was read as the default one). An opaque origin is the same as no other.
bool same_origin(const origin_t& a, const origin_t& b) noexcept;

/// Checks one allow-list entry (ws_settings_t::allowed_origins): a serialized origin as
/// parse_origin() reads it but not `null`, or a wildcard `scheme://*.domain[:port]`. False for
/// anything else (`https://example.com/` with its path, `*`, `https://a.*.com`, `null`: the
/// opaque origin is shared by every sandboxed frame and file: page, so allowing it would allow
/// them all). Thread-safe, allocates nothing.
bool is_valid_origin_entry(std::string_view entry) noexcept;

/// True if `origin` matches `entry`: the same origin (same_origin()), or for a wildcard
/// `scheme://*.domain[:port]` the same scheme and port and a host ending in `.domain` with at
/// least one label before it (`a.domain`, `a.b.domain`; not `domain`, not `xdomain`). An opaque
/// origin matches no entry; an invalid entry matches nothing. Thread-safe, allocates nothing.
bool origin_matches(std::string_view entry, const origin_t& origin) noexcept;

/// The outcome of check_origin().
enum class origin_check_t : std::uint8_t {
  allowed,
  missing,      ///< 403: no Origin, and one is required
  malformed,    ///< 403: Origin repeated, or not a serialized origin nor `null`
  not_allowed,  ///< 403: an origin the allow-list does not hold
};

/// The HTTP status to answer with: 101 for allowed, else 403.
int http_status(origin_check_t result) noexcept;
/// Short English description for log lines, exception messages and the refusal's body.
std::string_view describe(origin_check_t result) noexcept;

/// Checks a request's Origin against the entries of an allow-list (see origin_matches()). No
/// check at all (`allowed`, fields not read) when `allowed` is empty and `require_origin` is
/// false. Otherwise: no Origin field is `missing` if `require_origin`, else `allowed` (a client
/// that is no browser); more than one, or one that parse_origin() refuses (after trimming OWS),
/// is `malformed`; a well-formed one is `allowed` if an entry matches it, or if the list is
/// empty (require_origin alone: any origin, `null` too), else `not_allowed` (`null` always,
/// with a list). Thread-safe, allocates nothing.
origin_check_t check_origin(const http::http_header_fields_t& fields,
                            std::span<const std::string> allowed, bool require_origin) noexcept;

}  // namespace restws::websocket::protocol
