// One test per rule of RFC 6455 the frame reader enforces, named for the rule, each checking the
// close code the failure maps to. The reader and validator are exercised together, through bytes.

#include <gtest/gtest.h>

#include <string>

#include "restws/websocket/protocol/frame_reader.hpp"
#include "test_reader.hpp"

namespace restws::websocket::protocol {
namespace {

using namespace test;
using ev = std::vector<event_t>;
constexpr auto protocol_error = status_code_t::protocol_error;
constexpr auto invalid_payload = status_code_t::invalid_payload;
constexpr auto message_too_big = status_code_t::message_too_big;

// Sets bits of a built frame's first byte (reserved bits) or replaces its opcode.
bytes_t with_first_byte_bits(bytes_t frame_bytes, int bits) {
  frame_bytes[0] |= static_cast<std::byte>(bits);
  return frame_bytes;
}

validator_settings_t deflate_negotiated() {
  validator_settings_t s;
  s.rsv1_allowed = true;
  return s;
}

// ---- reserved bits -----------------------------------------------------------------------------

TEST(frame_validation, rejects_rsv1_without_negotiated_extension) {
  EXPECT_EQ(receive(with_first_byte_bits(client_frame(opcode_t::text_frame, "x"), 0x40)),
            ev{error(protocol_error)});
}

TEST(frame_validation, rejects_rsv2_and_rsv3) {
  for (const int bit : {0x20, 0x10}) {
    EXPECT_EQ(receive(with_first_byte_bits(client_frame(opcode_t::binary_frame, "x"), bit)),
              ev{error(protocol_error)});
    EXPECT_EQ(receive(with_first_byte_bits(client_frame(opcode_t::binary_frame, "x"), bit),
                      deflate_negotiated()),
              ev{error(protocol_error)});
  }
}

TEST(frame_validation, accepts_rsv1_on_first_frame_when_allowed) {
  const auto stream =
      concat({with_first_byte_bits(client_frame(opcode_t::binary_frame, "a", false), 0x40),
              client_frame(opcode_t::continuation_frame, "b")});
  EXPECT_EQ(receive(stream, deflate_negotiated()), (ev{frame(opcode_t::binary_frame, "a", false),
                                                       frame(opcode_t::continuation_frame, "b")}));
}

TEST(frame_validation, rejects_rsv1_on_continuation_frame_even_when_allowed) {
  const auto stream =
      concat({client_frame(opcode_t::binary_frame, "a", false),
              with_first_byte_bits(client_frame(opcode_t::continuation_frame, "b"), 0x40)});
  EXPECT_EQ(receive(stream, deflate_negotiated()),
            (ev{frame(opcode_t::binary_frame, "a", false), error(protocol_error)}));
}

TEST(frame_validation, rejects_rsv1_on_control_frame_even_when_allowed) {
  EXPECT_EQ(receive(with_first_byte_bits(client_frame(opcode_t::ping_frame, ""), 0x40),
                    deflate_negotiated()),
            ev{error(protocol_error)});
}

TEST(frame_validation, compressed_text_message_is_not_utf8_checked) {
  // Its UTF-8 can only be checked once inflated, by the deflate layer.
  const auto stream =
      with_first_byte_bits(client_frame(opcode_t::text_frame, "\xFF\xFE compressed"), 0x40);
  EXPECT_EQ(receive(stream, deflate_negotiated()),
            ev{frame(opcode_t::text_frame, "\xFF\xFE compressed")});
}

// ---- opcodes and masking -----------------------------------------------------------------------

TEST(frame_validation, rejects_reserved_opcodes) {
  for (const int op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    auto f = client_frame(opcode_t::binary_frame, "x");
    f[0] = static_cast<std::byte>(0x80 | op);
    EXPECT_EQ(receive(f), ev{error(protocol_error)}) << op;
  }
}

TEST(frame_validation, rejects_unmasked_client_frame) {
  EXPECT_EQ(receive(server_frame(opcode_t::text_frame, bytes("Hello"))), ev{error(protocol_error)});
}

TEST(frame_validation, client_role_accepts_unmasked_server_frame) {
  EXPECT_EQ(receive(server_frame(opcode_t::text_frame, bytes("Hello")), client_role()),
            ev{frame(opcode_t::text_frame, "Hello")});
}

TEST(frame_validation, client_role_rejects_masked_server_frame) {
  EXPECT_EQ(receive(client_frame(opcode_t::text_frame, "Hello"), client_role()),
            ev{error(protocol_error)});
}

// ---- control frames ----------------------------------------------------------------------------

TEST(frame_validation, accepts_control_frame_of_125_bytes) {
  const std::string p(125, 'p');
  EXPECT_EQ(receive(client_frame(opcode_t::ping_frame, p)), ev{frame(opcode_t::ping_frame, p)});
}

TEST(frame_validation, rejects_control_frame_over_125_bytes) {
  for (const auto op :
       {opcode_t::ping_frame, opcode_t::pong_frame, opcode_t::connection_close_frame}) {
    auto payload = bytes(std::string(126, 'p'));
    payload[0] = std::byte{0x03};  // a valid close code, so only the length is wrong
    payload[1] = std::byte{0xE8};
    EXPECT_EQ(receive(client_frame(op, payload)), ev{error(protocol_error)}) << to_string(op);
  }
}

TEST(frame_validation, rejects_control_frame_over_125_bytes_from_its_header) {
  // Fails before the payload arrives: a 16-bit length on a ping is enough.
  EXPECT_EQ(receive(bytes({0x89, 0xFE, 0x00, 0x7E, 1, 2, 3, 4})), ev{error(protocol_error)});
}

TEST(frame_validation, rejects_fragmented_control_frame) {
  for (const auto op :
       {opcode_t::ping_frame, opcode_t::pong_frame, opcode_t::connection_close_frame})
    EXPECT_EQ(receive(client_frame(op, "", false)), ev{error(protocol_error)}) << to_string(op);
}

// ---- fragmentation ---------------------------------------------------------------------------

TEST(frame_validation, rejects_continuation_without_a_started_message) {
  EXPECT_EQ(receive(client_frame(opcode_t::continuation_frame, "x")), ev{error(protocol_error)});
}

TEST(frame_validation, rejects_continuation_after_a_finished_message) {
  const auto stream = concat(
      {client_frame(opcode_t::text_frame, "a"), client_frame(opcode_t::continuation_frame, "b")});
  EXPECT_EQ(receive(stream), (ev{frame(opcode_t::text_frame, "a"), error(protocol_error)}));
}

TEST(frame_validation, rejects_new_data_frame_while_a_message_is_open) {
  for (const auto op : {opcode_t::text_frame, opcode_t::binary_frame}) {
    const auto stream =
        concat({client_frame(opcode_t::binary_frame, "a", false), client_frame(op, "b")});
    EXPECT_EQ(receive(stream),
              (ev{frame(opcode_t::binary_frame, "a", false), error(protocol_error)}))
        << to_string(op);
  }
}

// ---- close frames ------------------------------------------------------------------------------

TEST(frame_validation, accepts_close_without_payload) {
  EXPECT_EQ(receive(close_frame({})), ev{frame(opcode_t::connection_close_frame, "")});
}

TEST(frame_validation, accepts_close_with_code_and_utf8_reason) {
  EXPECT_EQ(receive(close_frame({0x0F, 0xA0, 0xC3, 0xA9, 't', 0xC3, 0xA9})),
            ev{frame(opcode_t::connection_close_frame, "\x0F\xA0\xC3\xA9t\xC3\xA9")});
}

TEST(frame_validation, rejects_close_payload_of_one_byte) {
  EXPECT_EQ(receive(close_frame({0x03})), ev{error(protocol_error)});
}

TEST(frame_validation, rejects_close_codes_not_allowed_on_the_wire) {
  for (int code = 0; code < 65536; code += (code < 5100 ? 1 : 251)) {
    const auto stream = close_frame({code >> 8, code & 0xFF});
    const auto expected = is_valid_on_wire(static_cast<std::uint16_t>(code))
                              ? ev{frame(opcode_t::connection_close_frame,
                                         std::string{as_text(bytes({code >> 8, code & 0xFF}))})}
                              : ev{error(protocol_error)};
    ASSERT_EQ(receive(stream), expected) << code;
  }
}

TEST(frame_validation, rejects_invalid_utf8_in_close_reason) {
  EXPECT_EQ(receive(close_frame({0x03, 0xE8, 'o', 'k', 0xC0, 0xAF})), ev{error(invalid_payload)});
}

TEST(frame_validation, rejects_close_reason_ending_inside_a_utf8_sequence) {
  EXPECT_EQ(receive(close_frame({0x03, 0xE8, 0xE2, 0x82})), ev{error(invalid_payload)});
}

TEST(frame_validation, checks_close_code_split_across_pieces) {
  frame_validator_t v;
  frame_header_t h;
  h.opcode = opcode_t::connection_close_frame;
  h.masked = true;
  h.payload_length = 2;
  ASSERT_FALSE(v.begin_frame(h));
  ASSERT_FALSE(v.payload(bytes({0x03})));
  const auto r = v.payload(bytes({0xED}));  // 1005: never on the wire
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, protocol_error);
}

// ---- UTF-8 in text messages --------------------------------------------------------------------

TEST(frame_validation, rejects_invalid_utf8_in_text_message) {
  EXPECT_EQ(receive(client_frame(opcode_t::text_frame, "ab\xC0\xAF")), ev{error(invalid_payload)});
}

TEST(frame_validation, accepts_code_point_split_across_fragments) {
  const auto stream = concat({client_frame(opcode_t::text_frame, "\xF0\x9F", false),
                              client_frame(opcode_t::continuation_frame, "\x98", false),
                              client_frame(opcode_t::continuation_frame, "\x80")});
  EXPECT_EQ(receive(stream).size(), 3u);
  EXPECT_EQ(receive(stream).back(), frame(opcode_t::continuation_frame, "\x80"));
}

TEST(frame_validation, rejects_invalid_utf8_across_fragments) {
  // Each fragment alone could be valid; together they are a surrogate.
  const auto stream = concat({client_frame(opcode_t::text_frame, "ok\xED", false),
                              client_frame(opcode_t::continuation_frame, "\xA0\x80")});
  EXPECT_EQ(receive(stream),
            (ev{frame(opcode_t::text_frame, "ok\xED", false), error(invalid_payload)}));
}

TEST(frame_validation, rejects_text_message_ending_inside_a_utf8_sequence) {
  const auto stream = concat({client_frame(opcode_t::text_frame, "ok\xE2", false),
                              client_frame(opcode_t::continuation_frame, "\x82")});
  EXPECT_EQ(receive(stream),
            (ev{frame(opcode_t::text_frame, "ok\xE2", false), error(invalid_payload)}));
}

TEST(frame_validation, fails_fast_on_invalid_utf8_before_the_frame_is_complete) {
  // A 1000-byte text frame whose 5th payload byte is invalid: only 11 bytes have arrived.
  auto stream = client_frame(opcode_t::text_frame, "abcd\xFF" + std::string(995, 'x'));
  frame_reader_t reader;
  EXPECT_EQ(reader.parse(std::span{stream}.first(8 + 4)).status, read_status_t::need_more);
  const auto r = reader.parse(std::span{stream}.first(8 + 5));
  ASSERT_EQ(r.status, read_status_t::error);
  EXPECT_EQ(r.error.code, invalid_payload);
}

TEST(frame_validation, fails_fast_on_invalid_utf8_in_a_continuation_frame) {
  auto first = client_frame(opcode_t::text_frame, "abc\xE2", false);
  auto second = client_frame(opcode_t::continuation_frame, "\x82\x28" + std::string(500, 'x'));
  frame_reader_t reader;
  ASSERT_EQ(reader.parse(first).status, read_status_t::frame_ready);
  const auto r = reader.parse(std::span{second}.first(8 + 2));  // header + 2 payload bytes
  ASSERT_EQ(r.status, read_status_t::error);
  EXPECT_EQ(r.error.code, invalid_payload);
}

TEST(frame_validation, binary_message_is_not_utf8_checked) {
  EXPECT_EQ(receive(client_frame(opcode_t::binary_frame, "\xFF\xC0")),
            ev{frame(opcode_t::binary_frame, "\xFF\xC0")});
}

TEST(frame_validation, ping_payload_is_not_utf8_checked) {
  EXPECT_EQ(receive(client_frame(opcode_t::ping_frame, "\xFF")),
            ev{frame(opcode_t::ping_frame, "\xFF")});
}

// ---- size limits -------------------------------------------------------------------------------

validator_settings_t limits(std::uint64_t frame, std::uint64_t message) {
  validator_settings_t s;
  s.max_frame_size = frame;
  s.max_message_size = message;
  return s;
}

TEST(frame_validation, default_limits_are_16_mib) {
  const validator_settings_t s;
  EXPECT_EQ(s.max_frame_size, 16u * 1024 * 1024);
  EXPECT_EQ(s.max_message_size, 16u * 1024 * 1024);
}

TEST(frame_validation, accepts_frame_at_the_frame_size_limit) {
  EXPECT_EQ(receive(client_frame(opcode_t::binary_frame, std::string(100, 'x')), limits(100, 1000)),
            ev{frame(opcode_t::binary_frame, std::string(100, 'x'))});
}

TEST(frame_validation, rejects_frame_over_max_frame_size) {
  EXPECT_EQ(receive(client_frame(opcode_t::binary_frame, std::string(101, 'x')), limits(100, 1000)),
            ev{error(message_too_big)});
}

TEST(frame_validation, applies_max_frame_size_to_control_frames) {
  EXPECT_EQ(receive(client_frame(opcode_t::ping_frame, std::string(11, 'p')), limits(10, 1000)),
            ev{error(message_too_big)});
}

TEST(frame_validation, rejects_oversized_frame_from_its_header_alone) {
  // Header of a masked binary frame announcing 2^62 bytes: no payload needs to arrive.
  const auto header = bytes({0x82, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
  EXPECT_EQ(receive(header), ev{error(message_too_big)});
}

TEST(frame_validation, rejects_message_over_max_message_size) {
  const auto stream = concat({client_frame(opcode_t::text_frame, std::string(60, 'a'), false),
                              client_frame(opcode_t::continuation_frame, std::string(60, 'b'))});
  EXPECT_EQ(receive(stream, limits(100, 100)),
            (ev{frame(opcode_t::text_frame, std::string(60, 'a'), false), error(message_too_big)}));
}

TEST(frame_validation, message_size_counts_from_each_new_message) {
  const auto stream = concat({client_frame(opcode_t::text_frame, std::string(60, 'a')),
                              client_frame(opcode_t::text_frame, std::string(60, 'b'))});
  EXPECT_EQ(receive(stream, limits(100, 100)).size(), 2u);
  EXPECT_EQ(receive(stream, limits(100, 100)).back().status, read_status_t::frame_ready);
}

TEST(frame_validation, rejects_64_bit_length_with_top_bit_set) {
  const auto header = bytes({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
  EXPECT_EQ(receive(header, limits(~0ULL, ~0ULL)), ev{error(protocol_error)});
}

}  // namespace
}  // namespace restws::websocket::protocol
