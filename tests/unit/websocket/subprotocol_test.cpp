#include "restws/websocket/protocol/subprotocol.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace restws::websocket::protocol {
namespace {

using http::http_header_fields_t;
using views_t = std::vector<std::string_view>;
using strings_t = std::vector<std::string>;

http_header_fields_t offering(std::initializer_list<std::string_view> values) {
  http_header_fields_t f{{"Host", "example.com"}};
  for (const auto v : values) f.add_field("Sec-WebSocket-Protocol", std::string{v});
  return f;
}

// ---- one field value ---------------------------------------------------------------------------

struct list_case_t {
  std::string_view value;
  bool ok;
  views_t tokens;
};

TEST(subprotocol, parses_one_field_value_as_rfc9110_token_list) {
  const list_case_t cases[] = {
      {"chat", true, {"chat"}},
      {"chat, superchat", true, {"chat", "superchat"}},
      {"chat,superchat", true, {"chat", "superchat"}},
      {"  chat \t,\tsuperchat  ", true, {"chat", "superchat"}},
      {"graphql-transport-ws", true, {"graphql-transport-ws"}},
      {"v1.json.api", true, {"v1.json.api"}},
      {"!#$%&'*+-.^_`|~09azAZ", true, {"!#$%&'*+-.^_`|~09azAZ"}},
      // Empty elements are accepted and ignored (RFC 9110 §5.6.1).
      {"a,,b", true, {"a", "b"}},
      {",a", true, {"a"}},
      {"a,", true, {"a"}},
      {" , a , , b , ", true, {"a", "b"}},
      {"", true, {}},
      {",", true, {}},
      {"  ", true, {}},
      // Elements that are not tokens.
      {"a b", false, {}},
      {"chat, super chat", false, {}},
      {"\"chat\"", false, {}},
      {"chat;q=1", false, {}},
      {"chat/1", false, {}},
      {"(chat)", false, {}},
      {"chat=1", false, {}},
      {"a:b", false, {}},
      {"a@b", false, {}},
      {"[a]", false, {}},
      {"{a}", false, {}},
      {"a?b", false, {}},
      {"a\\b", false, {}},
      {"a\x01", false, {}},
      {"a\x7f", false, {}},
      {"caf\xc3\xa9", false, {}},
      {"good, \"bad\"", false, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string{"value: "} + std::string{c.value});
    views_t out{"before"};
    EXPECT_EQ(parse_subprotocol_list(c.value, out), c.ok);
    views_t expected{"before"};
    expected.insert(expected.end(), c.tokens.begin(), c.tokens.end());
    EXPECT_EQ(out, expected);  // nothing appended on failure
  }
}

// ---- all fields of a request -------------------------------------------------------------------

TEST(subprotocol, no_field_offers_nothing_and_is_not_malformed) {
  const auto offers = read_subprotocol_offers(http_header_fields_t{{"Host", "example.com"}});
  EXPECT_FALSE(offers.malformed);
  EXPECT_TRUE(offers.offered.empty());
}

TEST(subprotocol, reads_every_field_as_one_list_in_order) {
  const auto f = offering({"a, b", "c", "d ,e"});
  const auto offers = read_subprotocol_offers(f);
  EXPECT_FALSE(offers.malformed);
  EXPECT_EQ(offers.offered, (views_t{"a", "b", "c", "d", "e"}));
}

TEST(subprotocol, field_name_is_case_insensitive) {
  http_header_fields_t f{{"sec-websocket-protocol", "a"}, {"SEC-WEBSOCKET-PROTOCOL", "b"}};
  EXPECT_EQ(read_subprotocol_offers(f).offered, (views_t{"a", "b"}));
}

TEST(subprotocol, empty_field_beside_others_is_ignored) {
  EXPECT_EQ(read_subprotocol_offers(offering({"", "a", ","})).offered, (views_t{"a"}));
}

TEST(subprotocol, keeps_duplicates_as_sent) {
  EXPECT_EQ(read_subprotocol_offers(offering({"a, a", "a"})).offered, (views_t{"a", "a", "a"}));
}

TEST(subprotocol, one_bad_field_makes_the_whole_offer_malformed) {
  const auto offers = read_subprotocol_offers(offering({"a", "b c", "d"}));
  EXPECT_TRUE(offers.malformed);
  EXPECT_TRUE(offers.offered.empty());
}

TEST(subprotocol, fields_without_any_token_are_malformed) {
  // 1#token: present, the list holds at least one element (RFC 6455 §4.1 and §11.3.4).
  for (const auto& f : {offering({""}), offering({",", " , "}), offering({"  "})}) {
    const auto offers = read_subprotocol_offers(f);
    EXPECT_TRUE(offers.malformed);
  }
}

// ---- choosing ----------------------------------------------------------------------------------

struct select_case_t {
  strings_t supported;
  views_t offered;
  std::optional<std::string_view> chosen;
};

TEST(subprotocol, selects_by_server_preference) {
  const select_case_t cases[] = {
      {{"chat"}, {"chat"}, "chat"},
      {{"v2", "v1"}, {"v1", "v2"}, "v2"},  // the server's order, not the client's
      {{"v1", "v2"}, {"v2", "v1"}, "v1"},
      {{"v3", "v2"}, {"v1", "v2"}, "v2"},
      {{"v3"}, {"v1", "v2"}, std::nullopt},
      {{}, {"v1"}, std::nullopt},
      {{"v1"}, {}, std::nullopt},
      {{"Chat"}, {"chat"}, std::nullopt},  // exact comparison
      {{"chat"}, {"chat "}, std::nullopt},
      {{"chat"}, {"cha"}, std::nullopt},
  };
  for (const auto& c : cases) {
    const auto chosen = select_subprotocol(c.supported, c.offered);
    EXPECT_EQ(chosen, c.chosen);
    if (chosen) {
      // A view into the server's list, not the request.
      const bool into_supported =
          std::any_of(c.supported.begin(), c.supported.end(),
                      [&](const auto& s) { return s.data() == chosen->data(); });
      EXPECT_TRUE(into_supported);
    }
  }
}

struct negotiate_case_t {
  const char* name;
  std::vector<std::string_view> fields;  // one Sec-WebSocket-Protocol field each
  strings_t supported;
  bool require;
  subprotocol_result_t result;
  std::string_view chosen;
};

TEST(subprotocol, negotiates) {
  const negotiate_case_t cases[] = {
      {"nothing configured, nothing offered", {}, {}, false, subprotocol_result_t::none, ""},
      {"nothing configured, offers ignored", {"chat"}, {}, false, subprotocol_result_t::none, ""},
      {"nothing configured, malformed ignored", {"a b"}, {}, false, subprotocol_result_t::none, ""},
      {"match", {"chat"}, {"chat"}, false, subprotocol_result_t::chosen, "chat"},
      {"preference", {"v1, v2"}, {"v2", "v1"}, false, subprotocol_result_t::chosen, "v2"},
      {"over several fields", {"x", "v1"}, {"v1"}, false, subprotocol_result_t::chosen, "v1"},
      {"empty elements", {"a,,v1,"}, {"v1"}, false, subprotocol_result_t::chosen, "v1"},
      {"no match", {"v9"}, {"v1"}, false, subprotocol_result_t::none, ""},
      {"no offer", {}, {"v1"}, false, subprotocol_result_t::none, ""},
      {"malformed", {"v1 v2"}, {"v1"}, false, subprotocol_result_t::malformed, ""},
      {"quoted", {"\"v1\""}, {"v1"}, false, subprotocol_result_t::malformed, ""},
      {"empty field", {""}, {"v1"}, false, subprotocol_result_t::malformed, ""},
      {"required, match", {"v1"}, {"v1"}, true, subprotocol_result_t::chosen, "v1"},
      {"required, no match", {"v9"}, {"v1"}, true, subprotocol_result_t::no_match, ""},
      {"required, no offer", {}, {"v1"}, true, subprotocol_result_t::no_match, ""},
      {"required, empty list", {}, {}, true, subprotocol_result_t::no_match, ""},
      {"required, malformed", {"v1;"}, {"v1"}, true, subprotocol_result_t::malformed, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    http_header_fields_t f{{"Host", "example.com"}};
    for (const auto v : c.fields) f.add_field("Sec-WebSocket-Protocol", std::string{v});
    const auto d = negotiate_subprotocol(f, c.supported, {}, c.require);
    EXPECT_EQ(d.result, c.result);
    EXPECT_EQ(d.chosen, c.chosen);
  }
}

TEST(subprotocol, selector_gets_offers_in_client_order_and_chooses) {
  views_t seen;
  const subprotocol_selector_t selector =
      [&](std::span<const std::string_view> offered) -> std::optional<std::string> {
    seen.assign(offered.begin(), offered.end());
    return std::string{offered.back()};
  };
  const auto fields = offering({"b, a", "c"});  // the offers are views into these fields
  const auto d = negotiate_subprotocol(fields, {}, selector, false);
  EXPECT_EQ(seen, (views_t{"b", "a", "c"}));
  EXPECT_EQ(d.result, subprotocol_result_t::chosen);
  EXPECT_EQ(d.chosen, "c");
}

TEST(subprotocol, selector_replaces_the_supported_list) {
  const subprotocol_selector_t selector = [](auto) { return std::optional<std::string>{"b"}; };
  const auto d = negotiate_subprotocol(offering({"a, b"}), strings_t{"a"}, selector, false);
  EXPECT_EQ(d.result, subprotocol_result_t::chosen);
  EXPECT_EQ(d.chosen, "b");
}

TEST(subprotocol, selector_declining_means_none_or_no_match) {
  const subprotocol_selector_t selector = [](auto) { return std::optional<std::string>{}; };
  EXPECT_EQ(negotiate_subprotocol(offering({"a"}), {}, selector, false).result,
            subprotocol_result_t::none);
  EXPECT_EQ(negotiate_subprotocol(offering({"a"}), {}, selector, true).result,
            subprotocol_result_t::no_match);
}

TEST(subprotocol, selector_is_not_called_without_offers_or_on_malformed_ones) {
  int calls = 0;
  const subprotocol_selector_t selector = [&](auto) {
    ++calls;
    return std::optional<std::string>{"a"};
  };
  EXPECT_EQ(negotiate_subprotocol(http_header_fields_t{}, {}, selector, false).result,
            subprotocol_result_t::none);
  EXPECT_EQ(negotiate_subprotocol(offering({"a b"}), {}, selector, false).result,
            subprotocol_result_t::malformed);
  EXPECT_EQ(calls, 0);
}

TEST(subprotocol, selector_choosing_what_was_not_offered_is_misuse) {
  const subprotocol_selector_t selector = [](auto) { return std::optional<std::string>{"z"}; };
  const auto d = negotiate_subprotocol(offering({"a"}), {}, selector, false);
  EXPECT_EQ(d.result, subprotocol_result_t::selector_misuse);
  EXPECT_EQ(d.chosen, "z");
  EXPECT_EQ(http_status(d.result), 500);
}

TEST(subprotocol, selector_exception_propagates) {
  const subprotocol_selector_t selector = [](auto) -> std::optional<std::string> {
    throw std::runtime_error{"boom"};
  };
  EXPECT_THROW(negotiate_subprotocol(offering({"a"}), {}, selector, false), std::runtime_error);
}

TEST(subprotocol, statuses_and_descriptions) {
  EXPECT_EQ(http_status(subprotocol_result_t::none), 101);
  EXPECT_EQ(http_status(subprotocol_result_t::chosen), 101);
  EXPECT_EQ(http_status(subprotocol_result_t::malformed), 400);
  EXPECT_EQ(http_status(subprotocol_result_t::no_match), 400);
  for (const auto r :
       {subprotocol_result_t::none, subprotocol_result_t::chosen, subprotocol_result_t::malformed,
        subprotocol_result_t::no_match, subprotocol_result_t::selector_misuse})
    EXPECT_FALSE(describe(r).empty());
}

}  // namespace
}  // namespace restws::websocket::protocol
