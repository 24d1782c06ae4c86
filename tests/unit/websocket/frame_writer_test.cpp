#include "restws/websocket/protocol/frame_writer.hpp"

#include <gtest/gtest.h>

#include "restws/websocket/protocol/masking.hpp"
#include "test_bytes.hpp"

namespace restws::websocket::protocol {
namespace {

using test::bytes;

TEST(frame_writer, writes_unmasked_server_frame_as_in_rfc6455) {
  EXPECT_EQ(test::server_frame(opcode_t::text_frame, bytes("Hello")),
            bytes({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}));
}

TEST(frame_writer, writes_fragments_with_fin_and_continuation_as_in_rfc6455) {
  EXPECT_EQ(test::server_frame(opcode_t::text_frame, bytes("Hel"), false),
            bytes({0x01, 0x03, 'H', 'e', 'l'}));
  EXPECT_EQ(test::server_frame(opcode_t::continuation_frame, bytes("lo")),
            bytes({0x80, 0x02, 'l', 'o'}));
}

TEST(frame_writer, writes_masked_client_frame_as_in_rfc6455) {
  EXPECT_EQ(test::client_frame(opcode_t::text_frame, "Hello"),
            bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

TEST(frame_writer, writes_16_bit_length_for_256_bytes) {
  const test::bytes_t payload(256, std::byte{0xAB});
  const auto frame = test::server_frame(opcode_t::binary_frame, payload);
  ASSERT_EQ(frame.size(), 4u + 256u);
  EXPECT_EQ(test::bytes_t(frame.begin(), frame.begin() + 4), bytes({0x82, 0x7E, 0x01, 0x00}));
}

TEST(frame_writer, client_frame_payload_unmasks_to_the_original) {
  const auto payload = bytes("a payload longer than eight bytes");
  auto frame = test::client_frame(opcode_t::binary_frame, payload);
  const auto body = std::span{frame}.subspan(6);
  apply_mask(body, test::test_mask);
  EXPECT_EQ(test::bytes_t(body.begin(), body.end()), payload);
}

TEST(frame_writer, returns_zero_and_writes_nothing_if_buffer_too_small) {
  test::bytes_t out(6, std::byte{0xEE});
  EXPECT_EQ(write_server_frame(out, final_frame_flag_t::final_frame, opcode_t::text_frame,
                               bytes("Hello")),
            0u);
  EXPECT_EQ(write_client_frame(out, final_frame_flag_t::final_frame, opcode_t::text_frame,
                               bytes(""), test::test_mask),
            6u);
  test::bytes_t small(5, std::byte{0xEE});
  EXPECT_EQ(write_client_frame(small, final_frame_flag_t::final_frame, opcode_t::text_frame,
                               bytes(""), test::test_mask),
            0u);
  EXPECT_EQ(small, test::bytes_t(5, std::byte{0xEE}));
}

}  // namespace
}  // namespace restws::websocket::protocol
