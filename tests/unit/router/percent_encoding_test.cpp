#include "restws/router/percent_encoding.hpp"

#include <gtest/gtest.h>

namespace restws::router {
namespace {

std::string normalized(std::string_view in) {
  std::string out;
  EXPECT_TRUE(normalize_percent_encoding(in, out)) << in;
  return out;
}

std::string decoded(std::string_view in) {
  std::string out;
  EXPECT_TRUE(decode_percent_encoding(in, out)) << in;
  return out;
}

TEST(percent_encoding, normalising_decodes_only_unreserved_characters) {
  EXPECT_EQ(normalized("/%75sers/%7E%2d%2E%5f"), "/users/~-._");
  EXPECT_EQ(normalized("/a%2Fb%20c%3f"), "/a%2Fb%20c%3f");
  EXPECT_EQ(normalized("/plain"), "/plain");
}

TEST(percent_encoding, decoding_decodes_everything_but_plus) {
  EXPECT_EQ(decoded("a%2Fb%20c+d%41"), "a/b c+dA");
  EXPECT_EQ(decoded("%00"), std::string(1, '\0'));
}

TEST(percent_encoding, rejects_malformed_sequences) {
  std::string out;
  for (const char* bad : {"%", "%4", "/a%zz", "/a%4g", "%%41"}) {
    out.clear();
    EXPECT_FALSE(normalize_percent_encoding(bad, out)) << bad;
    out.clear();
    EXPECT_FALSE(decode_percent_encoding(bad, out)) << bad;
  }
}

}  // namespace
}  // namespace restws::router
