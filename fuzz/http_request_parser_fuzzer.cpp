// libFuzzer target for the sans-IO request parser.
//
// Input layout: byte 0 selects limits (small limits reach the 413/431 paths), bytes 1-4 seed the
// split points; the rest is a stream of (possibly pipelined) requests. Invariants checked:
//  - never crash, hang or read out of bounds (ASan/UBSan);
//  - parsing the stream as it would arrive in random pieces gives the same requests, bodies,
//    trailers and error as parsing it in one piece;
//  - head views lie inside the caller's buffer; head_size and consumed stay within the input;
//  - an error maps to one of 400, 413, 414, 431, 501, 505.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "../tests/unit/http/request_parser_test_util.hpp"
#include "restws/http/request_parser.hpp"

namespace {

using namespace restws::http;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_views(std::string_view raw, parser_limits_t limits) {
  request_parser_t p{limits};
  const auto st = p.parse_head(raw);
  if (st == parse_status_t::error) {
    const int s = error_status(p.error());
    check(s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505);
    return;
  }
  if (st != parse_status_t::complete) return;
  const auto& h = p.head();
  const auto inside = [&](std::string_view v) {
    return v.data() >= raw.data() && v.data() + v.size() <= raw.data() + raw.size();
  };
  check(h.head_size <= raw.size());
  check(h.head_size <= limits.max_header_section + 2 * 8);  // plus skipped empty lines
  check(inside(h.method_name) && inside(h.target));
  check(h.fields.size() <= limits.max_field_count);
  for (const auto& f : h.fields) check(inside(f.name) && inside(f.value));
  std::string body;
  std::size_t consumed = 0;
  const auto body_input = raw.substr(h.head_size);
  p.parse_body(body_input, body, consumed);
  check(consumed <= body_input.size());
  check(body.size() <= limits.max_body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  parser_limits_t limits;
  if (data[0] & 1)
    limits = {
        .max_header_section = 96, .max_field_count = 4, .max_body = 24, .max_chunk_extension = 8};
  std::uint32_t seed = static_cast<std::uint32_t>(data[1]) | (std::uint32_t{data[2]} << 8) |
                       (std::uint32_t{data[3]} << 16) | (std::uint32_t{data[4]} << 24);
  const std::string_view raw{reinterpret_cast<const char*>(data) + 5, size - 5};

  // Split points from the seed (xorshift), ascending, between 0 and 16 of them.
  std::vector<std::size_t> cuts;
  const unsigned count = seed % 17;
  std::size_t at = 0;
  for (unsigned i = 0; i < count && !raw.empty(); ++i) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    at += 1 + seed % (raw.size() / (count + 1) + 2);
    if (at >= raw.size()) break;
    cuts.push_back(at);
  }

  const auto one_shot = restws::http::test::parse_pipeline(raw, limits);
  const auto pieces = restws::http::test::parse_stream(raw, cuts, limits);
  check(one_shot == pieces);
  check_views(raw, limits);
  return 0;
}
