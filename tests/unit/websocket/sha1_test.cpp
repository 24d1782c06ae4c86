#include "restws/websocket/protocol/sha1.hpp"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace restws::websocket::protocol {
namespace {

std::string hex(const sha1_digest_t& d) {
  std::string out;
  char buf[3];
  for (const std::byte b : d) {
    std::snprintf(buf, sizeof buf, "%02x", std::to_integer<unsigned>(b));
    out += buf;
  }
  return out;
}

std::string sha1_hex(std::string_view text) { return hex(sha1(std::as_bytes(std::span{text}))); }

// FIPS 180-2 appendix A and RFC 3174 §7.3 test vectors.
TEST(Sha1, KnownVectors) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(sha1_hex("The quick brown fox jumps over the lazy dog"),
            "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}

TEST(Sha1, MillionAsInPiecesOfManySizes) {
  // One million 'a', fed in pieces that start and end anywhere inside a 64-byte block.
  const std::string piece(997, 'a');
  sha1_t h;
  std::size_t left = 1'000'000;
  for (std::size_t n = 1; left > 0; n = n % 997 + 1) {
    const std::size_t take = std::min(n, left);
    h.update(std::string_view{piece}.substr(0, take));
    left -= take;
  }
  EXPECT_EQ(hex(h.finish()), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1, PaddingBoundaries) {
  // Lengths around the block size (55/56 bytes: the length field fits or needs a second block).
  for (const std::size_t n : {55u, 56u, 63u, 64u, 65u, 119u, 120u, 128u}) {
    const std::string text(n, 'x');
    unsigned char expected[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), expected);
    const sha1_digest_t got = sha1(std::as_bytes(std::span{text}));
    EXPECT_EQ(0, std::memcmp(got.data(), expected, sizeof expected)) << "length " << n;
  }
}

TEST(Sha1, MatchesOpenSslOnRandomInputSplitAnywhere) {
  std::mt19937 rng{20261202};
  for (int round = 0; round < 300; ++round) {
    std::vector<std::byte> data(rng() % 400);
    for (auto& b : data) b = static_cast<std::byte>(rng());
    unsigned char expected[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), expected);
    const std::size_t split = data.empty() ? 0 : rng() % (data.size() + 1);
    sha1_t h;
    h.update(std::span{data}.first(split));
    h.update(std::span{data}.subspan(split));
    const sha1_digest_t got = h.finish();
    ASSERT_EQ(0, std::memcmp(got.data(), expected, sizeof expected))
        << "length " << data.size() << " split " << split;
  }
}

}  // namespace
}  // namespace restws::websocket::protocol
