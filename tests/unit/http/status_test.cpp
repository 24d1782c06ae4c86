#include "restws/http/status.hpp"

#include <gtest/gtest.h>

namespace restws::http {
namespace {

TEST(status, reason_phrases_follow_rfc9110) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
}

TEST(status, unlisted_code_is_unknown) { EXPECT_EQ(reason_phrase(299), "Unknown"); }

TEST(status, status_line_pairs_code_with_its_phrase) {
  const auto s = status_line(414);
  EXPECT_EQ(s.code, 414);
  EXPECT_EQ(s.reason, "URI Too Long");
}

}  // namespace
}  // namespace restws::http
