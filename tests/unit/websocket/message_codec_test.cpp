// message_deflater_t and message_inflater_t: RFC 7692 §7.2.3's examples byte for byte, round
// trips at every window with and without context takeover, bombs and corrupt streams.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "restws/websocket/protocol/message_deflater.hpp"
#include "restws/websocket/protocol/message_inflater.hpp"

namespace restws::websocket::protocol {
namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span{s}); }

std::string hex(std::initializer_list<unsigned> v) {
  std::string s;
  for (const unsigned b : v) s.push_back(static_cast<char>(b));
  return s;
}

std::string deflated(message_deflater_t& d, std::string_view message) {
  std::string out;
  EXPECT_TRUE(d.compress(bytes(message), out));
  return out;
}

std::string inflated(message_inflater_t& i, std::string_view payload, std::size_t limit = 1 << 20) {
  std::string out;
  EXPECT_EQ(i.inflate(bytes(payload), true, out, limit), inflate_status_t::ok);
  return out;
}

// ---- RFC 7692 §7.2.3 ---------------------------------------------------------------------------

TEST(message_codec, compresses_hello_as_rfc_7692_7_2_3_1) {
  message_deflater_t d;
  EXPECT_EQ(deflated(d, "Hello"), hex({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
}

TEST(message_codec, shares_the_window_between_messages_as_7_2_3_2) {
  message_deflater_t d;
  deflated(d, "Hello");
  EXPECT_EQ(deflated(d, "Hello"), hex({0xf2, 0x00, 0x11, 0x00, 0x00}));
}

TEST(message_codec, without_context_takeover_each_message_stands_alone) {
  message_deflater_t d{{.context_takeover = false}};
  const auto first = deflated(d, "Hello");
  EXPECT_EQ(deflated(d, "Hello"), first);
  message_inflater_t i{15, false};
  EXPECT_EQ(inflated(i, first), "Hello");
  EXPECT_EQ(inflated(i, first), "Hello");
}

TEST(message_codec, inflates_every_example_of_7_2_3) {
  const std::string hello[] = {
      hex({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}),                          // 7.2.3.1
      hex({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}),  // 7.2.3.3 stored
      hex({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}),                    // 7.2.3.4 BFINAL
      hex({0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07,
           0x00}),  // 7.2.3.5 two blocks
  };
  for (const auto& payload : hello) {
    message_inflater_t i;
    EXPECT_EQ(inflated(i, payload), "Hello");
  }
}

TEST(message_codec, inflates_the_shared_window_example) {
  message_inflater_t i;
  EXPECT_EQ(inflated(i, hex({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
  EXPECT_EQ(inflated(i, hex({0xf2, 0x00, 0x11, 0x00, 0x00})), "Hello");
}

TEST(message_codec, keeps_the_window_after_a_bfinal_message) {
  message_inflater_t i;
  EXPECT_EQ(inflated(i, hex({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00})), "Hello");
  EXPECT_EQ(inflated(i, hex({0xf2, 0x00, 0x11, 0x00, 0x00})), "Hello");  // refers back to it
}

TEST(message_codec, inflates_a_fragmented_message_piece_by_piece) {
  // 7.2.3.1's payload split across two frames, as in its fragmented example.
  message_inflater_t i;
  std::string out;
  EXPECT_EQ(i.inflate(bytes(hex({0xf2, 0x48, 0xcd})), false, out, 100), inflate_status_t::ok);
  EXPECT_TRUE(i.in_message());
  EXPECT_EQ(i.inflate(bytes(hex({0xc9, 0xc9, 0x07, 0x00})), true, out, 100), inflate_status_t::ok);
  EXPECT_FALSE(i.in_message());
  EXPECT_EQ(out, "Hello");
}

TEST(message_codec, an_empty_message_is_one_zero_byte) {
  message_deflater_t d;
  EXPECT_EQ(deflated(d, ""), hex({0x00}));
  message_inflater_t i;
  EXPECT_EQ(inflated(i, hex({0x00})), "");
  EXPECT_EQ(inflated(i, ""), "");  // an empty payload is also an empty message
}

// ---- round trips -------------------------------------------------------------------------------

std::string corpus(std::size_t size, unsigned seed) {
  // JSON-like text with repeats, as applications send, plus some noise.
  std::mt19937 rng{seed};
  std::string s;
  while (s.size() < size) {
    s += "{\"id\":" + std::to_string(rng() % 100000) + ",\"name\":\"user" +
         std::to_string(rng() % 50) + "\",\"active\":" + (rng() % 2 ? "true" : "false") + "},";
    if (rng() % 7 == 0) s.push_back(static_cast<char>(rng()));
  }
  s.resize(size);
  return s;
}

TEST(message_codec, round_trips_at_every_window_with_and_without_context_takeover) {
  for (std::uint8_t bits = 8; bits <= 15; ++bits) {
    for (const bool takeover : {true, false}) {
      SCOPED_TRACE(::testing::Message() << "bits " << int{bits} << " takeover " << takeover);
      message_deflater_t d{{.level = 6, .window_bits = bits, .context_takeover = takeover}};
      message_inflater_t i{bits, takeover};
      for (const std::size_t size : {0u, 1u, 20u, 1024u, 70000u, 300000u}) {
        const auto m = corpus(size, static_cast<unsigned>(size + bits));
        const auto c = deflated(d, m);
        ASSERT_EQ(inflated(i, c), m);
        // Twice: the second relies on the first's window when context is kept.
        ASSERT_EQ(inflated(i, deflated(d, m)), m);
      }
    }
  }
}

TEST(message_codec, compresses_text_several_times) {
  message_deflater_t d;
  const auto m = corpus(1024, 1);
  EXPECT_LT(deflated(d, m).size() * 3, m.size());
}

TEST(message_codec, round_trips_when_fed_one_byte_at_a_time) {
  message_deflater_t d;
  const auto m = corpus(5000, 7);
  const auto c = deflated(d, m);
  message_inflater_t i;
  std::string out;
  for (std::size_t k = 0; k < c.size(); ++k)
    ASSERT_EQ(i.inflate(bytes(std::string_view{c}.substr(k, 1)), k + 1 == c.size(), out, 1 << 20),
              inflate_status_t::ok);
  EXPECT_EQ(out, m);
}

// ---- hostile input -----------------------------------------------------------------------------

TEST(message_codec, a_bomb_stops_at_the_limit) {
  // 16 MiB of zeros compress to a few KiB; a 1 MiB limit must stop it there.
  message_deflater_t d{{.level = 9}};
  const std::string zeros(16u << 20, '\0');
  const auto bomb = deflated(d, zeros);
  ASSERT_LT(bomb.size(), 64u * 1024);
  message_inflater_t i;
  std::string out;
  EXPECT_EQ(i.inflate(bytes(bomb), true, out, 1u << 20), inflate_status_t::too_big);
  EXPECT_LE(out.size(), (1u << 20) + 1);
  EXPECT_LE(out.capacity(), 2u << 20);  // never grown much past the limit
}

TEST(message_codec, a_bomb_in_small_pieces_stops_at_the_limit) {
  message_deflater_t d{{.level = 9}};
  const auto bomb = deflated(d, std::string(4u << 20, 'a'));
  message_inflater_t i;
  std::string out;
  inflate_status_t s = inflate_status_t::ok;
  std::size_t k = 0;
  for (; k < bomb.size() && s == inflate_status_t::ok; k += 16)
    s = i.inflate(bytes(std::string_view{bomb}.substr(k, 16)), k + 16 >= bomb.size(), out, 100000);
  EXPECT_EQ(s, inflate_status_t::too_big);
  EXPECT_LE(out.size(), 100001u);
}

TEST(message_codec, a_message_exactly_at_the_limit_is_fine) {
  message_deflater_t d;
  const auto m = corpus(4096, 3);
  message_inflater_t i;
  std::string out;
  EXPECT_EQ(i.inflate(bytes(deflated(d, m)), true, out, 4096), inflate_status_t::ok);
  EXPECT_EQ(out, m);
}

TEST(message_codec, corrupt_data_is_reported) {
  const std::string corrupt[] = {
      hex({0xff, 0xff, 0xff, 0xff}),        // reserved block type 3
      hex({0x00, 0x05, 0x00, 0x00, 0x00}),  // stored block whose NLEN is not ~LEN
      hex({0xf2, 0x00, 0x11, 0x00, 0x00}),  // a distance back past the start
  };
  for (const auto& c : corrupt) {
    message_inflater_t i;
    std::string out;
    EXPECT_EQ(i.inflate(bytes(c), true, out, 1 << 20), inflate_status_t::corrupt);
  }
}

TEST(message_codec, a_window_larger_than_the_inflaters_is_corrupt) {
  // A 15-bit compressor refers 20 000 bytes back; a 9-bit inflater cannot follow.
  message_deflater_t d{{.level = 6, .window_bits = 15}};
  std::string m = corpus(20000, 5);
  m += m.substr(0, 2000);
  const auto c = deflated(d, m);
  message_inflater_t small{9};
  std::string out;
  EXPECT_EQ(small.inflate(bytes(c), true, out, 1 << 20), inflate_status_t::corrupt);
}

TEST(message_codec, the_inflater_is_usable_after_a_failure) {
  message_inflater_t i{15, false};
  std::string out;
  EXPECT_EQ(i.inflate(bytes(hex({0xff, 0xff})), true, out, 100), inflate_status_t::corrupt);
  EXPECT_FALSE(i.in_message());
  EXPECT_EQ(inflated(i, hex({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
}

// ---- memory ------------------------------------------------------------------------------------

TEST(message_codec, state_is_allocated_on_first_use_and_freed_by_release) {
  message_deflater_t d;
  message_inflater_t i;
  EXPECT_EQ(d.memory(), 0u);
  EXPECT_EQ(i.memory(), 0u);
  const auto c = deflated(d, "Hello");
  EXPECT_GT(d.memory(), 200u * 1024);  // window 15, memLevel 8: about 256 KiB
  inflated(i, c);
  EXPECT_GT(i.memory(), 32u * 1024);  // its 32 KiB window and state
  EXPECT_LT(i.memory(), 64u * 1024);
  d.release();
  i.release();
  EXPECT_EQ(d.memory(), 0u);
  EXPECT_EQ(i.memory(), 0u);
}

TEST(message_codec, smaller_windows_and_memory_levels_hold_less) {
  message_deflater_t small{{.window_bits = 9, .mem_level = 1}};
  deflated(small, "Hello");
  EXPECT_LT(small.memory(), 16u * 1024);
}

}  // namespace
}  // namespace restws::websocket::protocol
