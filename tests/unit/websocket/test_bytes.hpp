#pragma once
// Helpers shared by the WebSocket protocol unit tests: byte strings and a masked client-frame
// builder (the client side a browser would be).

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "restws/websocket/protocol/frame_writer.hpp"

namespace restws::websocket::protocol::test {

using bytes_t = std::vector<std::byte>;

inline bytes_t bytes(std::initializer_list<int> values) {
  bytes_t out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

inline bytes_t bytes(std::string_view text) {
  const auto b = std::as_bytes(std::span{text.data(), text.size()});
  return bytes_t(b.begin(), b.end());
}

inline std::string_view as_text(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline bytes_t concat(std::initializer_list<bytes_t> parts) {
  bytes_t out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline constexpr mask_key_t test_mask{std::byte{0x37}, std::byte{0xfa}, std::byte{0x21},
                                      std::byte{0x3d}};

/// A masked frame as a client sends it.
inline bytes_t client_frame(opcode_t op, std::span<const std::byte> payload, bool fin = true,
                            const mask_key_t& key = test_mask) {
  bytes_t out(frame_size(payload.size(), true));
  write_client_frame(out,
                     fin ? final_frame_flag_t::final_frame : final_frame_flag_t::not_final_frame,
                     op, payload, key);
  return out;
}
inline bytes_t client_frame(opcode_t op, std::string_view payload, bool fin = true) {
  return client_frame(op, bytes(payload), fin);
}

/// An unmasked frame as a server sends it.
inline bytes_t server_frame(opcode_t op, std::span<const std::byte> payload, bool fin = true) {
  bytes_t out(frame_size(payload.size(), false));
  write_server_frame(out,
                     fin ? final_frame_flag_t::final_frame : final_frame_flag_t::not_final_frame,
                     op, payload);
  return out;
}

}  // namespace restws::websocket::protocol::test
