#include "restws/websocket/protocol/utf8_validator.hpp"

#include <gtest/gtest.h>

#include <string>

#include "test_bytes.hpp"

namespace restws::websocket::protocol {
namespace {

// Cases from Markus Kuhn's "UTF-8 decoder capability and stress test" (section numbers in the
// names), plus ASCII runs around the 8-byte fast path. `fail_at` is the offset of the first byte
// that makes the text impossible, or its length if only the end of the text shows it (a
// truncated sequence); npos for valid text.
struct utf8_case_t {
  const char* name;
  std::string text;
  std::size_t fail_at;
};
constexpr std::size_t valid = std::string::npos;

void PrintTo(const utf8_case_t& c, std::ostream* os) { *os << c.name; }

std::string s(std::initializer_list<int> v) {
  std::string out;
  for (int c : v) out.push_back(static_cast<char>(c));
  return out;
}

const utf8_case_t cases[] = {
    // 1 and 2.x: valid samples and boundary code points.
    {"k1_kosme", s({0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5}), valid},
    {"k2_1_1_nul", s({0x00}), valid},
    {"k2_1_2_u0080", s({0xC2, 0x80}), valid},
    {"k2_1_3_u0800", s({0xE0, 0xA0, 0x80}), valid},
    {"k2_1_4_u10000", s({0xF0, 0x90, 0x80, 0x80}), valid},
    {"k2_1_5_five_byte_form", s({0xF8, 0x88, 0x80, 0x80, 0x80}), 0},
    {"k2_1_6_six_byte_form", s({0xFC, 0x84, 0x80, 0x80, 0x80, 0x80}), 0},
    {"k2_2_1_u007f", s({0x7F}), valid},
    {"k2_2_2_u07ff", s({0xDF, 0xBF}), valid},
    {"k2_2_3_uffff", s({0xEF, 0xBF, 0xBF}), valid},
    {"k2_2_4_u1fffff", s({0xF7, 0xBF, 0xBF, 0xBF}), 0},
    {"k2_3_1_ud7ff", s({0xED, 0x9F, 0xBF}), valid},
    {"k2_3_2_ue000", s({0xEE, 0x80, 0x80}), valid},
    {"k2_3_3_ufffd", s({0xEF, 0xBF, 0xBD}), valid},
    {"k2_3_4_u10ffff", s({0xF4, 0x8F, 0xBF, 0xBF}), valid},
    {"k2_3_5_u110000", s({0xF4, 0x90, 0x80, 0x80}), 1},
    {"autobahn_6_2_hello_mixed",
     "Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!", valid},
    // 3.1: unexpected continuation bytes.
    {"k3_1_1_first_continuation", s({0x80}), 0},
    {"k3_1_2_last_continuation", s({0xBF}), 0},
    {"k3_1_3_two_continuations", s({0x80, 0xBF}), 0},
    {"k3_1_continuation_after_ascii", "abc\x80", 3},
    {"k3_1_continuation_after_sequence", s({0xC2, 0x80, 0x80}), 2},
    // 3.2: lonely start characters followed by a space.
    {"k3_2_1_c0_space", s({0xC0, 0x20}), 0},
    {"k3_2_1_c2_space", s({0xC2, 0x20}), 1},
    {"k3_2_2_e0_space", s({0xE0, 0x20}), 1},
    {"k3_2_2_e1_80_space", s({0xE1, 0x80, 0x20}), 2},
    {"k3_2_3_f0_space", s({0xF0, 0x20}), 1},
    {"k3_2_3_f1_80_80_space", s({0xF1, 0x80, 0x80, 0x20}), 3},
    {"k3_2_4_f8_space", s({0xF8, 0x20}), 0},
    {"k3_2_5_fc_space", s({0xFC, 0x20}), 0},
    // 3.3: sequences with the last continuation byte missing (visible only at the end).
    {"k3_3_1_c2_truncated", s({0xC2}), 1},
    {"k3_3_2_e0_a0_truncated", s({0xE0, 0xA0}), 2},
    {"k3_3_3_f0_90_80_truncated", s({0xF0, 0x90, 0x80}), 3},
    {"k3_3_6_df_truncated", s({0xDF}), 1},
    {"k3_3_7_ef_bf_truncated", s({0xEF, 0xBF}), 2},
    {"k3_3_8_f4_8f_bf_truncated", s({0xF4, 0x8F, 0xBF}), 3},
    {"k3_3_truncated_after_ascii", "0123456789\xE2\x82", 12},
    // 3.4: concatenated incomplete sequences.
    {"k3_4_concatenated_incomplete", s({0xC2, 0xE0, 0xA0, 0xF0, 0x90, 0x80}), 1},
    // 3.5: impossible bytes.
    {"k3_5_1_fe", s({0xFE}), 0},
    {"k3_5_2_ff", s({0xFF}), 0},
    {"k3_5_3_fe_fe_ff_ff", s({0xFE, 0xFE, 0xFF, 0xFF}), 0},
    {"k3_5_f5", s({0xF5, 0x80, 0x80, 0x80}), 0},
    // 4.1–4.3: overlong forms.
    {"k4_1_1_overlong_slash_2", s({0xC0, 0xAF}), 0},
    {"k4_1_2_overlong_slash_3", s({0xE0, 0x80, 0xAF}), 1},
    {"k4_1_3_overlong_slash_4", s({0xF0, 0x80, 0x80, 0xAF}), 1},
    {"k4_1_4_overlong_slash_5", s({0xF8, 0x80, 0x80, 0x80, 0xAF}), 0},
    {"k4_1_5_overlong_slash_6", s({0xFC, 0x80, 0x80, 0x80, 0x80, 0xAF}), 0},
    {"k4_2_1_max_overlong_2", s({0xC1, 0xBF}), 0},
    {"k4_2_2_max_overlong_3", s({0xE0, 0x9F, 0xBF}), 1},
    {"k4_2_3_max_overlong_4", s({0xF0, 0x8F, 0xBF, 0xBF}), 1},
    {"k4_3_1_overlong_nul_2", s({0xC0, 0x80}), 0},
    {"k4_3_2_overlong_nul_3", s({0xE0, 0x80, 0x80}), 1},
    {"k4_3_3_overlong_nul_4", s({0xF0, 0x80, 0x80, 0x80}), 1},
    // 5.1–5.2: UTF-16 surrogates.
    {"k5_1_1_ud800", s({0xED, 0xA0, 0x80}), 1},
    {"k5_1_2_udb7f", s({0xED, 0xAD, 0xBF}), 1},
    {"k5_1_3_udb80", s({0xED, 0xAE, 0x80}), 1},
    {"k5_1_4_udbff", s({0xED, 0xAF, 0xBF}), 1},
    {"k5_1_5_udc00", s({0xED, 0xB0, 0x80}), 1},
    {"k5_1_6_udf80", s({0xED, 0xBE, 0x80}), 1},
    {"k5_1_7_udfff", s({0xED, 0xBF, 0xBF}), 1},
    {"k5_2_1_paired_surrogates", s({0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80}), 1},
    // 5.3: noncharacters are valid UTF-8.
    {"k5_3_1_ufffe", s({0xEF, 0xBF, 0xBE}), valid},
    {"k5_3_2_uffff", s({0xEF, 0xBF, 0xBF}), valid},
    // ASCII runs around the word-at-a-time fast path.
    {"ascii_long_run", std::string(100, 'x'), valid},
    {"ascii_run_then_bad_byte_mid_word", std::string(20, 'x') + "\xFF" + std::string(20, 'y'), 20},
    {"ascii_run_then_surrogate", std::string(16, 'x') + s({0xED, 0xA0, 0x80}), 17},
    {"ascii_run_then_valid_sequences",
     std::string(13, 'x') + s({0xF0, 0x9F, 0x98, 0x80}) + std::string(9, 'y') +
         s({0xE2, 0x82, 0xAC}),
     valid},
};

// Feeds `pieces` one after the other; returns the verdict and the failure offset (npos if valid).
std::size_t run(const std::vector<std::string_view>& pieces) {
  utf8_validator_t v;
  bool ok = true;
  for (auto p : pieces) ok = v.feed(p) && ok;
  ok = v.finish() && ok;
  return ok ? valid : static_cast<std::size_t>(v.error_offset());
}

class utf8_stress : public ::testing::TestWithParam<utf8_case_t> {};

TEST_P(utf8_stress, one_shot_verdict_and_fail_position) {
  const auto& c = GetParam();
  EXPECT_EQ(run({c.text}), c.fail_at);
  EXPECT_EQ(is_valid_utf8(c.text), c.fail_at == valid);
}

TEST_P(utf8_stress, every_two_piece_split_gives_the_same_result) {
  const std::string_view t = GetParam().text;
  for (std::size_t i = 0; i <= t.size(); ++i)
    EXPECT_EQ(run({t.substr(0, i), t.substr(i)}), GetParam().fail_at) << "split at " << i;
}

TEST_P(utf8_stress, every_three_piece_split_gives_the_same_result) {
  const std::string_view t = GetParam().text;
  for (std::size_t i = 0; i <= t.size(); ++i)
    for (std::size_t j = i; j <= t.size(); ++j)
      ASSERT_EQ(run({t.substr(0, i), t.substr(i, j - i), t.substr(j)}), GetParam().fail_at)
          << "split at " << i << "," << j;
}

TEST_P(utf8_stress, byte_at_a_time_gives_the_same_result) {
  const std::string_view t = GetParam().text;
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < t.size(); ++i) pieces.push_back(t.substr(i, 1));
  EXPECT_EQ(run(pieces), GetParam().fail_at);
}

TEST_P(utf8_stress, feed_fails_fast_at_the_first_impossible_byte) {
  // A failure before the end is reported by feed() itself, as soon as the offending byte is fed;
  // valid text and text that is merely truncated pass every feed() (only finish() can tell).
  const auto& c = GetParam();
  utf8_validator_t v;
  if (c.fail_at == valid || c.fail_at == c.text.size()) {
    EXPECT_TRUE(v.feed(c.text));
    EXPECT_FALSE(v.failed());
    return;
  }
  EXPECT_TRUE(v.feed(std::string_view{c.text}.substr(0, c.fail_at)));
  EXPECT_FALSE(v.feed(std::string_view{c.text}.substr(c.fail_at, 1)));
  EXPECT_TRUE(v.failed());
  EXPECT_EQ(v.error_offset(), c.fail_at);
}

INSTANTIATE_TEST_SUITE_P(kuhn, utf8_stress, ::testing::ValuesIn(cases),
                         [](const auto& info) { return std::string{info.param.name}; });

TEST(utf8_validator, rejects_text_ending_inside_a_sequence_only_at_finish) {
  utf8_validator_t v;
  EXPECT_TRUE(v.feed(s({0xE2, 0x82})));
  EXPECT_TRUE(v.in_sequence());
  EXPECT_FALSE(v.finish());
  EXPECT_EQ(v.error_offset(), 2u);
}

TEST(utf8_validator, stays_failed_after_a_failure) {
  utf8_validator_t v;
  EXPECT_FALSE(v.feed(s({0xFF})));
  EXPECT_FALSE(v.feed("valid"));
  EXPECT_FALSE(v.finish());
  EXPECT_EQ(v.error_offset(), 0u);
}

TEST(utf8_validator, reset_starts_a_new_text) {
  utf8_validator_t v;
  EXPECT_FALSE(v.feed(s({0xC0})));
  v.reset();
  EXPECT_TRUE(v.feed("ok"));
  EXPECT_TRUE(v.finish());
}

TEST(utf8_validator, accepts_every_valid_code_point_and_rejects_every_surrogate) {
  auto encode = [](std::uint32_t cp) {
    if (cp < 0x80) return s({int(cp)});
    if (cp < 0x800) return s({int(0xC0 | (cp >> 6)), int(0x80 | (cp & 0x3F))});
    if (cp < 0x10000)
      return s({int(0xE0 | (cp >> 12)), int(0x80 | ((cp >> 6) & 0x3F)), int(0x80 | (cp & 0x3F))});
    return s({int(0xF0 | (cp >> 18)), int(0x80 | ((cp >> 12) & 0x3F)),
              int(0x80 | ((cp >> 6) & 0x3F)), int(0x80 | (cp & 0x3F))});
  };
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; cp += (cp < 0x20000 ? 1 : 97)) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(is_valid_utf8(encode(cp)), !surrogate) << std::hex << cp;
  }
}

}  // namespace
}  // namespace restws::websocket::protocol
