#include "options.hpp"

#include <charconv>
#include <string_view>

namespace chat {

const char* const usage =
    "usage: chat [--port N] [--address A] [--node-name NAME] [--redis HOST:PORT]"
    " [--idle-timeout-ms N]";

namespace {

template <typename T>
bool parse_number(std::string_view s, T& out, T min, T max) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < min || v > max) return false;
  out = v;
  return true;
}

// Node names go into every presence message and the page: short and plain.
bool valid_node_name(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::variant<options_t, std::string> parse_options(int argc, const char* const* argv) {
  options_t o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return "missing value for " + std::string{flag};
    const std::string_view value = argv[++i];
    if (flag == "--port") {
      if (!parse_number<std::uint16_t>(value, o.port, 1, 65535)) return "bad --port";
    } else if (flag == "--address") {
      if (value.empty()) return "bad --address";
      o.address = value;
    } else if (flag == "--node-name") {
      if (!valid_node_name(value)) return "--node-name: 1 to 32 of A-Z a-z 0-9 . - _";
      o.node_name = value;
    } else if (flag == "--redis") {
      const auto colon = value.rfind(':');
      if (colon == std::string_view::npos || colon == 0) return "--redis wants HOST:PORT";
      if (!parse_number<std::uint16_t>(value.substr(colon + 1), o.redis_port, 1, 65535))
        return "bad port in --redis";
      o.redis_host = std::string{value.substr(0, colon)};
    } else if (flag == "--idle-timeout-ms") {
      long ms = 0;
      if (!parse_number<long>(value, ms, 0, 24L * 3600 * 1000)) return "bad --idle-timeout-ms";
      o.idle_timeout = std::chrono::milliseconds{ms};
    } else {
      return "unknown option " + std::string{flag};
    }
  }
  return o;
}

}  // namespace chat
