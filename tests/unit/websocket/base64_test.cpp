#include "restws/websocket/protocol/base64.hpp"

#include <gtest/gtest.h>

#include "test_bytes.hpp"

namespace restws::websocket::protocol {
namespace {

TEST(base64, encodes_rfc4648_test_vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(test::bytes(plain)), encoded);
    EXPECT_EQ(base64_decode(encoded), std::string{plain});
  }
}

TEST(base64, round_trips_every_byte_value) {
  test::bytes_t all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::byte>(i));
  for (std::size_t n = 0; n <= all.size(); n += 17) {
    const auto part = std::span{all}.first(n);
    const auto decoded = base64_decode(base64_encode(part));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, std::string(test::as_text(part)));
  }
}

TEST(base64, rejects_malformed_input) {
  for (const char* bad :
       {"Zg", "Zg=", "Z===", "Zm9v=", "Zm=v", "=Zm9", "Zm9v\n", "Zm 9", "Zm-v", "Zm_v", "Zg==Zg=="})
    EXPECT_FALSE(base64_decode(bad)) << bad;
}

TEST(base64, decoded_size_matches_decode) {
  EXPECT_EQ(base64_decoded_size("dGhlIHNhbXBsZSBub25jZQ=="), 16u);
  EXPECT_EQ(base64_decoded_size("Zm9vYg=="), 4u);
  EXPECT_FALSE(base64_decoded_size("Zm9vYg="));
}

}  // namespace
}  // namespace restws::websocket::protocol
