#pragma once
// The chat server's command line (pure, for the tests):
//   chat [--port N] [--address A] [--node-name NAME] [--redis HOST:PORT] [--idle-timeout-ms N]

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace chat {

struct options_t {
  std::uint16_t port = 8090;
  std::string address = "127.0.0.1";
  /// Shown on the page (which node serves this tab) and in every presence message.
  std::string node_name = "chat";
  /// Set by --redis: the Redis server that joins several nodes' rooms.
  std::optional<std::string> redis_host;
  std::uint16_t redis_port = 6379;
  /// ws_settings_t::idle_timeout: keep-alive pings go out after half of it. The proxy's read
  /// timeout must be above half of it (examples/chat/nginx.conf.in has 120 s for 60 s).
  std::chrono::milliseconds idle_timeout{60'000};
};

/// The options, or a message saying what is wrong (the caller prints it with the usage line).
std::variant<options_t, std::string> parse_options(int argc, const char* const* argv);

extern const char* const usage;

}  // namespace chat
