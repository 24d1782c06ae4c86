#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <vector>

#include "frame.hpp"

namespace ws_load {
namespace {

using bytes = std::vector<unsigned char>;

constexpr std::array<unsigned char, 4> mask{0x11, 0x22, 0x33, 0x44};

// A server frame (unmasked) carrying `payload`.
bytes server_frame(unsigned char first_byte, std::span<const unsigned char> payload) {
  bytes frame{first_byte};
  if (payload.size() < 126) {
    frame.push_back(static_cast<unsigned char>(payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    frame.push_back(126);
    frame.push_back(static_cast<unsigned char>(payload.size() >> 8));
    frame.push_back(static_cast<unsigned char>(payload.size()));
  } else {
    frame.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame.push_back(static_cast<unsigned char>(std::uint64_t{payload.size()} >> shift));
    }
  }
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

bytes echo_of(const outgoing_message& message) { return server_frame(0x82, message.payload()); }

// Feeds `input` to `reader` in pieces of `chunk` bytes; returns the last status.
echo_reader::status feed(echo_reader& reader, const bytes& input,
                         std::span<const unsigned char> expected, std::size_t chunk) {
  auto status = echo_reader::status::need_more;
  std::size_t pos = 0;
  while (pos < input.size()) {
    const std::size_t piece = std::min(chunk, input.size() - pos);
    std::size_t used = 0;
    status = reader.consume({input.data() + pos, piece}, expected, used);
    pos += used;
    if (status != echo_reader::status::need_more) break;
  }
  return status;
}

TEST(ws_load_frame, encodes_masked_binary_frames_with_each_length_form) {
  for (const std::size_t size : {0u, 125u, 126u, 65535u, 65536u}) {
    const outgoing_message message(size, mask, 7);
    const auto frame = message.frame();
    const std::size_t header = size < 126 ? 6 : size <= 65535 ? 8 : 14;
    ASSERT_EQ(frame.size(), header + size) << size;
    EXPECT_EQ(frame[0], 0x82);
    EXPECT_EQ(frame[1] & 0x80, 0x80);
    for (std::size_t i = 0; i < size; ++i) {
      ASSERT_EQ(frame[header + i] ^ mask[i % 4], message.payload()[i]) << size << " at " << i;
    }
  }
}

TEST(ws_load_frame, sequence_number_changes_payload_and_frame_alike) {
  outgoing_message message(20, mask, 3);
  message.set_sequence(1);
  const bytes first(message.payload().begin(), message.payload().end());
  message.set_sequence(2);
  EXPECT_NE(bytes(message.payload().begin(), message.payload().end()), first);
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(message.frame()[6 + i] ^ mask[i % 4], message.payload()[i]);
  }
}

TEST(ws_load_frame, close_frame_is_masked_1000) {
  const auto frame = client_close_frame(mask);
  EXPECT_EQ(frame[0], 0x88);
  EXPECT_EQ(frame[1], 0x82);
  EXPECT_EQ(frame[6] ^ mask[0], 0x03);
  EXPECT_EQ(frame[7] ^ mask[1], 0xE8);
}

TEST(ws_load_frame, accepts_exact_echo_split_at_any_point) {
  outgoing_message message(300, mask, 5);
  message.set_sequence(9);
  const bytes echo = echo_of(message);
  for (const std::size_t chunk : {1u, 2u, 3u, 7u, 64u, 1000u}) {
    echo_reader reader;
    ASSERT_EQ(feed(reader, echo, message.payload(), chunk), echo_reader::status::message_done);
    EXPECT_TRUE(reader.last_matched()) << chunk;
  }
}

TEST(ws_load_frame, accepts_fragmented_echo_with_a_ping_between) {
  outgoing_message message(10, mask, 5);
  const auto p = message.payload();
  bytes input = server_frame(0x02, p.subspan(0, 4));
  const bytes ping = server_frame(0x89, bytes{'h', 'i'});
  const bytes rest = server_frame(0x80, p.subspan(4));
  input.insert(input.end(), ping.begin(), ping.end());
  input.insert(input.end(), rest.begin(), rest.end());
  echo_reader reader;
  ASSERT_EQ(feed(reader, input, p, 1), echo_reader::status::message_done);
  EXPECT_TRUE(reader.last_matched());
}

TEST(ws_load_frame, counts_one_changed_byte_as_mismatch) {
  outgoing_message message(64, mask, 5);
  bytes echo = echo_of(message);
  echo.back() ^= 1;
  echo_reader reader;
  ASSERT_EQ(feed(reader, echo, message.payload(), 1000), echo_reader::status::message_done);
  EXPECT_FALSE(reader.last_matched());
}

TEST(ws_load_frame, counts_echo_of_older_message_as_mismatch) {
  outgoing_message message(64, mask, 5);
  message.set_sequence(1);
  const bytes old_echo = echo_of(message);
  message.set_sequence(2);
  echo_reader reader;
  ASSERT_EQ(feed(reader, old_echo, message.payload(), 1000), echo_reader::status::message_done);
  EXPECT_FALSE(reader.last_matched());
}

TEST(ws_load_frame, counts_short_long_and_text_echoes_as_mismatch) {
  const outgoing_message message(32, mask, 5);
  const auto p = message.payload();
  bytes longer(p.begin(), p.end());
  longer.push_back(0);
  for (const bytes& echo :
       {server_frame(0x82, p.subspan(0, 31)), server_frame(0x82, longer), server_frame(0x81, p)}) {
    echo_reader reader;
    ASSERT_EQ(feed(reader, echo, p, 1000), echo_reader::status::message_done);
    EXPECT_FALSE(reader.last_matched());
  }
}

TEST(ws_load_frame, rejects_masked_rsv_and_unexpected_frames) {
  const outgoing_message message(4, mask, 5);
  const auto p = message.payload();
  bytes masked = server_frame(0x82, p);
  masked[1] |= 0x80;
  const bytes cases[] = {masked, server_frame(0xC2, p), server_frame(0x80, p),
                         server_frame(0x83, p), server_frame(0x09, bytes{})};
  for (const bytes& input : cases) {
    echo_reader reader;
    EXPECT_EQ(feed(reader, input, p, 1000), echo_reader::status::protocol_error);
  }
}

TEST(ws_load_frame, reports_close_frame_from_server) {
  const outgoing_message message(4, mask, 5);
  echo_reader reader;
  EXPECT_EQ(feed(reader, server_frame(0x88, bytes{0x03, 0xE8}), message.payload(), 1000),
            echo_reader::status::closed_by_server);
}

TEST(ws_load_frame, reads_consecutive_messages_from_one_buffer) {
  outgoing_message message(16, mask, 5);
  bytes input = echo_of(message);
  const bytes second = echo_of(message);
  input.insert(input.end(), second.begin(), second.end());
  echo_reader reader;
  std::size_t used = 0;
  ASSERT_EQ(reader.consume(input, message.payload(), used), echo_reader::status::message_done);
  EXPECT_EQ(used, second.size());
  ASSERT_EQ(reader.consume(std::span(input).subspan(used), message.payload(), used),
            echo_reader::status::message_done);
  EXPECT_TRUE(reader.last_matched());
}

}  // namespace
}  // namespace ws_load
