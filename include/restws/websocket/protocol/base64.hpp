#pragma once
// Base64 (RFC 4648 §4, standard alphabet, with padding) for the opening handshake: the
// Sec-WebSocket-Key check and the Sec-WebSocket-Accept value.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace restws::websocket::protocol {

/// Encodes `data` with '=' padding. Thread-safe (pure).
std::string base64_encode(std::span<const std::byte> data);

/// Decodes strict base64: length a multiple of 4, only the standard alphabet, '=' only as the
/// last one or two characters, no whitespace. Returns nullopt on any deviation. Thread-safe.
std::optional<std::string> base64_decode(std::string_view text);

/// The length base64_decode(text) would return, or nullopt if it would fail; no allocation.
std::optional<std::size_t> base64_decoded_size(std::string_view text) noexcept;

}  // namespace restws::websocket::protocol
