#pragma once
// What a node puts on a Redis channel: who published (node id), the message's opcode, its payload.
// Binary, fixed 12-byte header, so that a receiver can skip its own messages without looking at
// the payload and a payload needs no escaping:
//
//   "rw" 0x01 | node id (8 bytes, big-endian) | opcode (0x01 text, 0x02 binary) | payload
//
// Parsed strictly: anything else on the channel (another program, another version) is refused,
// never delivered to WebSocket receivers as if it were a message.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "restws/websocket/protocol/opcode.hpp"

namespace restws::pubsub::redis_detail {

using websocket::protocol::opcode_t;

inline constexpr std::size_t envelope_header_size = 12;

struct envelope_t {
  std::uint64_t node = 0;
  opcode_t opcode = opcode_t::text_frame;
  std::string_view payload;  ///< points into the parsed bytes
};

/// The envelope of a message. `opcode` must be text or binary (the hub checked it).
std::string encode_envelope(std::uint64_t node, opcode_t opcode, std::string_view payload);

/// The envelope in `bytes`, or nullopt if they are not one (too short, wrong magic or version,
/// an opcode other than text or binary).
std::optional<envelope_t> parse_envelope(std::string_view bytes);

}  // namespace restws::pubsub::redis_detail
