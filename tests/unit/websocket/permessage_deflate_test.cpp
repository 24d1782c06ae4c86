#include "restws/websocket/protocol/permessage_deflate.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace restws::websocket::protocol {
namespace {

using http::http_header_fields_t;

http_header_fields_t extensions(std::initializer_list<std::string_view> values) {
  http_header_fields_t f{{"Host", "example.com"}};
  for (const auto v : values) f.add_field("Sec-WebSocket-Extensions", std::string{v});
  return f;
}

deflate_offer_t offer(bool snct, bool cnct, std::uint8_t smwb, bool cmwb_present,
                      std::uint8_t cmwb) {
  return {snct, cnct, smwb, cmwb_present, cmwb};
}

// ---- reading offers ----------------------------------------------------------------------------

struct read_case_t {
  const char* name;
  std::vector<std::string_view> fields;
  std::vector<deflate_offer_t> offers;
  std::size_t invalid = 0;
  bool malformed = false;
};

TEST(permessage_deflate, reads_offers_as_rfc_7692_and_6455_define_them) {
  const read_case_t cases[] = {
      {"no field", {}, {}},
      {"bare", {"permessage-deflate"}, {offer(false, false, 0, false, 0)}},
      {"chromium's offer",
       {"permessage-deflate; client_max_window_bits"},
       {offer(false, false, 0, true, 0)}},
      {"every parameter",
       {"permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
        "server_max_window_bits=10; client_max_window_bits=9"},
       {offer(true, true, 10, true, 9)}},
      {"quoted values",
       {"permessage-deflate; server_max_window_bits=\"12\"; client_max_window_bits=\"8\""},
       {offer(false, false, 12, true, 8)}},
      {"escaped quoted value",
       {"permessage-deflate; server_max_window_bits=\"1\\3\""},
       {offer(false, false, 13, false, 0)}},
      {"no whitespace",
       {"permessage-deflate;client_max_window_bits;server_max_window_bits=15"},
       {offer(false, false, 15, true, 0)}},
      {"whitespace around = and ;",
       {"permessage-deflate ;  server_max_window_bits = 9 "},
       {offer(false, false, 9, false, 0)}},
      {"several offers in one field",
       {"permessage-deflate; server_max_window_bits=10, permessage-deflate"},
       {offer(false, false, 10, false, 0), offer(false, false, 0, false, 0)}},
      {"several fields",
       {"permessage-deflate; client_no_context_takeover", "permessage-deflate"},
       {offer(false, true, 0, false, 0), offer(false, false, 0, false, 0)}},
      {"other extensions skipped",
       {"x-webkit-deflate-frame, permessage-deflate; server_no_context_takeover, foo; bar=1"},
       {offer(true, false, 0, false, 0)}},
      {"empty elements", {", permessage-deflate ,,"}, {offer(false, false, 0, false, 0)}},
      {"name compares exactly", {"Permessage-Deflate"}, {}},
      {"unknown parameter declines that offer",
       {"permessage-deflate; foo, permessage-deflate"},
       {offer(false, false, 0, false, 0)},
       1},
      {"repeated parameter",
       {"permessage-deflate; server_no_context_takeover; "
        "server_no_context_takeover"},
       {},
       1},
      {"value on a flag", {"permessage-deflate; client_no_context_takeover=1"}, {}, 1},
      {"server window without value", {"permessage-deflate; server_max_window_bits"}, {}, 1},
      {"window 7", {"permessage-deflate; server_max_window_bits=7"}, {}, 1},
      {"window 16", {"permessage-deflate; client_max_window_bits=16"}, {}, 1},
      {"window 08", {"permessage-deflate; server_max_window_bits=08"}, {}, 1},
      {"window +9", {"permessage-deflate; server_max_window_bits=+9"}, {}, 1},
      {"window hex", {"permessage-deflate; server_max_window_bits=0xA"}, {}, 1},
      {"huge window", {"permessage-deflate; server_max_window_bits=99999999999999999999"}, {}, 1},
      {"quoted empty", {"permessage-deflate; server_max_window_bits=\"\""}, {}, 0, true},
      {"quoted not a token", {"permessage-deflate; server_max_window_bits=\"1 2\""}, {}, 0, true},
      {"unterminated quote", {"permessage-deflate; server_max_window_bits=\"12"}, {}, 0, true},
      {"missing parameter name", {"permessage-deflate; =1"}, {}, 0, true},
      {"missing value", {"permessage-deflate; server_max_window_bits="}, {}, 0, true},
      {"trailing semicolon", {"permessage-deflate;"}, {}, 0, true},
      {"space inside a name", {"permessage deflate"}, {}, 0, true},
      {"a bad field spoils the others",
       {"permessage-deflate", "permessage-deflate; @"},
       {},
       0,
       true},
      {"control byte", {"permessage-deflate\x01"}, {}, 0, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    http_header_fields_t f{{"Host", "example.com"}};
    for (const auto v : c.fields) f.add_field("Sec-WebSocket-Extensions", std::string{v});
    const auto r = read_deflate_offers(f);
    EXPECT_EQ(r.offers, c.offers);
    EXPECT_EQ(r.invalid, c.invalid);
    EXPECT_EQ(r.malformed, c.malformed);
  }
}

// ---- the server's answer -----------------------------------------------------------------------

struct negotiate_case_t {
  const char* name;
  std::string_view field;
  deflate_config_t config;
  std::optional<std::string> response;  ///< std::nullopt: declined
};

TEST(permessage_deflate, answers_with_exactly_the_accepted_parameters) {
  const deflate_config_t defaults{};
  deflate_config_t own_nct;
  own_nct.server_no_context_takeover = true;
  deflate_config_t ask_nct;
  ask_nct.client_no_context_takeover = true;
  deflate_config_t small;
  small.server_max_window_bits = 11;
  small.client_max_window_bits = 10;
  const negotiate_case_t cases[] = {
      {"bare", "permessage-deflate", defaults, "permessage-deflate"},
      {"chromium", "permessage-deflate; client_max_window_bits", defaults, "permessage-deflate"},
      {"client asks us not to keep context", "permessage-deflate; server_no_context_takeover",
       defaults, "permessage-deflate; server_no_context_takeover"},
      {"client will not keep context", "permessage-deflate; client_no_context_takeover", defaults,
       "permessage-deflate; client_no_context_takeover"},
      {"server keeps no context", "permessage-deflate", own_nct,
       "permessage-deflate; server_no_context_takeover"},
      {"server asks client", "permessage-deflate", ask_nct,
       "permessage-deflate; client_no_context_takeover"},
      {"client limits our window", "permessage-deflate; server_max_window_bits=8", defaults,
       "permessage-deflate; server_max_window_bits=8"},
      {"client states 15", "permessage-deflate; server_max_window_bits=15", defaults,
       "permessage-deflate; server_max_window_bits=15"},
      {"our smaller window is stated", "permessage-deflate", small,
       "permessage-deflate; server_max_window_bits=11"},
      {"the smaller of both", "permessage-deflate; server_max_window_bits=13", small,
       "permessage-deflate; server_max_window_bits=11"},
      {"client window asked when allowed", "permessage-deflate; client_max_window_bits", small,
       "permessage-deflate; server_max_window_bits=11; client_max_window_bits=10"},
      {"client's own smaller window kept", "permessage-deflate; client_max_window_bits=9", small,
       "permessage-deflate; server_max_window_bits=11; client_max_window_bits=9"},
      {"first valid offer wins",
       "permessage-deflate; bogus, permessage-deflate; server_no_context_takeover, "
       "permessage-deflate",
       defaults, "permessage-deflate; server_no_context_takeover"},
      {"no valid offer", "permessage-deflate; server_max_window_bits=3", defaults, std::nullopt},
      {"malformed", "permessage-deflate; \"x\"", defaults, std::nullopt},
      {"other extension only", "x-foo", defaults, std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto a = negotiate_deflate(read_deflate_offers(extensions({c.field})), c.config);
    ASSERT_EQ(a.has_value(), c.response.has_value());
    if (a) {
      EXPECT_EQ(deflate_response_value(*a), *c.response);
    }
  }
}

TEST(permessage_deflate, agreement_gives_each_side_its_window_and_context) {
  deflate_config_t config;
  config.client_max_window_bits = 12;
  const auto a = negotiate_deflate(
      read_deflate_offers(extensions({"permessage-deflate; server_max_window_bits=9; "
                                      "client_max_window_bits; server_no_context_takeover"})),
      config);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->server_max_window_bits, 9);
  EXPECT_EQ(a->client_max_window_bits, 12);
  EXPECT_TRUE(a->server_no_context_takeover);
  EXPECT_FALSE(a->client_no_context_takeover);
}

TEST(permessage_deflate, a_client_that_allows_no_limit_gets_none_stated) {
  deflate_config_t config;
  config.client_max_window_bits = 9;
  const auto a = negotiate_deflate(read_deflate_offers(extensions({"permessage-deflate"})), config);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->client_max_window_bits, 15);  // we inflate with the full window
  EXPECT_EQ(deflate_response_value(*a), "permessage-deflate");
}

TEST(permessage_deflate, out_of_range_settings_are_clamped) {
  deflate_config_t config;
  config.server_max_window_bits = 3;
  config.client_max_window_bits = 40;
  const auto a = negotiate_deflate(
      read_deflate_offers(extensions({"permessage-deflate; client_max_window_bits"})), config);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->server_max_window_bits, 8);
  EXPECT_EQ(a->client_max_window_bits, 15);
}

// ---- the client's side -------------------------------------------------------------------------

TEST(permessage_deflate, writes_an_offer_that_reads_back) {
  const deflate_offer_t offers[] = {offer(false, false, 0, false, 0),
                                    offer(false, false, 0, true, 0), offer(true, true, 10, true, 9),
                                    offer(false, true, 15, false, 0)};
  for (const auto& o : offers) {
    const auto v = deflate_offer_value(o);
    SCOPED_TRACE(v);
    const auto r = read_deflate_offers(extensions({v}));
    ASSERT_EQ(r.offers.size(), 1u);
    EXPECT_EQ(r.offers[0], o);
  }
}

struct response_case_t {
  const char* name;
  deflate_offer_t offered;
  std::vector<std::string_view> fields;
  deflate_response_error_t error;
  bool agreed;
};

TEST(permessage_deflate, client_checks_the_servers_answer) {
  const auto plain = offer(false, false, 0, false, 0);
  const auto chromium = offer(false, false, 0, true, 0);
  const auto limited = offer(true, false, 10, true, 12);
  using e = deflate_response_error_t;
  const response_case_t cases[] = {
      {"declined", chromium, {}, e::none, false},
      {"accepted", chromium, {"permessage-deflate"}, e::none, true},
      {"client window stated",
       chromium,
       {"permessage-deflate; client_max_window_bits=10"},
       e::none,
       true},
      {"client window not allowed",
       plain,
       {"permessage-deflate; client_max_window_bits=10"},
       e::refused,
       false},
      {"client window without value",
       chromium,
       {"permessage-deflate; client_max_window_bits"},
       e::malformed,
       false},
      {"server window over ours",
       limited,
       {"permessage-deflate; server_no_context_takeover; server_max_window_bits=11"},
       e::refused,
       false},
      {"server window missing",
       limited,
       {"permessage-deflate; server_no_context_takeover"},
       e::refused,
       false},
      {"no context takeover dropped",
       limited,
       {"permessage-deflate; server_max_window_bits=10"},
       e::refused,
       false},
      {"limited accepted",
       limited,
       {"permessage-deflate; server_no_context_takeover; server_max_window_bits=9"},
       e::none,
       true},
      {"server lowers its window unasked",
       plain,
       {"permessage-deflate; server_max_window_bits=9"},
       e::none,
       true},
      {"other extension", plain, {"x-foo"}, e::not_offered, false},
      {"two answers", plain, {"permessage-deflate, permessage-deflate"}, e::not_offered, false},
      {"bad syntax", plain, {"permessage-deflate;"}, e::malformed, false},
      {"bad parameter", plain, {"permessage-deflate; foo"}, e::malformed, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    http_header_fields_t f{{"Upgrade", "websocket"}};
    for (const auto v : c.fields) f.add_field("Sec-WebSocket-Extensions", std::string{v});
    const auto r = read_deflate_response(f, c.offered);
    EXPECT_EQ(r.error, c.error);
    EXPECT_EQ(r.agreed.has_value(), c.agreed);
  }
}

TEST(permessage_deflate, client_agreement_mirrors_the_servers) {
  const auto r = read_deflate_response(
      extensions({"permessage-deflate; server_no_context_takeover; server_max_window_bits=9; "
                  "client_max_window_bits=11"}),
      offer(false, false, 0, true, 0));
  ASSERT_TRUE(r.agreed);
  EXPECT_TRUE(r.agreed->server_no_context_takeover);
  EXPECT_EQ(r.agreed->server_max_window_bits, 9);
  EXPECT_EQ(r.agreed->client_max_window_bits, 11);
}

}  // namespace
}  // namespace restws::websocket::protocol
