#include "restws/websocket/protocol/masking.hpp"

#include <gtest/gtest.h>

#include "test_bytes.hpp"

namespace restws::websocket::protocol {
namespace {

using test::bytes;

test::bytes_t reference_mask(test::bytes_t data, const mask_key_t& key, std::uint64_t offset) {
  for (std::size_t i = 0; i < data.size(); ++i) data[i] ^= key[(offset + i) % 4];
  return data;
}

test::bytes_t pattern(std::size_t n) {
  test::bytes_t out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(i * 7 + 3);
  return out;
}

TEST(masking, unmasks_rfc6455_example) {
  auto payload = bytes({0x7f, 0x9f, 0x4d, 0x51, 0x58});
  apply_mask(payload, test::test_mask);
  EXPECT_EQ(test::as_text(payload), "Hello");
}

TEST(masking, matches_bytewise_reference_for_every_length_and_offset) {
  const mask_key_t key{std::byte{0x01}, std::byte{0x23}, std::byte{0x45}, std::byte{0x67}};
  for (std::size_t n = 0; n <= 80; ++n) {
    for (std::uint64_t offset = 0; offset < 8; ++offset) {
      auto data = pattern(n);
      const auto expected = reference_mask(data, key, offset);
      apply_mask(data, key, offset);
      EXPECT_EQ(data, expected) << "n=" << n << " offset=" << offset;
    }
  }
}

TEST(masking, unmasking_in_pieces_equals_one_shot) {
  const auto original = pattern(70);
  auto whole = original;
  apply_mask(whole, test::test_mask);
  for (std::size_t a = 0; a <= original.size(); ++a) {
    for (std::size_t b = a; b <= original.size(); b += 3) {
      auto pieces = original;
      const std::span<std::byte> s{pieces};
      apply_mask(s.subspan(0, a), test::test_mask, 0);
      apply_mask(s.subspan(a, b - a), test::test_mask, a);
      apply_mask(s.subspan(b), test::test_mask, b);
      ASSERT_EQ(pieces, whole) << a << "," << b;
    }
  }
}

TEST(masking, copy_masked_matches_bytewise_reference_and_writes_only_its_target) {
  const mask_key_t key{std::byte{0x89}, std::byte{0xAB}, std::byte{0xCD}, std::byte{0xEF}};
  for (std::size_t n = 0; n <= 200; ++n) {
    for (std::uint64_t offset = 0; offset < 8; ++offset) {
      const auto source = pattern(n);
      test::bytes_t target(n + 1, std::byte{0x11});  // one byte more: must stay untouched
      copy_masked(std::span{target}.first(n), source, key, offset);
      EXPECT_EQ(test::bytes_t(target.begin(), target.begin() + static_cast<std::ptrdiff_t>(n)),
                reference_mask(source, key, offset))
          << "n=" << n << " offset=" << offset;
      EXPECT_EQ(target.back(), std::byte{0x11});
    }
  }
}

TEST(masking, masking_twice_restores_the_payload) {
  const auto original = pattern(1000);
  auto data = original;
  apply_mask(data, test::test_mask, 5);
  EXPECT_NE(data, original);
  apply_mask(data, test::test_mask, 5);
  EXPECT_EQ(data, original);
}

}  // namespace
}  // namespace restws::websocket::protocol
