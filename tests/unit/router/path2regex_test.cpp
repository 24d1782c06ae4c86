#include "restws/router/path2regex.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace restws::router {
namespace {

bool matches(std::string_view route, const std::string& path, path2regex_options_t o = {}) {
  const auto c = path2regex(route, o);
  auto flags = std::regex::ECMAScript;
  if (!o.sensitive) flags |= std::regex::icase;
  return std::regex_search(path, std::regex{c.regex, flags});
}

TEST(path2regex, literal_route_matches_only_itself_with_optional_trailing_slash) {
  EXPECT_TRUE(matches("/users", "/users"));
  EXPECT_TRUE(matches("/users", "/users/"));
  EXPECT_FALSE(matches("/users", "/users/1"));
  EXPECT_FALSE(matches("/users", "/user"));
  EXPECT_FALSE(matches("/users", "/xusers"));
}

TEST(path2regex, regex_characters_in_literals_are_literal) {
  EXPECT_TRUE(matches("/a.b+c$", "/a.b+c$"));
  EXPECT_FALSE(matches("/a.b", "/axb"));
  EXPECT_TRUE(matches("/a\\:b", "/a:b"));
}

TEST(path2regex, named_parameter_takes_one_segment) {
  const auto c = path2regex("/users/:id");
  ASSERT_EQ(c.keys.size(), 1u);
  EXPECT_EQ(c.keys[0].name, "id");
  EXPECT_TRUE(matches("/users/:id", "/users/42"));
  EXPECT_FALSE(matches("/users/:id", "/users/"));
  EXPECT_FALSE(matches("/users/:id", "/users/42/x"));
}

TEST(path2regex, constraint_restricts_the_parameter) {
  EXPECT_TRUE(matches("/users/:id(\\d+)", "/users/42"));
  EXPECT_FALSE(matches("/users/:id(\\d+)", "/users/abc"));
}

TEST(path2regex, optional_parameter_may_be_absent_with_its_slash) {
  EXPECT_TRUE(matches("/users/:id?", "/users"));
  EXPECT_TRUE(matches("/users/:id?", "/users/7"));
  EXPECT_TRUE(path2regex("/users/:id?").keys[0].optional);
}

TEST(path2regex, star_and_plus_modifiers_repeat_segments) {
  EXPECT_TRUE(matches("/files/:p*", "/files"));
  EXPECT_TRUE(matches("/files/:p*", "/files/a/b/c"));
  EXPECT_FALSE(matches("/files/:p+", "/files"));
  EXPECT_TRUE(matches("/files/:p+", "/files/a/b"));
}

TEST(path2regex, unnamed_groups_and_wildcard_are_indexed) {
  const auto c = path2regex("/(\\d+)/:name/*");
  ASSERT_EQ(c.keys.size(), 3u);
  EXPECT_TRUE(c.keys[0].name.empty());
  EXPECT_EQ(c.keys[0].index, 0u);
  EXPECT_EQ(c.keys[1].name, "name");
  EXPECT_TRUE(c.keys[2].name.empty());
  EXPECT_EQ(c.keys[2].index, 1u);
  EXPECT_TRUE(matches("/(\\d+)/:name/*", "/12/bob/any/thing"));
  EXPECT_FALSE(matches("/(\\d+)/:name/*", "/x/bob/any"));
}

TEST(path2regex, capturing_groups_in_constraints_do_not_shift_parameters) {
  const auto c = path2regex("/:a((x|y)+)/:b");
  ASSERT_EQ(c.keys.size(), 2u);
  const std::regex re{c.regex};
  std::smatch m;
  const std::string path = "/xyx/end";
  ASSERT_TRUE(std::regex_search(path, m, re));
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m[1].str(), "xyx");
  EXPECT_EQ(m[2].str(), "end");
}

TEST(path2regex, dot_prefixed_parameter_splits_a_segment) {
  const auto c = path2regex("/:file.:ext");
  const std::regex re{c.regex};
  std::smatch m;
  const std::string path = "/archive.tar.gz";
  ASSERT_TRUE(std::regex_search(path, m, re));
  EXPECT_EQ(m[1].str(), "archive.tar");
  EXPECT_EQ(m[2].str(), "gz");
}

TEST(path2regex, is_case_insensitive_unless_sensitive) {
  EXPECT_TRUE(matches("/Users", "/users"));
  EXPECT_FALSE(matches("/Users", "/users", {.sensitive = true}));
}

TEST(path2regex, strict_requires_the_exact_trailing_slash) {
  EXPECT_FALSE(matches("/users", "/users/", {.strict = true}));
  EXPECT_TRUE(matches("/users/", "/users/", {.strict = true}));
  EXPECT_FALSE(matches("/users/", "/users", {.strict = true}));
}

TEST(path2regex, non_ending_route_matches_a_segment_prefix) {
  EXPECT_TRUE(matches("/api", "/api/v1/x", {.ending = false}));
  EXPECT_FALSE(matches("/api", "/apix", {.ending = false}));
}

TEST(path2regex, literal_fast_path_agrees_with_the_regex) {
  // The router matches routes without parameters by comparison, not by regex: both must agree.
  const std::vector<std::string> routes{"/",       "/users", "/users/", "/Users",
                                        "/a.b+c$", "/a\\:b", "",        "/x//"};
  const std::vector<std::string> paths{
      "",        "/",       "//",   "/users", "/users/", "/USERS", "/users//", "/user",  "/users/1",
      "/a.b+c$", "/A.B+C$", "/a:b", "/x//",   "/x/",     "/x///",  "/x",       "/Users/"};
  for (const bool sensitive : {false, true}) {
    for (const bool strict : {false, true}) {
      const path2regex_options_t o{.sensitive = sensitive, .strict = strict};
      for (const auto& route : routes) {
        const auto c = path2regex(route, o);
        ASSERT_TRUE(c.literal) << route;
        for (const auto& path : paths) {
          EXPECT_EQ(literal_route_matches(*c.literal, path, o), matches(route, path, o))
              << "route '" << route << "' path '" << path << "' sensitive " << sensitive
              << " strict " << strict;
        }
      }
    }
  }
  EXPECT_FALSE(path2regex("/users/:id").literal);
  EXPECT_FALSE(path2regex("/static/*").literal);
  EXPECT_FALSE(path2regex("/(\\d+)").literal);
  EXPECT_FALSE(path2regex("/users", {.ending = false}).literal);
}

TEST(path2regex, rejects_unbalanced_or_empty_groups) {
  EXPECT_THROW(path2regex("/:id(\\d+"), std::invalid_argument);
  EXPECT_THROW(path2regex("/a)"), std::invalid_argument);
  EXPECT_THROW(path2regex("/()"), std::invalid_argument);
  EXPECT_THROW(path2regex("/a\\"), std::invalid_argument);
}

TEST(path2regex, bracket_names_inside_a_class_end_neither_the_class_nor_the_group) {
  // std::regex reads "[:alpha:]", "[.a.]" and "[=a=]" whole inside a class.
  for (const char* route :
       {"/:a([[:alpha:])]+)/:b(\\d+)", "/:a([[.a.])]+)/:b(\\d+)", "/:a([[=a=])]+)/:b(\\d+)"}) {
    const auto c = path2regex(route);
    ASSERT_EQ(c.keys.size(), 2u) << route;
    const std::regex re{c.regex, std::regex::ECMAScript};
    EXPECT_EQ(re.mark_count(), 2u) << route;
  }
  EXPECT_THROW(path2regex("/:a([[:alpha)/:b(\\d+)"), std::invalid_argument);
}

TEST(path2regex, a_control_escape_needs_a_letter) {
  // std::regex reads "\c]" as the control character of ']': the class would not end where the
  // route's parser saw it end, and a group would be swallowed (found by router_fuzzer).
  EXPECT_THROW(path2regex("/:a([x\\c])/:b(\\d+)"), std::invalid_argument);
  EXPECT_THROW(path2regex("/:a(x\\c)"), std::invalid_argument);
  const auto c = path2regex("/:a([\\cJx]+)/:b(\\d+)");
  ASSERT_EQ(c.keys.size(), 2u);
  const std::regex re{c.regex, std::regex::ECMAScript};
  EXPECT_EQ(re.mark_count(), 2u);
  std::smatch m;
  const std::string path = "/xx/42";
  ASSERT_TRUE(std::regex_match(path, m, re));
  EXPECT_EQ(m[2], "42");
}

}  // namespace
}  // namespace restws::router
