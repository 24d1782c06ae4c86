#include "restws/websocket/protocol/frame_header.hpp"

namespace restws::websocket::protocol {
namespace {

constexpr std::uint8_t u8(std::byte b) noexcept { return static_cast<std::uint8_t>(b); }

std::uint64_t read_big_endian(std::span<const std::byte> bytes) noexcept {
  std::uint64_t value = 0;
  for (const std::byte b : bytes) value = (value << 8) | u8(b);
  return value;
}

}  // namespace

header_parse_result_t parse_frame_header(std::span<const std::byte> bytes) noexcept {
  header_parse_result_t result;
  if (bytes.size() < 2) return result;  // need_more, header_size 2

  const std::uint8_t b0 = u8(bytes[0]);
  const std::uint8_t b1 = u8(bytes[1]);
  frame_header_t& h = result.header;
  h.fin = (b0 & 0x80) != 0;
  h.rsv1 = (b0 & 0x40) != 0;
  h.rsv2 = (b0 & 0x20) != 0;
  h.rsv3 = (b0 & 0x10) != 0;
  h.opcode = opcode_from_bits(b0 & 0x0F);
  h.masked = (b1 & 0x80) != 0;

  const std::uint8_t len7 = b1 & 0x7F;
  const std::size_t length_bytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  const std::size_t size = 2 + length_bytes + (h.masked ? 4 : 0);
  result.header_size = size;
  if (bytes.size() < size) return result;  // need_more, exact size known

  if (length_bytes == 0) {
    h.payload_length = len7;
  } else {
    h.payload_length = read_big_endian(bytes.subspan(2, length_bytes));
    if (h.payload_length >> 63) {
      result.status = header_parse_status_t::bad_length;
      return result;
    }
  }
  if (h.masked)
    for (std::size_t i = 0; i < 4; ++i) h.mask_key[i] = bytes[2 + length_bytes + i];
  result.status = header_parse_status_t::complete;
  return result;
}

std::size_t write_frame_header(std::span<std::byte, max_frame_header_size> out,
                               const frame_header_t& h) noexcept {
  std::uint8_t b0 = static_cast<std::uint8_t>(h.opcode) & 0x0F;
  if (h.fin) b0 |= 0x80;
  if (h.rsv1) b0 |= 0x40;
  if (h.rsv2) b0 |= 0x20;
  if (h.rsv3) b0 |= 0x10;
  const std::uint8_t mask_bit = h.masked ? 0x80 : 0x00;
  out[0] = std::byte{b0};

  std::size_t pos = 2;
  const std::uint64_t len = h.payload_length;
  if (len < 126) {
    out[1] = std::byte{static_cast<std::uint8_t>(mask_bit | len)};
  } else {
    const std::size_t length_bytes = len <= 0xFFFF ? 2 : 8;
    out[1] = std::byte{static_cast<std::uint8_t>(mask_bit | (length_bytes == 2 ? 126 : 127))};
    for (std::size_t i = 0; i < length_bytes; ++i)
      out[pos + i] = std::byte{static_cast<std::uint8_t>(len >> (8 * (length_bytes - 1 - i)))};
    pos += length_bytes;
  }
  if (h.masked) {
    for (std::size_t i = 0; i < 4; ++i) out[pos + i] = h.mask_key[i];
    pos += 4;
  }
  return pos;
}

}  // namespace restws::websocket::protocol
