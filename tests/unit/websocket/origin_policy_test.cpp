#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "restws/websocket/protocol/origin.hpp"

namespace restws::websocket::protocol {
namespace {

using http::http_header_fields_t;
using strings_t = std::vector<std::string>;

// ---- parsing what a browser sends --------------------------------------------------------------

struct parse_case_t {
  std::string_view value;
  bool ok;
  std::string_view scheme = {};
  std::string_view host = {};
  std::uint16_t port = 0;
};

TEST(origin_policy, parses_serialized_origins) {
  const parse_case_t cases[] = {
      {"https://example.com", true, "https", "example.com", 443},
      {"http://example.com", true, "http", "example.com", 80},
      {"wss://example.com", true, "wss", "example.com", 443},
      {"ws://example.com", true, "ws", "example.com", 80},
      {"https://example.com:8443", true, "https", "example.com", 8443},
      {"https://example.com:443", true, "https", "example.com", 443},
      {"HTTPS://Example.COM", true, "HTTPS", "Example.COM", 443},
      {"http://127.0.0.1:3000", true, "http", "127.0.0.1", 3000},
      {"http://[::1]:8080", true, "http", "[::1]", 8080},
      {"http://[::ffff:127.0.0.1]", true, "http", "[::ffff:127.0.0.1]", 80},
      {"http://localhost", true, "http", "localhost", 80},
      {"chrome-extension://abcdef", true, "chrome-extension", "abcdef", 0},
      {"app+x.y-z://host", true, "app+x.y-z", "host", 0},
      {"http://a_b.example", true, "http", "a_b.example", 80},
      {"http://xn--bcher-kva.example", true, "http", "xn--bcher-kva.example", 80},
      {"http://example.com:65535", true, "http", "example.com", 65535},
      // Not one serialized origin.
      {"", false},
      {"example.com", false},
      {"https:/example.com", false},
      {"https://", false},
      {"https://example.com/", false},
      {"https://example.com/path", false},
      {"https://example.com?q", false},
      {"https://example.com#f", false},
      {"https://example.com.", false},  // trailing dot
      {"https://.example.com", false},
      {"https://example..com", false},
      {"https://user@example.com", false},
      {"https://example.com@evil.com", false},
      {"https://user:pass@example.com", false},
      {"https://example.com:", false},
      {"https://example.com:0", false},
      {"https://example.com:65536", false},
      {"https://example.com:123456", false},
      {"https://example.com:80a", false},
      {"https://example.com:-1", false},
      {"https://exa mple.com", false},
      {"https://example.com https://other.com", false},  // RFC 6454's list of origins
      {" https://example.com", false},
      {"https://example.com ", false},
      {"https://[::1", false},
      {"https://[]", false},
      {"https://[::g]", false},
      {"https://[::1]x", false},
      {"1https://example.com", false},
      {"ht tp://example.com", false},
      {"://example.com", false},
      {"https://ex%61mple.com", false},
      {"https://*.example.com", false},  // wildcards are for allow-lists, not requests
      {"Null", false},
      {"null ", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string{"value: "} + std::string{c.value});
    const auto o = parse_origin(c.value);
    ASSERT_EQ(o.has_value(), c.ok);
    if (!o) continue;
    EXPECT_FALSE(o->opaque);
    EXPECT_EQ(o->scheme, c.scheme);
    EXPECT_EQ(o->host, c.host);
    EXPECT_EQ(o->port, c.port);
  }
}

TEST(origin_policy, parses_null_as_opaque) {
  const auto o = parse_origin("null");
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->opaque);
  EXPECT_FALSE(same_origin(*o, *o));  // an opaque origin is the same as no other
}

TEST(origin_policy, same_origin_ignores_case_and_default_ports) {
  const auto same = [](std::string_view a, std::string_view b) {
    return same_origin(*parse_origin(a), *parse_origin(b));
  };
  EXPECT_TRUE(same("https://x.example", "https://x.example:443"));
  EXPECT_TRUE(same("http://x.example", "http://x.example:80"));
  EXPECT_TRUE(same("HTTPS://X.Example", "https://x.example"));
  EXPECT_FALSE(same("https://x.example", "http://x.example"));
  EXPECT_FALSE(same("https://x.example", "https://x.example:80"));
  EXPECT_FALSE(same("http://x.example", "http://x.example:443"));
  EXPECT_FALSE(same("https://x.example", "https://y.example"));
}

// ---- allow-list entries ------------------------------------------------------------------------

TEST(origin_policy, validates_allow_list_entries) {
  for (const auto e : {"https://app.example.com", "https://app.example.com:8443",
                       "http://localhost:3000", "https://*.example.com",
                       "https://*.example.com:8443", "HTTPS://*.Example.Com", "http://[::1]:8080"})
    EXPECT_TRUE(is_valid_origin_entry(e)) << e;
  for (const auto e :
       {"", "null", "*", "https://*", "https://*.", "https://*example.com",
        "https://a.*.example.com", "https://*.*.example.com", "*.example.com",
        "https://example.com/", "https://example.com/app", "example.com", "https://*.[::1]",
        "https://user@example.com", "https://example.com.", "https://*.example.com."})
    EXPECT_FALSE(is_valid_origin_entry(e)) << e;
}

struct match_case_t {
  std::string_view entry;
  std::string_view origin;
  bool matches;
};

TEST(origin_policy, matches_exact_and_wildcard_entries) {
  const match_case_t cases[] = {
      // Exact entries.
      {"https://app.example.com", "https://app.example.com", true},
      {"https://app.example.com", "https://APP.Example.com", true},  // host case
      {"https://app.example.com", "HTTPS://app.example.com", true},  // scheme case
      {"HTTPS://APP.EXAMPLE.COM", "https://app.example.com", true},
      {"https://app.example.com", "https://app.example.com:443", true},  // default port
      {"https://app.example.com:443", "https://app.example.com", true},
      {"http://app.example.com", "http://app.example.com:80", true},
      {"https://app.example.com:8443", "https://app.example.com:8443", true},
      {"https://app.example.com", "https://app.example.com:8443", false},
      {"https://app.example.com:8443", "https://app.example.com", false},
      {"https://app.example.com", "http://app.example.com", false},  // scheme
      {"https://app.example.com", "wss://app.example.com", false},
      {"https://app.example.com", "https://example.com", false},
      {"https://app.example.com", "https://x.app.example.com", false},
      {"https://app.example.com", "https://app.example.com.evil.com", false},
      {"https://app.example.com", "https://evilapp.example.com", false},
      {"http://[::1]:8080", "http://[::1]:8080", true},
      // Wildcards: any depth >= 1, not the bare domain.
      {"https://*.example.com", "https://a.example.com", true},
      {"https://*.example.com", "https://a.b.example.com", true},
      {"https://*.example.com", "https://a.b.c.example.com", true},
      {"https://*.example.com", "https://A.EXAMPLE.COM", true},
      {"https://*.Example.COM", "https://a.example.com", true},
      {"https://*.example.com", "https://a.example.com:443", true},
      {"https://*.example.com", "https://example.com", false},
      {"https://*.example.com", "https://evil-example.com", false},
      {"https://*.example.com", "https://evilexample.com", false},
      {"https://*.example.com", "https://example.com.evil.com", false},
      {"https://*.example.com", "https://a.example.com.evil.com", false},
      {"https://*.example.com", "https://a.example.co", false},
      {"https://*.example.com", "https://a.example.com:8443", false},
      {"https://*.example.com", "http://a.example.com", false},
      {"https://*.example.com:8443", "https://a.example.com:8443", true},
      {"https://*.example.com:8443", "https://a.example.com", false},
      {"https://*.com", "https://example.com", true},
      {"https://*.com", "https://com", false},
      // Entries that are not valid match nothing.
      {"https://example.com/", "https://example.com", false},
      {"null", "https://example.com", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string{c.entry} + " vs " + std::string{c.origin});
    const auto o = parse_origin(c.origin);
    ASSERT_TRUE(o);
    EXPECT_EQ(origin_matches(c.entry, *o), c.matches);
  }
}

TEST(origin_policy, opaque_origin_matches_no_entry) {
  const auto o = parse_origin("null");
  for (const auto e : {"null", "https://example.com", "https://*.example.com"})
    EXPECT_FALSE(origin_matches(e, *o)) << e;
}

// ---- the whole check ---------------------------------------------------------------------------

struct check_case_t {
  const char* name;
  std::vector<std::string_view> origins;  // one Origin field each
  strings_t allowed;
  bool require;
  origin_check_t result;
};

TEST(origin_policy, checks_requests) {
  const strings_t list{"https://app.example.com", "https://*.example.org"};
  const check_case_t cases[] = {
      {"no list, no Origin", {}, {}, false, origin_check_t::allowed},
      {"no list, any Origin", {"https://evil.com"}, {}, false, origin_check_t::allowed},
      {"no list, malformed Origin is not read", {"bad"}, {}, false, origin_check_t::allowed},
      {"no list, several Origins are not read", {"a", "b"}, {}, false, origin_check_t::allowed},
      {"listed", {"https://app.example.com"}, list, false, origin_check_t::allowed},
      {"listed with OWS", {" https://app.example.com\t"}, list, false, origin_check_t::allowed},
      {"wildcard", {"https://x.y.example.org"}, list, false, origin_check_t::allowed},
      {"not listed", {"https://evil.com"}, list, false, origin_check_t::not_allowed},
      {"bare wildcard domain", {"https://example.org"}, list, false, origin_check_t::not_allowed},
      {"null with a list", {"null"}, list, false, origin_check_t::not_allowed},
      {"list, no Origin", {}, list, false, origin_check_t::allowed},
      {"malformed", {"https://app.example.com/"}, list, false, origin_check_t::malformed},
      {"empty", {""}, list, false, origin_check_t::malformed},
      {"two fields",
       {"https://app.example.com", "https://app.example.com"},
       list,
       false,
       origin_check_t::malformed},
      {"two fields, one bad",
       {"https://app.example.com", "https://evil.com"},
       list,
       false,
       origin_check_t::malformed},
      {"list of origins in one field",
       {"https://app.example.com https://evil.com"},
       list,
       false,
       origin_check_t::malformed},
      {"required, missing", {}, list, true, origin_check_t::missing},
      {"required, listed", {"https://app.example.com"}, list, true, origin_check_t::allowed},
      {"required without list, missing", {}, {}, true, origin_check_t::missing},
      {"required without list, any", {"https://evil.com"}, {}, true, origin_check_t::allowed},
      {"required without list, null", {"null"}, {}, true, origin_check_t::allowed},
      {"required without list, malformed", {"bad"}, {}, true, origin_check_t::malformed},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    http_header_fields_t f{{"Host", "example.com"}};
    for (const auto v : c.origins) f.add_field("Origin", std::string{v});
    EXPECT_EQ(check_origin(f, c.allowed, c.require), c.result);
  }
}

TEST(origin_policy, origin_field_name_is_case_insensitive) {
  const strings_t list{"https://app.example.com"};
  http_header_fields_t f{{"origin", "https://evil.com"}};
  EXPECT_EQ(check_origin(f, list, false), origin_check_t::not_allowed);
}

TEST(origin_policy, statuses_and_descriptions) {
  EXPECT_EQ(http_status(origin_check_t::allowed), 101);
  for (const auto r :
       {origin_check_t::missing, origin_check_t::malformed, origin_check_t::not_allowed}) {
    EXPECT_EQ(http_status(r), 403);
    EXPECT_FALSE(describe(r).empty());
  }
}

}  // namespace
}  // namespace restws::websocket::protocol
