// chat's command line.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

#include "options.hpp"

namespace {

std::variant<chat::options_t, std::string> parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"chat"};
  argv.insert(argv.end(), args);
  return chat::parse_options(static_cast<int>(argv.size()), argv.data());
}

TEST(chat_options, defaults_to_a_single_loopback_node) {
  const auto o = std::get<chat::options_t>(parse({}));
  EXPECT_EQ(o.port, 8090);
  EXPECT_EQ(o.address, "127.0.0.1");
  EXPECT_FALSE(o.redis_host);
  EXPECT_EQ(o.idle_timeout, std::chrono::seconds{60});
}

TEST(chat_options, reads_every_option) {
  const auto o = std::get<chat::options_t>(
      parse({"--port", "9001", "--address", "::1", "--node-name", "node-b.2", "--redis",
             "127.0.0.1:6390", "--idle-timeout-ms", "800"}));
  EXPECT_EQ(o.port, 9001);
  EXPECT_EQ(o.address, "::1");
  EXPECT_EQ(o.node_name, "node-b.2");
  EXPECT_EQ(o.redis_host, "127.0.0.1");
  EXPECT_EQ(o.redis_port, 6390);
  EXPECT_EQ(o.idle_timeout, std::chrono::milliseconds{800});
}

TEST(chat_options, refuses_bad_values) {
  for (auto args : std::vector<std::vector<const char*>>{{"--port"},
                                                         {"--port", "0"},
                                                         {"--port", "65536"},
                                                         {"--port", "80x"},
                                                         {"--node-name", ""},
                                                         {"--node-name", "<b>"},
                                                         {"--node-name", "a b"},
                                                         {"--redis", "localhost"},
                                                         {"--redis", ":6379"},
                                                         {"--redis", "h:0"},
                                                         {"--idle-timeout-ms", "-1"},
                                                         {"--verbose", "1"}}) {
    std::vector<const char*> argv{"chat"};
    argv.insert(argv.end(), args.begin(), args.end());
    EXPECT_TRUE(std::holds_alternative<std::string>(
        chat::parse_options(static_cast<int>(argv.size()), argv.data())))
        << args[0];
  }
}

}  // namespace
