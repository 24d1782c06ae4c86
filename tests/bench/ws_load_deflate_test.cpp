// ws_load's permessage-deflate: the check of the server's answer, its compression and its
// inflation of echoes (a compressed-echo figure is only worth something if they are right),
// the whole-message reader, and the message set read from a corpus.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "deflate.hpp"
#include "frame.hpp"
#include "messages.hpp"

namespace ws_load {
namespace {

TEST(ws_load_deflate, offers_what_browsers_offer) {
  EXPECT_EQ(deflate_offer(), "permessage-deflate; client_max_window_bits");
}

TEST(ws_load_deflate, reads_an_answer_with_every_parameter) {
  std::string reason;
  const auto a = parse_deflate_answer(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
      "server_max_window_bits=10; client_max_window_bits=\"9\"",
      reason);
  ASSERT_TRUE(a) << reason;
  EXPECT_TRUE(a->server_no_context_takeover);
  EXPECT_TRUE(a->client_no_context_takeover);
  EXPECT_EQ(a->server_max_window_bits, 10);
  EXPECT_EQ(a->client_max_window_bits, 9);
  const auto bare = parse_deflate_answer("permessage-deflate", reason);
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->server_no_context_takeover);
  EXPECT_EQ(bare->client_max_window_bits, 15);
}

TEST(ws_load_deflate, refuses_answers_it_did_not_ask_for) {
  for (const char* answer :
       {"x-webkit-deflate-frame", "permessage-deflate, permessage-deflate",
        "permessage-deflate; unknown", "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; client_max_window_bits",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; server_no_context_takeover=1"}) {
    std::string reason;
    EXPECT_FALSE(parse_deflate_answer(answer, reason)) << answer;
    EXPECT_FALSE(reason.empty()) << answer;
  }
}

TEST(ws_load_deflate, compresses_without_the_tail_and_inflates_back) {
  const std::string message(3000, 'a');
  for (int bits : {8, 9, 12, 15}) {
    const std::string compressed = compress_message(message, bits);
    ASSERT_FALSE(compressed.empty());
    EXPECT_LT(compressed.size(), message.size() / 10);
    message_inflater inflater(false);
    std::string out;
    ASSERT_TRUE(inflater.inflate(compressed, out)) << bits;
    EXPECT_EQ(out, message);
  }
}

TEST(ws_load_deflate, inflates_rfc_7692_examples) {
  // RFC 7692 §7.2.3.1 ("Hello" compressed) and §7.2.3.4 (with BFINAL set, then 0x00).
  message_inflater inflater(true);
  std::string out;
  ASSERT_TRUE(inflater.inflate(std::string("\xf2\x48\xcd\xc9\xc9\x07\x00", 7), out));
  EXPECT_EQ(out, "Hello");
  ASSERT_TRUE(inflater.inflate(std::string("\xf3\x48\xcd\xc9\xc9\x07\x00\x00", 8), out));
  EXPECT_EQ(out, "Hello");
}

TEST(ws_load_deflate, keeps_the_window_only_when_told) {
  // §7.2.3.2: the second "Hello" refers back to the first.
  const std::string first("\xf2\x48\xcd\xc9\xc9\x07\x00", 7);
  const std::string second("\xf2\x00\x11\x00\x00", 5);
  message_inflater keeping(true);
  std::string out;
  ASSERT_TRUE(keeping.inflate(first, out));
  ASSERT_TRUE(keeping.inflate(second, out));
  EXPECT_EQ(out, "Hello");
  message_inflater resetting(false);
  ASSERT_TRUE(resetting.inflate(first, out));
  EXPECT_FALSE(resetting.inflate(second, out));  // a distance into a window it no longer has
}

TEST(ws_load_deflate, reports_corrupt_data) {
  message_inflater inflater(false);
  std::string out;
  EXPECT_FALSE(inflater.inflate("\xff\xff\xff\xff", out));
}

std::vector<unsigned char> server_frame(unsigned char first, const std::string& payload) {
  std::vector<unsigned char> f;
  f.reserve(2 + payload.size());
  f.push_back(first);
  f.push_back(static_cast<unsigned char>(payload.size()));
  for (const char c : payload) f.push_back(static_cast<unsigned char>(c));
  return f;
}

message_collector::status feed_all(message_collector& c, const std::vector<unsigned char>& in) {
  std::size_t used = 0;
  return c.consume(in, used);
}

TEST(ws_load_message_collector, collects_a_fragmented_compressed_message_across_pings) {
  message_collector c(true);
  auto input = server_frame(0x41, "ab");  // text, RSV1, not final
  const auto ping = server_frame(0x89, "p");
  const auto last = server_frame(0x80, "cd");
  input.insert(input.end(), ping.begin(), ping.end());
  input.insert(input.end(), last.begin(), last.end());
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, input.size()}) {
    message_collector fresh(true);
    std::size_t pos = 0;
    auto status = message_collector::status::need_more;
    while (pos < input.size() && status == message_collector::status::need_more) {
      std::size_t used = 0;
      status = fresh.consume({input.data() + pos, std::min(chunk, input.size() - pos)}, used);
      pos += used;
    }
    ASSERT_EQ(status, message_collector::status::message_done) << chunk;
    EXPECT_TRUE(fresh.compressed());
    EXPECT_EQ(fresh.opcode(), 0x1);
    EXPECT_EQ(fresh.payload(), "abcd");
  }
}

TEST(ws_load_message_collector, refuses_rsv1_where_it_may_not_be) {
  message_collector no_deflate(false);
  EXPECT_EQ(feed_all(no_deflate, server_frame(0xC2, "x")),
            message_collector::status::protocol_error);
  message_collector on_continuation(true);
  auto input = server_frame(0x02, "x");
  const auto cont = server_frame(0xC0, "y");
  input.insert(input.end(), cont.begin(), cont.end());
  EXPECT_EQ(feed_all(on_continuation, input), message_collector::status::protocol_error);
  message_collector on_control(true);
  EXPECT_EQ(feed_all(on_control, server_frame(0xC9, "")),
            message_collector::status::protocol_error);
  message_collector rsv2(true);
  EXPECT_EQ(feed_all(rsv2, server_frame(0xA2, "x")), message_collector::status::protocol_error);
}

TEST(ws_load_message_collector, sees_a_plain_message_and_a_close) {
  message_collector c(true);
  ASSERT_EQ(feed_all(c, server_frame(0x82, "xyz")), message_collector::status::message_done);
  EXPECT_FALSE(c.compressed());
  EXPECT_EQ(c.opcode(), 0x2);
  EXPECT_EQ(c.payload(), "xyz");
  EXPECT_EQ(feed_all(c, server_frame(0x88, "\x03\xe8")),
            message_collector::status::closed_by_server);
}

TEST(ws_load_client_frame, sets_rsv1_and_masks) {
  std::vector<unsigned char> frame;
  const std::string payload = "hello";
  build_client_frame(frame, 0x1, true,
                     {reinterpret_cast<const unsigned char*>(payload.data()), payload.size()},
                     {1, 2, 3, 4});
  ASSERT_EQ(frame.size(), 2u + 4u + payload.size());
  EXPECT_EQ(frame[0], 0xC1);
  EXPECT_EQ(frame[1], 0x80 | 5);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    EXPECT_EQ(frame[6 + i] ^ frame[2 + i % 4], static_cast<unsigned char>(payload[i]));
  }
}

TEST(ws_load_messages, reads_a_corpus_of_text_lines) {
  const std::string path = testing::TempDir() + "ws_load_corpus.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\"a\":1}\r\n\n{\"b\":\"\xce\xba\"}\n";
  }
  options opts;
  opts.corpus = path;
  std::string error;
  const auto set = load_message_set(opts, error);
  ASSERT_TRUE(set) << error;
  EXPECT_TRUE(set->text);
  ASSERT_EQ(set->messages.size(), 2u);
  EXPECT_EQ(set->messages[0], "{\"a\":1}");
  EXPECT_EQ(set->messages[1], "{\"b\":\"\xce\xba\"}");
  std::remove(path.c_str());
}

TEST(ws_load_messages, refuses_a_missing_empty_or_non_utf8_corpus) {
  const std::string path = testing::TempDir() + "ws_load_bad_corpus.jsonl";
  options opts;
  opts.corpus = path + ".missing";
  std::string error;
  EXPECT_FALSE(load_message_set(opts, error));
  for (const char* content : {"\n\n", "ok\n\xc0\xaf\n", "\xed\xa0\x80\n", "\xe2\x82\n"}) {
    {
      std::ofstream out(path, std::ios::binary);
      out << content;
    }
    opts.corpus = path;
    error.clear();
    EXPECT_FALSE(load_message_set(opts, error)) << content;
    EXPECT_FALSE(error.empty());
  }
  std::remove(path.c_str());
}

TEST(ws_load_messages, makes_one_binary_message_without_a_corpus) {
  options opts;
  opts.size = 100;
  std::string error;
  const auto set = load_message_set(opts, error);
  ASSERT_TRUE(set);
  EXPECT_FALSE(set->text);
  ASSERT_EQ(set->messages.size(), 1u);
  EXPECT_EQ(set->messages[0].size(), 100u);
}

}  // namespace
}  // namespace ws_load
