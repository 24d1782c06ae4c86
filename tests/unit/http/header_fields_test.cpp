#include "restws/http/header_fields.hpp"

#include <gtest/gtest.h>

namespace restws::http {
namespace {

TEST(header_fields, lookup_is_case_insensitive) {
  http_header_fields_t f{{"Content-Type", "text/plain"}};
  EXPECT_EQ(f.value_of("content-type"), "text/plain");
  EXPECT_TRUE(f.has_field("CONTENT-TYPE"));
  EXPECT_FALSE(f.has_field("Content-Length"));
}

TEST(header_fields, repeated_fields_are_kept_in_order) {
  http_header_fields_t f;
  f.add_field("Accept", "a");
  f.add_field("accept", "b");
  EXPECT_EQ(f.count("ACCEPT"), 2u);
  std::string seen;
  f.for_each_value_of("Accept", [&](std::string_view v) { seen += v; });
  EXPECT_EQ(seen, "ab");
  EXPECT_EQ(f.value_of("accept"), "a");
}

TEST(header_fields, emplace_field_appends_copies_of_the_views) {
  http_header_fields_t f;
  std::string name = "Host";
  std::string value = "example.org";
  f.emplace_field(name, value);
  f.emplace_field("host", "second");
  name[0] = 'X';  // the fields own their bytes
  value.clear();
  EXPECT_EQ(f.fields_count(), 2u);
  EXPECT_EQ(f.value_of("HOST"), "example.org");
  EXPECT_EQ(f.count("Host"), 2u);
}

TEST(header_fields, set_field_replaces_every_occurrence) {
  http_header_fields_t f{{"X", "1"}, {"x", "2"}};
  f.set_field("X", "3");
  EXPECT_EQ(f.count("x"), 1u);
  EXPECT_EQ(f.get_field("x"), "3");
  EXPECT_THROW((void)f.get_field("missing"), std::out_of_range);
}

TEST(header_fields, has_token_finds_tokens_in_lists) {
  EXPECT_TRUE(has_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(has_token("Upgrade", "upgrade"));
  EXPECT_FALSE(has_token("upgraded", "upgrade"));
  EXPECT_FALSE(has_token("", "upgrade"));
  EXPECT_TRUE(has_token(" close ,", "close"));
}

TEST(header_fields, iequals_folds_ascii_letters_only) {
  EXPECT_TRUE(iequals("Content-Length", "content-LENGTH"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("host", "hosts"));
  EXPECT_FALSE(iequals("host", "hast"));
  // Pairs that differ in bit 0x20 like letters do, but are not letters.
  EXPECT_FALSE(iequals("@", "`"));
  EXPECT_FALSE(iequals("[", "{"));
  EXPECT_FALSE(iequals("^", "~"));
  EXPECT_FALSE(iequals("\x01", "!"));
  EXPECT_FALSE(iequals("\xc1", "\xe1"));  // not ASCII
  // Every ASCII letter against its other case, and against its neighbours.
  for (char c = 'a'; c <= 'z'; ++c) {
    const char upper = static_cast<char>(c - 'a' + 'A');
    EXPECT_TRUE(iequals(std::string(1, c), std::string(1, upper))) << c;
    EXPECT_FALSE(iequals(std::string(1, c), std::string(1, static_cast<char>(upper + 1)))) << c;
  }
}

}  // namespace
}  // namespace restws::http
