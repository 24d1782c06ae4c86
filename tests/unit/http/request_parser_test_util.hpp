#pragma once
// Helpers shared by the request parser tests: run the parser over whole requests.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "restws/http/request_parser.hpp"

namespace restws::http::test {

/// Everything a user observes from parsing one request, owned so results can be compared.
struct parsed_request_t {
  parse_status_t status = parse_status_t::incomplete;
  parse_error_t error = parse_error_t::none;
  std::string method;
  std::string target;
  unsigned major = 0;
  unsigned minor = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  body_kind_t body_kind = body_kind_t::none;
  std::uint64_t content_length = 0;
  bool keep_alive = false;
  bool upgrade = false;
  bool expect_continue = false;
  std::size_t head_size = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> trailers;
  std::size_t used = 0;  ///< input bytes this request used (head + body)

  bool operator==(const parsed_request_t&) const = default;
};

inline void copy_head(const request_parser_t& p, parsed_request_t& r) {
  const auto& h = p.head();
  r.method = h.method_name;
  r.target = h.target;
  r.major = h.version_major;
  r.minor = h.version_minor;
  for (const auto& f : h.fields) r.fields.emplace_back(f.name, f.value);
  r.body_kind = h.body_kind;
  r.content_length = h.content_length;
  r.keep_alive = h.keep_alive;
  r.upgrade = h.connection_upgrade;
  r.expect_continue = h.expect_continue;
  r.head_size = h.head_size;
}

/// Parses one request from `raw` in a single call each for head and body.
inline parsed_request_t parse_one(std::string_view raw, parser_limits_t limits = {}) {
  request_parser_t p{limits};
  parsed_request_t r;
  r.status = p.parse_head(raw);
  if (r.status == parse_status_t::complete) {
    copy_head(p, r);
    std::size_t consumed = 0;
    r.status = p.parse_body(raw.substr(r.head_size), r.body, consumed);
    r.used = r.head_size + consumed;
    if (r.status == parse_status_t::complete) r.trailers = p.trailers();
  }
  r.error = p.error();
  if (r.status == parse_status_t::error) r.used = 0;  // where an error stops depends on the split
  return r;
}

/// Parses back-to-back requests from `raw`, one call per head and body, until the input ends or
/// a request fails or is incomplete.
inline std::vector<parsed_request_t> parse_pipeline(std::string_view raw,
                                                    parser_limits_t limits = {}) {
  std::vector<parsed_request_t> out;
  while (!raw.empty()) {
    out.push_back(parse_one(raw, limits));
    if (out.back().status != parse_status_t::complete) break;
    raw.remove_prefix(out.back().used);
  }
  return out;
}

}  // namespace restws::http::test

namespace restws::http::test {

/// Parses back-to-back requests as a server would receive them: `raw` arrives in pieces cut at
/// `cuts` (ascending offsets); each arrival is appended to a fresh buffer (so earlier buffers are
/// gone, as after a reallocation); heads are re-fed as the buffer grows, bodies are fed only the
/// unconsumed bytes. Stops at the first error.
inline std::vector<parsed_request_t> parse_stream(std::string_view raw,
                                                  const std::vector<std::size_t>& cuts,
                                                  parser_limits_t limits = {}) {
  std::vector<parsed_request_t> out;
  request_parser_t p{limits};
  std::string buffer;
  parsed_request_t cur;
  bool in_body = false;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t to = i < cuts.size() ? cuts[i] : raw.size();
    buffer = buffer + std::string{raw.substr(from, to - from)};
    from = to;
    while (true) {
      if (!in_body) {
        if (buffer.empty()) break;
        const auto st = p.parse_head(buffer);
        if (st == parse_status_t::incomplete) break;
        if (st == parse_status_t::error) {
          cur.used = 0;
          cur.status = st;
          cur.error = p.error();
          out.push_back(cur);
          return out;
        }
        copy_head(p, cur);
        cur.used = cur.head_size;
        buffer = buffer.substr(cur.head_size);  // the head views die here: copied above
        in_body = true;
      }
      std::size_t consumed = 0;
      const auto st = p.parse_body(buffer, cur.body, consumed);
      buffer = buffer.substr(consumed);
      cur.used += consumed;
      if (st == parse_status_t::incomplete) break;
      cur.status = st;
      cur.error = p.error();
      if (st == parse_status_t::complete) cur.trailers = p.trailers();
      if (st == parse_status_t::error) cur.used = 0;
      out.push_back(cur);
      if (st == parse_status_t::error) return out;
      cur = parsed_request_t{};
      in_body = false;
      p.reset();
    }
  }
  if (in_body || !buffer.empty()) {  // ran out of input mid-request
    cur.status = parse_status_t::incomplete;
    out.push_back(cur);
  }
  return out;
}

}  // namespace restws::http::test
