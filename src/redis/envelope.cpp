#include "redis/envelope.hpp"

namespace restws::pubsub::redis_detail {

namespace {
constexpr char magic0 = 'r';
constexpr char magic1 = 'w';
constexpr char version = 0x01;
}  // namespace

std::string encode_envelope(std::uint64_t node, opcode_t opcode, std::string_view payload) {
  std::string out;
  out.resize(envelope_header_size + payload.size());
  out[0] = magic0;
  out[1] = magic1;
  out[2] = version;
  for (int i = 0; i < 8; ++i) out[3 + i] = static_cast<char>((node >> (56 - 8 * i)) & 0xFF);
  out[11] = static_cast<char>(opcode);
  if (!payload.empty()) out.replace(envelope_header_size, payload.size(), payload);
  return out;
}

std::optional<envelope_t> parse_envelope(std::string_view bytes) {
  if (bytes.size() < envelope_header_size) return std::nullopt;
  if (bytes[0] != magic0 || bytes[1] != magic1 || bytes[2] != version) return std::nullopt;
  const auto op = static_cast<opcode_t>(static_cast<unsigned char>(bytes[11]));
  if (op != opcode_t::text_frame && op != opcode_t::binary_frame) return std::nullopt;
  envelope_t e;
  for (int i = 0; i < 8; ++i) e.node = (e.node << 8) | static_cast<unsigned char>(bytes[3 + i]);
  e.opcode = op;
  e.payload = bytes.substr(envelope_header_size);
  return e;
}

}  // namespace restws::pubsub::redis_detail
