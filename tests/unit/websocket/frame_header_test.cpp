#include "restws/websocket/protocol/frame_header.hpp"

#include <gtest/gtest.h>

#include "test_bytes.hpp"

namespace restws::websocket::protocol {
namespace {

using test::bytes;

TEST(frame_header, parses_7_bit_length) {
  // RFC 6455 §5.7: a single-frame unmasked text message "Hello".
  const auto frame = bytes({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'});
  const auto r = parse_frame_header(frame);
  ASSERT_EQ(r.status, header_parse_status_t::complete);
  EXPECT_EQ(r.header_size, 2u);
  EXPECT_TRUE(r.header.fin);
  EXPECT_EQ(r.header.opcode, opcode_t::text_frame);
  EXPECT_FALSE(r.header.masked);
  EXPECT_EQ(r.header.payload_length, 5u);
}

TEST(frame_header, parses_16_bit_length) {
  // RFC 6455 §5.7: 256 bytes binary message in a single unmasked frame.
  const auto r = parse_frame_header(bytes({0x82, 0x7E, 0x01, 0x00}));
  ASSERT_EQ(r.status, header_parse_status_t::complete);
  EXPECT_EQ(r.header_size, 4u);
  EXPECT_EQ(r.header.opcode, opcode_t::binary_frame);
  EXPECT_EQ(r.header.payload_length, 256u);
}

TEST(frame_header, parses_64_bit_length) {
  // RFC 6455 §5.7: 64 KiB binary message in a single unmasked frame.
  const auto r = parse_frame_header(bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}));
  ASSERT_EQ(r.status, header_parse_status_t::complete);
  EXPECT_EQ(r.header_size, 10u);
  EXPECT_EQ(r.header.payload_length, 65536u);
}

TEST(frame_header, parses_largest_allowed_64_bit_length) {
  const auto r =
      parse_frame_header(bytes({0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  ASSERT_EQ(r.status, header_parse_status_t::complete);
  EXPECT_EQ(r.header.payload_length, 0x7FFF'FFFF'FFFF'FFFFULL);
}

TEST(frame_header, accepts_non_minimal_16_bit_length) {
  const auto r = parse_frame_header(bytes({0x81, 0x7E, 0x00, 0x05}));
  ASSERT_EQ(r.status, header_parse_status_t::complete);
  EXPECT_EQ(r.header.payload_length, 5u);
  EXPECT_EQ(r.header_size, 4u);
}

TEST(frame_header, accepts_non_minimal_64_bit_length) {
  const auto r = parse_frame_header(bytes({0x81, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0x05}));
  ASSERT_EQ(r.status, header_parse_status_t::complete);
  EXPECT_EQ(r.header.payload_length, 5u);
  EXPECT_EQ(r.header_size, 10u);
}

TEST(frame_header, rejects_64_bit_length_with_top_bit_set) {
  const auto r = parse_frame_header(bytes({0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(r.status, header_parse_status_t::bad_length);
}

TEST(frame_header, reads_mask_key) {
  // RFC 6455 §5.7: a single-frame masked text message "Hello".
  const auto r =
      parse_frame_header(bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  ASSERT_EQ(r.status, header_parse_status_t::complete);
  EXPECT_EQ(r.header_size, 6u);
  EXPECT_TRUE(r.header.masked);
  EXPECT_EQ(r.header.mask_key, test::test_mask);
  EXPECT_EQ(r.header.payload_length, 5u);
}

TEST(frame_header, reports_need_more_with_the_header_size_known_so_far) {
  struct case_t {
    test::bytes_t prefix;
    std::size_t needed;
  };
  const case_t cases[] = {
      {bytes({}), 2},
      {bytes({0x81}), 2},
      {bytes({0x81, 0x85}), 6},            // 7-bit length + mask
      {bytes({0x81, 0xFE, 0x01}), 8},      // 16-bit length + mask
      {bytes({0x81, 0x7F, 0, 0, 0}), 10},  // 64-bit length, unmasked
      {bytes({0x81, 0xFF, 0, 0, 0, 0, 0, 0, 1, 0, 1, 2, 3}), 14},
  };
  for (const auto& c : cases) {
    const auto r = parse_frame_header(c.prefix);
    EXPECT_EQ(r.status, header_parse_status_t::need_more) << c.prefix.size();
    EXPECT_EQ(r.header_size, c.needed) << c.prefix.size();
  }
}

TEST(frame_header, parses_fin_and_reserved_bits) {
  const auto r = parse_frame_header(bytes({0x71, 0x00}));
  ASSERT_EQ(r.status, header_parse_status_t::complete);
  EXPECT_FALSE(r.header.fin);
  EXPECT_TRUE(r.header.rsv1);
  EXPECT_TRUE(r.header.rsv2);
  EXPECT_TRUE(r.header.rsv3);
  EXPECT_EQ(r.header.final_flag(), final_frame_flag_t::not_final_frame);
}

TEST(frame_header, maps_each_opcode_value) {
  const opcode_t expected[16] = {
      opcode_t::continuation_frame, opcode_t::text_frame,    opcode_t::binary_frame,
      opcode_t::unknown_frame,      opcode_t::unknown_frame, opcode_t::unknown_frame,
      opcode_t::unknown_frame,      opcode_t::unknown_frame, opcode_t::connection_close_frame,
      opcode_t::ping_frame,         opcode_t::pong_frame,    opcode_t::unknown_frame,
      opcode_t::unknown_frame,      opcode_t::unknown_frame, opcode_t::unknown_frame,
      opcode_t::unknown_frame};
  for (int op = 0; op < 16; ++op) {
    const auto r = parse_frame_header(bytes({0x80 | op, 0x00}));
    ASSERT_EQ(r.status, header_parse_status_t::complete);
    EXPECT_EQ(r.header.opcode, expected[op]) << op;
  }
}

TEST(frame_header, writes_minimal_length_encoding) {
  struct case_t {
    std::uint64_t length;
    std::size_t unmasked_size;
  };
  const case_t cases[] = {{0, 2},     {125, 2},    {126, 4},
                          {65535, 4}, {65536, 10}, {0x7FFF'FFFF'FFFF'FFFFULL, 10}};
  for (const auto& c : cases) {
    for (const bool masked : {false, true}) {
      frame_header_t h;
      h.payload_length = c.length;
      h.masked = masked;
      std::array<std::byte, max_frame_header_size> out{};
      const auto size = write_frame_header(out, h);
      EXPECT_EQ(size, c.unmasked_size + (masked ? 4 : 0)) << c.length;
      EXPECT_EQ(size, frame_header_size(c.length, masked));
    }
  }
}

TEST(frame_header, write_then_parse_round_trips) {
  for (const std::uint64_t length : {0ULL, 1ULL, 125ULL, 126ULL, 65535ULL, 65536ULL, 1ULL << 40}) {
    for (int bits = 0; bits < 64; ++bits) {
      frame_header_t h;
      h.fin = bits & 1;
      h.rsv1 = bits & 2;
      h.rsv2 = bits & 4;
      h.rsv3 = bits & 8;
      h.masked = bits & 16;
      h.opcode = (bits & 32) ? opcode_t::ping_frame : opcode_t::binary_frame;
      h.mask_key = test::test_mask;
      h.payload_length = length;
      std::array<std::byte, max_frame_header_size> out{};
      const auto size = write_frame_header(out, h);
      const auto r = parse_frame_header(std::span{out}.first(size));
      ASSERT_EQ(r.status, header_parse_status_t::complete);
      EXPECT_EQ(r.header_size, size);
      EXPECT_EQ(r.header.fin, h.fin);
      EXPECT_EQ(r.header.rsv1, h.rsv1);
      EXPECT_EQ(r.header.rsv2, h.rsv2);
      EXPECT_EQ(r.header.rsv3, h.rsv3);
      EXPECT_EQ(r.header.masked, h.masked);
      EXPECT_EQ(r.header.opcode, h.opcode);
      EXPECT_EQ(r.header.payload_length, length);
      if (h.masked) {
        EXPECT_EQ(r.header.mask_key, h.mask_key);
      }
    }
  }
}

}  // namespace
}  // namespace restws::websocket::protocol
