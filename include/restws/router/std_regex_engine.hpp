#pragma once
// The default regex engine of express_router_t: std::regex (ECMAScript).
//
// A regex engine for express_router_t<Engine> provides:
//   using compiled_regex_t; using match_results_t;
//   static compiled_regex_t compile_regex(const std::string& pattern, bool case_sensitive);
//       (throws std::invalid_argument on a bad pattern)
//   static bool try_match(std::string_view target, const compiled_regex_t&, match_results_t&);
//   static std::optional<std::string_view> submatch(std::string_view target,
//                                                   const match_results_t&, std::size_t i);
//       (group i as a view into target, nullopt if it did not take part in the match)
//   static constexpr std::size_t max_input_size;  (longer paths are answered 414)

#include <cstddef>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace restws::router {

struct std_regex_engine_t {
  using compiled_regex_t = std::regex;
  using match_results_t = std::match_results<std::string_view::const_iterator>;

  /// libstdc++'s std::regex matcher recurses once per input character and overflows the stack
  /// on long inputs (~30 000 characters under ASan with an 8 MiB stack); we keep well clear.
  static constexpr std::size_t max_input_size = 4096;

  static compiled_regex_t compile_regex(const std::string& pattern, bool case_sensitive) {
    auto flags = std::regex::ECMAScript;
    if (!case_sensitive) flags |= std::regex::icase;
    try {
      return std::regex{pattern, flags};
    } catch (const std::regex_error& e) {
      throw std::invalid_argument{"route: bad regex '" + pattern + "': " + e.what()};
    }
  }

  static bool try_match(std::string_view target, const compiled_regex_t& re, match_results_t& m) {
    return std::regex_search(target.begin(), target.end(), m, re);
  }

  static std::optional<std::string_view> submatch(std::string_view target, const match_results_t& m,
                                                  std::size_t i) {
    if (i >= m.size() || !m[i].matched) return std::nullopt;
    return target.substr(static_cast<std::size_t>(m[i].first - target.begin()),
                         static_cast<std::size_t>(m[i].length()));
  }
};

}  // namespace restws::router
