#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "options.hpp"

namespace ws_load {
namespace {

std::optional<options> parse(std::initializer_list<const char*> args, std::string& error) {
  std::vector<char*> argv{const_cast<char*>("ws_load")};
  for (const char* arg : args) argv.push_back(const_cast<char*>(arg));
  return parse_options(static_cast<int>(argv.size()), argv.data(), error);
}

TEST(ws_load_options, reads_every_flag) {
  std::string error;
  const auto opts =
      parse({"--connections",  "1000",      "--size",    "1024", "--seconds",    "2.5",
             "--host",         "localhost", "--port",    "8080", "--path",       "/chat",
             "--max-messages", "50",        "--threads", "2",    "--server-pid", "42",
             "--deflate",      "--idle"},
            error);
  ASSERT_TRUE(opts) << error;
  EXPECT_EQ(opts->connections, 1000u);
  EXPECT_EQ(opts->size, 1024u);
  EXPECT_DOUBLE_EQ(opts->seconds, 2.5);
  EXPECT_EQ(opts->host, "localhost");
  EXPECT_EQ(opts->port, 8080);
  EXPECT_EQ(opts->path, "/chat");
  EXPECT_EQ(opts->max_messages, 50u);
  EXPECT_EQ(opts->threads, 2u);
  EXPECT_EQ(opts->server_pid, 42);
  EXPECT_TRUE(opts->deflate);
  EXPECT_TRUE(opts->idle);
  EXPECT_FALSE(opts->spread_source);
}

TEST(ws_load_options, spreads_source_addresses_above_20000_connections) {
  std::string error;
  EXPECT_FALSE(parse({"--connections", "20000"}, error)->spread_source);
  EXPECT_TRUE(parse({"--connections", "20001"}, error)->spread_source);
}

TEST(ws_load_options, rejects_bad_values_and_unknown_flags) {
  for (const auto& args : std::vector<std::vector<const char*>>{{"--connections", "0"},
                                                                {"--connections", "x"},
                                                                {"--port", "70000"},
                                                                {"--seconds", "-1"},
                                                                {"--path", "chat"},
                                                                {"--threads"},
                                                                {"--bogus"}}) {
    std::vector<char*> argv{const_cast<char*>("ws_load")};
    for (const char* arg : args) argv.push_back(const_cast<char*>(arg));
    std::string error;
    EXPECT_FALSE(parse_options(static_cast<int>(argv.size()), argv.data(), error)) << args[0];
    EXPECT_FALSE(error.empty());
  }
}

TEST(ws_load_options, reads_flood_and_warmup) {
  std::string error;
  const auto flood = parse({"--flood", "--size", "65536"}, error);
  ASSERT_TRUE(flood) << error;
  EXPECT_TRUE(flood->flood);
  EXPECT_FALSE(flood->idle);
  const auto warm = parse({"--warmup", "1.5"}, error);
  ASSERT_TRUE(warm) << error;
  EXPECT_DOUBLE_EQ(warm->warmup, 1.5);
  const auto none = parse({"--warmup", "0"}, error);
  ASSERT_TRUE(none) << error;
  EXPECT_DOUBLE_EQ(none->warmup, 0.0);
  EXPECT_FALSE(parse({}, error)->flood);
}

TEST(ws_load_options, rejects_flood_and_warmup_where_they_make_no_sense) {
  for (const auto& args :
       std::vector<std::vector<const char*>>{{"--flood", "--idle"},
                                             {"--flood", "--max-messages", "10"},
                                             {"--warmup", "1", "--flood"},
                                             {"--warmup", "1", "--idle"},
                                             {"--warmup", "1", "--max-messages", "10"},
                                             {"--warmup", "-1"},
                                             {"--warmup", "x"},
                                             {"--flood", "--deflate"},
                                             {"--flood", "--corpus", "f.jsonl"}}) {
    std::vector<char*> argv{const_cast<char*>("ws_load")};
    for (const char* arg : args) argv.push_back(const_cast<char*>(arg));
    std::string error;
    EXPECT_FALSE(parse_options(static_cast<int>(argv.size()), argv.data(), error))
        << args[0] << " " << args[1];
    EXPECT_FALSE(error.empty());
  }
}

TEST(ws_load_options, reads_deflate_and_corpus) {
  std::string error;
  const auto opts = parse({"--deflate", "--corpus", "bench/corpus/messages_1k.jsonl"}, error);
  ASSERT_TRUE(opts) << error;
  EXPECT_TRUE(opts->deflate);
  EXPECT_EQ(opts->corpus, "bench/corpus/messages_1k.jsonl");
  EXPECT_FALSE(parse({"--corpus"}, error));
}

TEST(ws_load_options, reads_tls_and_handshakes) {
  std::string error;
  const auto opts = parse({"--tls", "--tls-server-name", "echo.test", "--handshakes"}, error);
  ASSERT_TRUE(opts) << error;
  EXPECT_TRUE(opts->tls);
  EXPECT_EQ(opts->tls_server_name, "echo.test");
  EXPECT_TRUE(opts->handshakes);
  const auto plain = parse({}, error);
  ASSERT_TRUE(plain) << error;
  EXPECT_FALSE(plain->tls);
  EXPECT_FALSE(plain->handshakes);
  EXPECT_EQ(plain->tls_server_name, "");
}

TEST(ws_load_options, sends_the_host_as_server_name_unless_it_is_an_ip_address) {
  std::string error;
  EXPECT_EQ(parse({"--tls", "--host", "localhost"}, error)->tls_server_name, "localhost");
  EXPECT_EQ(parse({"--host", "localhost", "--tls"}, error)->tls_server_name, "localhost");
  EXPECT_EQ(parse({"--tls"}, error)->tls_server_name, "");  // the default host, 127.0.0.1
  EXPECT_EQ(parse({"--tls", "--host", "::1"}, error)->tls_server_name, "");
  EXPECT_EQ(
      parse({"--tls", "--host", "10.0.0.1", "--tls-server-name", "a.test"}, error)->tls_server_name,
      "a.test");
  EXPECT_EQ(parse({"--host", "localhost"}, error)->tls_server_name, "");  // no TLS, no name
}

TEST(ws_load_options, tells_ip_literals_from_names) {
  EXPECT_TRUE(is_ip_literal("127.0.0.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_TRUE(is_ip_literal("fe80::1"));
  EXPECT_FALSE(is_ip_literal("localhost"));
  EXPECT_FALSE(is_ip_literal("127.0.0.1.example"));
  EXPECT_FALSE(is_ip_literal(""));
}

TEST(ws_load_options, rejects_tls_and_handshakes_where_they_make_no_sense) {
  for (const auto& args :
       std::vector<std::vector<const char*>>{{"--tls-server-name", "a.test"},  // without --tls
                                             {"--tls", "--tls-server-name"},
                                             {"--tls", "--tls-server-name", ""},
                                             {"--tls", "--tls-server-name", "a b"},
                                             {"--handshakes", "--idle"},
                                             {"--handshakes", "--flood"},
                                             {"--tls", "--handshakes", "--flood"}}) {
    std::vector<char*> argv{const_cast<char*>("ws_load")};
    for (const char* arg : args) argv.push_back(const_cast<char*>(arg));
    std::string error;
    EXPECT_FALSE(parse_options(static_cast<int>(argv.size()), argv.data(), error))
        << args[0] << " " << args[1];
    EXPECT_FALSE(error.empty());
  }
}

TEST(ws_load_options, combines_tls_with_every_mode) {
  for (const auto& args : std::vector<std::vector<const char*>>{
           {"--tls", "--idle"},
           {"--tls", "--flood"},
           {"--tls", "--deflate"},
           {"--tls", "--corpus", "f.jsonl"},
           {"--tls", "--warmup", "1"},
           {"--tls", "--threads", "2"},
           {"--tls", "--handshakes", "--max-messages", "100", "--size", "1024"},
           {"--handshakes", "--warmup", "1"},
           {"--handshakes", "--deflate"}}) {
    std::vector<char*> argv{const_cast<char*>("ws_load")};
    for (const char* arg : args) argv.push_back(const_cast<char*>(arg));
    std::string error;
    EXPECT_TRUE(parse_options(static_cast<int>(argv.size()), argv.data(), error))
        << args[0] << " " << args[1] << ": " << error;
  }
}

}  // namespace
}  // namespace ws_load
