#include "restws/websocket/protocol/frame_writer.hpp"

#include <algorithm>

#include "restws/websocket/protocol/masking.hpp"

namespace restws::websocket::protocol {
namespace {

std::size_t write_frame(std::span<std::byte> out, final_frame_flag_t fin, opcode_t opcode,
                        std::span<const std::byte> payload, const mask_key_t* key) noexcept {
  const bool masked = key != nullptr;
  const std::size_t total = frame_size(payload.size(), masked);
  if (out.size() < total) return 0;

  frame_header_t h;
  h.fin = fin == final_frame_flag_t::final_frame;
  h.opcode = opcode;
  h.masked = masked;
  if (masked) h.mask_key = *key;
  h.payload_length = payload.size();
  std::byte header[max_frame_header_size];
  const std::size_t header_size = write_frame_header(header, h);
  std::copy_n(header, header_size, out.begin());

  const auto body = out.subspan(header_size, payload.size());
  std::copy(payload.begin(), payload.end(), body.begin());
  if (masked) apply_mask(body, *key, 0);
  return total;
}

}  // namespace

std::size_t write_server_frame(std::span<std::byte> out, final_frame_flag_t fin, opcode_t opcode,
                               std::span<const std::byte> payload) noexcept {
  return write_frame(out, fin, opcode, payload, nullptr);
}

std::size_t write_client_frame(std::span<std::byte> out, final_frame_flag_t fin, opcode_t opcode,
                               std::span<const std::byte> payload, const mask_key_t& key) noexcept {
  return write_frame(out, fin, opcode, payload, &key);
}

}  // namespace restws::websocket::protocol
