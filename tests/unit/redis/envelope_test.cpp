// The envelope a node puts on a Redis channel (src/redis/envelope.hpp): what goes in comes out,
// and anything that is not exactly an envelope is refused.

#include "redis/envelope.hpp"

#include <gtest/gtest.h>

#include <string>

namespace restws::pubsub::redis_detail {
namespace {

TEST(redis_envelope, carries_node_opcode_and_payload_through) {
  const std::string payload = std::string{"hello\0world", 11} + "\xff\x00\x01";
  const auto bytes = encode_envelope(0x0123456789abcdefULL, opcode_t::binary_frame, payload);
  EXPECT_EQ(bytes.size(), envelope_header_size + payload.size());
  const auto e = parse_envelope(bytes);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->node, 0x0123456789abcdefULL);
  EXPECT_EQ(e->opcode, opcode_t::binary_frame);
  EXPECT_EQ(e->payload, payload);
}

TEST(redis_envelope, an_empty_text_message_is_the_header_alone) {
  const auto bytes = encode_envelope(7, opcode_t::text_frame, "");
  ASSERT_EQ(bytes.size(), envelope_header_size);
  const auto e = parse_envelope(bytes);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->node, 7u);
  EXPECT_EQ(e->opcode, opcode_t::text_frame);
  EXPECT_TRUE(e->payload.empty());
}

TEST(redis_envelope, node_ids_that_differ_in_any_byte_stay_apart) {
  for (int shift = 0; shift < 64; shift += 8) {
    const std::uint64_t node = std::uint64_t{0x5a} << shift;
    const auto e = parse_envelope(encode_envelope(node, opcode_t::text_frame, "x"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->node, node) << shift;
  }
}

TEST(redis_envelope, refuses_what_is_not_an_envelope) {
  const auto good = encode_envelope(1, opcode_t::text_frame, "payload");
  std::string wrong_magic = good;
  wrong_magic[0] = 'R';
  std::string wrong_version = good;
  wrong_version[2] = 0x02;
  const struct {
    const char* name;
    std::string bytes;
  } cases[] = {
      {"empty", ""},
      {"a plain text message", "hello from redis-cli"},
      {"a header cut short", good.substr(0, envelope_header_size - 1)},
      {"wrong magic", wrong_magic},
      {"unknown version", wrong_version},
  };
  for (const auto& c : cases) EXPECT_FALSE(parse_envelope(c.bytes)) << c.name;
}

TEST(redis_envelope, refuses_every_opcode_but_text_and_binary) {
  for (int op = 0; op < 256; ++op) {
    std::string bytes = encode_envelope(1, opcode_t::text_frame, "p");
    bytes[11] = static_cast<char>(op);
    EXPECT_EQ(parse_envelope(bytes).has_value(), op == 1 || op == 2) << op;
  }
}

}  // namespace
}  // namespace restws::pubsub::redis_detail
