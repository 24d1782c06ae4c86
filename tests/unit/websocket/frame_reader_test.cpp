#include "restws/websocket/protocol/frame_reader.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "test_reader.hpp"

namespace restws::websocket::protocol {
namespace {

using namespace test;

constexpr auto invalid_payload = status_code_t::invalid_payload;
using ev = std::vector<event_t>;

// ---- delivery --------------------------------------------------------------------------------

TEST(frame_reader, delivers_rfc6455_masked_hello_unmasked) {
  const auto stream = bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  EXPECT_EQ(receive(stream), ev{frame(opcode_t::text_frame, "Hello")});
}

TEST(frame_reader, delivers_payload_as_a_view_into_the_buffer) {
  auto stream = client_frame(opcode_t::binary_frame, "abc");
  frame_reader_t reader;
  const auto r = reader.parse(stream);
  ASSERT_EQ(r.status, read_status_t::frame_ready);
  EXPECT_EQ(r.payload.data(), stream.data() + 6);
  EXPECT_EQ(r.frame_size, stream.size());
  EXPECT_EQ(test::as_text(r.payload), "abc");
}

TEST(frame_reader, delivers_each_frame_of_a_fragmented_message) {
  const auto stream = concat({client_frame(opcode_t::text_frame, "Hel", false),
                              client_frame(opcode_t::continuation_frame, "lo, ", false),
                              client_frame(opcode_t::continuation_frame, "world")});
  EXPECT_EQ(receive(stream), (ev{frame(opcode_t::text_frame, "Hel", false),
                                 frame(opcode_t::continuation_frame, "lo, ", false),
                                 frame(opcode_t::continuation_frame, "world")}));
}

TEST(frame_reader, accepts_control_frames_between_fragments) {
  const auto stream = concat(
      {client_frame(opcode_t::binary_frame, "a", false), client_frame(opcode_t::ping_frame, "p"),
       client_frame(opcode_t::continuation_frame, "b", false),
       client_frame(opcode_t::pong_frame, ""), client_frame(opcode_t::continuation_frame, "c")});
  EXPECT_EQ(receive(stream),
            (ev{frame(opcode_t::binary_frame, "a", false), frame(opcode_t::ping_frame, "p"),
                frame(opcode_t::continuation_frame, "b", false), frame(opcode_t::pong_frame, ""),
                frame(opcode_t::continuation_frame, "c")}));
}

TEST(frame_reader, accepts_close_inside_a_fragmented_message) {
  const auto stream =
      concat({client_frame(opcode_t::text_frame, "a", false), close_frame({0x03, 0xE8})});
  EXPECT_EQ(receive(stream), (ev{frame(opcode_t::text_frame, "a", false),
                                 frame(opcode_t::connection_close_frame, "\x03\xE8")}));
}

TEST(frame_reader, delivers_empty_frames) {
  const auto stream =
      concat({client_frame(opcode_t::text_frame, ""), client_frame(opcode_t::binary_frame, ""),
              client_frame(opcode_t::ping_frame, ""), close_frame({})});
  EXPECT_EQ(receive(stream),
            (ev{frame(opcode_t::text_frame, ""), frame(opcode_t::binary_frame, ""),
                frame(opcode_t::ping_frame, ""), frame(opcode_t::connection_close_frame, "")}));
}

TEST(frame_reader, delivers_frames_with_16_and_64_bit_lengths) {
  const std::string medium(300, 'm');
  const std::string large(70000, 'L');
  const auto stream = concat(
      {client_frame(opcode_t::text_frame, medium), client_frame(opcode_t::binary_frame, large)});
  EXPECT_EQ(receive(stream),
            (ev{frame(opcode_t::text_frame, medium), frame(opcode_t::binary_frame, large)}));
}

TEST(frame_reader, accepts_non_minimal_length_encoding) {
  // "Hi" with its length in the 16-bit form.
  auto stream = bytes({0x81, 0xFE, 0x00, 0x02, 0x37, 0xfa, 0x21, 0x3d, 'H' ^ 0x37, 'i' ^ 0xfa});
  EXPECT_EQ(receive(stream), ev{frame(opcode_t::text_frame, "Hi")});
}

TEST(frame_reader, need_more_reports_the_buffer_length_needed) {
  const auto stream = client_frame(opcode_t::binary_frame, std::string(300, 'x'));
  frame_reader_t reader;
  auto buffer = stream;
  EXPECT_EQ(reader.parse(std::span{buffer}.first(1)).bytes_needed, 2u);
  EXPECT_EQ(reader.parse(std::span{buffer}.first(2)).bytes_needed, 8u);
  EXPECT_EQ(reader.parse(std::span{buffer}.first(8)).bytes_needed, 308u);
  EXPECT_EQ(reader.parse(std::span{buffer}.first(100)).bytes_needed, 308u);
  EXPECT_EQ(reader.parse(buffer).status, read_status_t::frame_ready);
}

// ---- every split point -----------------------------------------------------------------------

const bytes_t mixed_stream = concat({
    client_frame(opcode_t::text_frame, "\xCE\xBA\xE1\xBD\xB9", false),  // "κό" split below
    client_frame(opcode_t::ping_frame, "ping"),
    client_frame(opcode_t::continuation_frame, "\xCF\x83\xCE", false),
    client_frame(opcode_t::continuation_frame, "\xBC\xCE\xB5"),
    client_frame(opcode_t::binary_frame, std::string(130, '\xFF')),
    close_frame({0x03, 0xE8, 'b', 'y', 'e'}),
});

const bytes_t failing_stream = concat({
    client_frame(opcode_t::text_frame, "valid text, then", false),
    client_frame(opcode_t::pong_frame, ""),
    client_frame(opcode_t::continuation_frame, "\xF0\x9F\x98\x80 then \xED\xA0\x80 bad, more"),
});

TEST(frame_reader, every_two_piece_split_gives_the_same_frames) {
  const auto expected = receive(mixed_stream);
  ASSERT_EQ(expected.size(), 6u);
  EXPECT_EQ(expected.back(), frame(opcode_t::connection_close_frame,
                                   "\x03\xE8"
                                   "bye"));
  for (std::size_t cut = 0; cut <= mixed_stream.size(); ++cut)
    ASSERT_EQ(receive(mixed_stream, {cut}), expected) << "cut at " << cut;
}

TEST(frame_reader, byte_at_a_time_gives_the_same_frames) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < mixed_stream.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(receive(mixed_stream, cuts), receive(mixed_stream));
}

TEST(frame_reader, every_split_gives_the_same_failure) {
  const auto expected = receive(failing_stream);
  ASSERT_EQ(expected.back(), error(invalid_payload));
  for (std::size_t cut = 0; cut <= failing_stream.size(); ++cut)
    ASSERT_EQ(receive(failing_stream, {cut}), expected) << "cut at " << cut;
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < failing_stream.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(receive(failing_stream, cuts), expected);
}

TEST(frame_reader, every_three_piece_split_of_a_fragmented_message_gives_the_same_frames) {
  const auto stream = concat({client_frame(opcode_t::text_frame, "\xE2\x82", false),
                              client_frame(opcode_t::ping_frame, "x"),
                              client_frame(opcode_t::continuation_frame, "\xAC!")});
  const auto expected = receive(stream);
  ASSERT_EQ(expected.size(), 3u);
  for (std::size_t a = 0; a <= stream.size(); ++a)
    for (std::size_t b = a; b <= stream.size(); ++b)
      ASSERT_EQ(receive(stream, {a, b}), expected) << a << "," << b;
}

// ---- unmasking into a sink's space ---------------------------------------------------------

TEST(frame_reader, unmasks_a_whole_payload_into_the_sink_and_leaves_the_buffer_as_it_was) {
  const auto stream = client_frame(opcode_t::binary_frame, "abcdefghij");
  auto buffer = stream;
  test_sink_t sink;
  frame_reader_t reader;
  const auto r = reader.parse(buffer, &sink);
  ASSERT_EQ(r.status, read_status_t::frame_ready);
  EXPECT_TRUE(r.payload_in_sink);
  EXPECT_EQ(sink.asked, 1u);
  EXPECT_EQ(r.payload.data(), sink.space.data());
  EXPECT_EQ(test::as_text(r.payload), "abcdefghij");
  EXPECT_EQ(r.frame_size, stream.size());
  EXPECT_EQ(buffer, stream);  // still masked: the caller drops these bytes
}

TEST(frame_reader, unmasks_in_place_when_the_sink_declines) {
  auto buffer = client_frame(opcode_t::text_frame, "abc");
  test_sink_t sink;
  sink.decline = true;
  frame_reader_t reader;
  const auto r = reader.parse(buffer, &sink);
  ASSERT_EQ(r.status, read_status_t::frame_ready);
  EXPECT_EQ(sink.asked, 1u);
  EXPECT_FALSE(r.payload_in_sink);
  EXPECT_EQ(r.payload.data(), buffer.data() + 6);
  EXPECT_EQ(test::as_text(r.payload), "abc");
}

TEST(frame_reader, asks_the_sink_only_for_a_payload_whole_at_its_first_parse) {
  const auto stream = client_frame(opcode_t::binary_frame, std::string(300, 'p'));
  test_sink_t sink;
  // Header first, then all of the payload: the sink gets it.
  EXPECT_EQ(receive(stream, {4}, {}, &sink),
            ev{frame(opcode_t::binary_frame, std::string(300, 'p'))});
  EXPECT_EQ(sink.asked, 1u);
  // Part of the payload seen (and unmasked in place) before the rest came: not asked.
  sink.asked = 0;
  EXPECT_EQ(receive(stream, {100}, {}, &sink),
            ev{frame(opcode_t::binary_frame, std::string(300, 'p'))});
  EXPECT_EQ(sink.asked, 0u);
  // Empty payloads are never asked about.
  EXPECT_EQ(receive(client_frame(opcode_t::text_frame, ""), {}, {}, &sink),
            ev{frame(opcode_t::text_frame, "")});
  EXPECT_EQ(sink.asked, 0u);
}

TEST(frame_reader, with_a_sink_every_split_gives_the_same_frames_and_failures) {
  for (const bool decline : {false, true}) {
    for (const auto* stream : {&mixed_stream, &failing_stream}) {
      const auto expected = receive(*stream);
      for (std::size_t cut = 0; cut <= stream->size(); ++cut) {
        test_sink_t sink;
        sink.decline = decline;
        ASSERT_EQ(receive(*stream, {cut}, {}, &sink), expected) << "cut at " << cut;
      }
    }
  }
}

TEST(frame_reader, with_a_sink_checks_the_text_it_unmasks) {
  test_sink_t sink;
  EXPECT_EQ(receive(client_frame(opcode_t::text_frame, "bad \xC0\xAF utf-8"), {}, {}, &sink),
            ev{error(invalid_payload)});
  EXPECT_EQ(sink.asked, 1u);
  // Text split across frames: the sink's bytes carry the UTF-8 state to the next frame.
  const auto split = concat({client_frame(opcode_t::text_frame, "\xE2\x82", false),
                             client_frame(opcode_t::continuation_frame, "\xAC!")});
  EXPECT_EQ(receive(split, {}, {}, &sink), (ev{frame(opcode_t::text_frame, "\xE2\x82", false),
                                               frame(opcode_t::continuation_frame, "\xAC!")}));
}

TEST(frame_reader, with_a_sink_copies_unmasked_server_frames) {
  const auto stream = server_frame(opcode_t::binary_frame, bytes("from the server"));
  test_sink_t sink;
  EXPECT_EQ(receive(stream, {}, client_role(), &sink),
            ev{frame(opcode_t::binary_frame, "from the server")});
  EXPECT_EQ(sink.asked, 1u);
}

// ---- errors are final --------------------------------------------------------------------------

TEST(frame_reader, error_is_sticky) {
  auto stream = concat(
      {client_frame(opcode_t::continuation_frame, "x"), client_frame(opcode_t::text_frame, "ok")});
  frame_reader_t reader;
  const auto first = reader.parse(stream);
  ASSERT_EQ(first.status, read_status_t::error);
  EXPECT_TRUE(reader.failed());
  const auto again = reader.parse(std::span{stream}.subspan(7));
  EXPECT_EQ(again.status, read_status_t::error);
  EXPECT_EQ(again.error, first.error);
}

TEST(frame_reader, reset_forgets_the_failure) {
  auto bad = client_frame(opcode_t::continuation_frame, "x");
  auto good = client_frame(opcode_t::text_frame, "ok");
  frame_reader_t reader;
  ASSERT_EQ(reader.parse(bad).status, read_status_t::error);
  reader.reset();
  EXPECT_EQ(reader.parse(good).status, read_status_t::frame_ready);
}

}  // namespace
}  // namespace restws::websocket::protocol
