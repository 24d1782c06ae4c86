// The client side of the WebSocket opening handshake (RFC 6455 section 4.1).
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace ws_load {

/// A fresh Sec-WebSocket-Key: base64 of 16 random bytes from `rng`.
std::string make_websocket_key(std::mt19937_64& rng);

/// The Sec-WebSocket-Accept a server must answer to `key`: base64(SHA-1(key + GUID)).
std::string expected_accept(std::string_view key);

/// The upgrade request for `path` on `host:port`, offering `extensions` (a
/// Sec-WebSocket-Extensions value) or, when empty, no extension.
std::string make_upgrade_request(std::string_view host, unsigned port, std::string_view path,
                                 std::string_view key, std::string_view extensions = {});

enum class handshake_status { incomplete, accepted, rejected };

/// Checks the server's answer buffered so far. `accepted` needs "HTTP/1.1 101", Upgrade:
/// websocket and the right Sec-WebSocket-Accept, and no extension unless `extensions` is given
/// (extensions were offered: it gets the answer's Sec-WebSocket-Extensions, fields joined by
/// ", "); then
/// `header_size` is the size of the answer up to and including the blank line (frames may follow).
/// `rejected` also when the header grows past 8 KiB. `reason` says why it was rejected.
handshake_status check_upgrade_response(std::string_view buffered, std::string_view accept,
                                        std::size_t& header_size, std::string& reason,
                                        std::string* extensions = nullptr);

}  // namespace ws_load
