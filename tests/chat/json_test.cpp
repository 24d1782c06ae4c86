// chat's tiny JSON: flat objects of strings in, escaped strings out.
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "json.hpp"

namespace {

using chat::json_error_t;
using chat::json_object_t;

json_object_t parse_ok(std::string_view text) {
  auto r = chat::parse_flat_object(text);
  EXPECT_TRUE(std::holds_alternative<json_object_t>(r)) << text;
  return std::holds_alternative<json_object_t>(r) ? std::get<json_object_t>(r) : json_object_t{};
}

json_error_t parse_error(std::string_view text) {
  auto r = chat::parse_flat_object(text);
  EXPECT_TRUE(std::holds_alternative<json_error_t>(r)) << text;
  return std::holds_alternative<json_error_t>(r) ? std::get<json_error_t>(r)
                                                 : json_error_t::bad_syntax;
}

std::string as_json(std::string_view s) {
  std::string out;
  chat::append_json_string(out, s);
  return out;
}

TEST(chat_json, reads_a_flat_object_of_strings) {
  const auto o = parse_ok(R"( { "type" : "join", "name":"ann" , "room":"lobby" } )");
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o.at("type"), "join");
  EXPECT_EQ(o.at("name"), "ann");
  EXPECT_EQ(o.at("room"), "lobby");
}

TEST(chat_json, reads_the_empty_object) { EXPECT_TRUE(parse_ok(" {} ").empty()); }

TEST(chat_json, decodes_every_escape) {
  const auto o = parse_ok(R"({"t":"q\" b\\ s\/ \b\f\n\r\t \u00e9 \u20ac"})");
  EXPECT_EQ(o.at("t"), "q\" b\\ s/ \b\f\n\r\t \xC3\xA9 \xE2\x82\xAC");
}

TEST(chat_json, joins_surrogate_pairs) {
  EXPECT_EQ(parse_ok(R"({"t":"\ud83d\ude00"})").at("t"), "\xF0\x9F\x98\x80");
}

TEST(chat_json, passes_utf8_through) {
  EXPECT_EQ(parse_ok("{\"t\":\"\xCE\xBA\xF0\x9F\x98\x80\"}").at("t"), "\xCE\xBA\xF0\x9F\x98\x80");
}

struct bad_case_t {
  const char* text;
  json_error_t error;
};

TEST(chat_json, refuses_what_is_not_a_flat_object_of_strings) {
  const bad_case_t cases[] = {
      {"", json_error_t::not_an_object},
      {"[]", json_error_t::not_an_object},
      {"\"x\"", json_error_t::not_an_object},
      {"{", json_error_t::bad_syntax},
      {"{\"a\"}", json_error_t::bad_syntax},
      {"{\"a\":}", json_error_t::bad_syntax},
      {"{\"a\":\"b\",}", json_error_t::bad_syntax},
      {"{\"a\":\"b\"} x", json_error_t::bad_syntax},
      {"{\"a\":\"b\"}{}", json_error_t::bad_syntax},
      {"{a:\"b\"}", json_error_t::bad_syntax},
      {"{\"a\":\"b\" \"c\":\"d\"}", json_error_t::bad_syntax},
      {"{\"a\":\"unterminated}", json_error_t::bad_syntax},
      {"{\"a\":1}", json_error_t::not_a_string},
      {"{\"a\":true}", json_error_t::not_a_string},
      {"{\"a\":null}", json_error_t::not_a_string},
      {"{\"a\":{}}", json_error_t::not_a_string},
      {"{\"a\":[\"b\"]}", json_error_t::not_a_string},
      {"{\"a\":\"\\x\"}", json_error_t::bad_escape},
      {"{\"a\":\"\\u12\"}", json_error_t::bad_escape},
      {"{\"a\":\"\\u12g4\"}", json_error_t::bad_escape},
      {"{\"a\":\"\\ud83d\"}", json_error_t::bad_escape},         // lone high surrogate
      {"{\"a\":\"\\ude00\"}", json_error_t::bad_escape},         // lone low surrogate
      {"{\"a\":\"\\ud83d\\u0041\"}", json_error_t::bad_escape},  // high + not low
      {"{\"a\":\"line\nbreak\"}", json_error_t::control_character},
      {"{\"a\":\"tab\there\"}", json_error_t::control_character},
      {"{\"a\":\"b\",\"a\":\"c\"}", json_error_t::duplicate_key},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_error(c.text), c.error) << c.text;
}

TEST(chat_json, refuses_more_keys_than_allowed) {
  EXPECT_EQ(std::get<json_error_t>(chat::parse_flat_object(R"({"a":"","b":"","c":""})", 2)),
            json_error_t::too_many_keys);
  EXPECT_TRUE(
      std::holds_alternative<json_object_t>(chat::parse_flat_object(R"({"a":"","b":""})", 2)));
}

TEST(chat_json, escapes_quotes_backslashes_and_controls) {
  EXPECT_EQ(as_json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(as_json("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(as_json(std::string{"\x01\x1f\x7f", 3}), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(as_json(std::string{"\0", 1}), R"("\u0000")");
}

TEST(chat_json, escapes_html_characters_and_line_separators) {
  EXPECT_EQ(as_json("</script><b>&amp;"), R"("\u003c/script\u003e\u003cb\u003e\u0026amp;")");
  EXPECT_EQ(as_json("a\xE2\x80\xA8"
                    "b\xE2\x80\xA9"),
            R"("a\u2028b\u2029")");
  EXPECT_EQ(as_json("\xE2\x82\xAC"), "\"\xE2\x82\xAC\"");  // other UTF-8 as is
}

TEST(chat_json, what_it_writes_it_reads_back) {
  const std::string nasty = "\"}{\\\x01<>&\xE2\x80\xA8 \xF0\x9F\x98\x80 \\u0041";
  const std::string doc = chat::json_object_builder_t{}.add("k", nasty).done();
  EXPECT_EQ(parse_ok(doc).at("k"), nasty);
}

TEST(chat_json, builds_objects_with_numbers) {
  EXPECT_EQ(chat::json_object_builder_t{}.add("a", "x").add("n", std::int64_t{-42}).done(),
            R"({"a":"x","n":-42})");
  EXPECT_EQ(chat::json_object_builder_t{}.done(), "{}");
}

}  // namespace
