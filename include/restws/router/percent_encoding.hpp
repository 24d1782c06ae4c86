#pragma once
// Percent-encoding (RFC 3986 §2.1) helpers used by the router on request paths.
//
// The router's choice: a path is first *normalised* (RFC 3986 §6.2.2.2: %XX encoding an
// unreserved character -- ALPHA, DIGIT, '-', '.', '_', '~' -- is decoded, every other %XX is
// kept), routes are matched against the normalised path (so "/%75sers" matches "/users" but
// "/a%2Fb" stays one segment), then each parameter value is fully decoded ("a%2Fb" -> "a/b").
// A '%' not followed by two hex digits makes the path invalid (the router answers 400).

#include <string>
#include <string_view>

namespace restws::router {

/// Appends `path` to `out` with percent-encoded unreserved characters decoded. Returns false
/// (leaving `out` partly written) on a malformed %-sequence. Pure, thread-safe.
bool normalize_percent_encoding(std::string_view path, std::string& out);

/// Appends `text` to `out` with every %XX decoded (the result may hold any byte, '/' included;
/// '+' is left as is). Returns false on a malformed %-sequence. Pure, thread-safe.
bool decode_percent_encoding(std::string_view text, std::string& out);

}  // namespace restws::router
