#pragma once
// A test harness playing the I/O layer in front of frame_reader_t.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "restws/websocket/protocol/frame_reader.hpp"
#include "test_bytes.hpp"

namespace restws::websocket::protocol::test {

// What the reader reported, in a form easy to compare.
struct event_t {
  read_status_t status;
  opcode_t opcode = opcode_t::unknown_frame;
  bool fin = false;
  std::string payload;
  status_code_t code = status_code_t::normal_closure;

  friend bool operator==(const event_t&, const event_t&) = default;
};

inline void PrintTo(const event_t& e, std::ostream* os) {
  if (e.status == read_status_t::error)
    *os << "error " << static_cast<int>(e.code);
  else
    *os << to_string(e.opcode) << (e.fin ? " fin" : "") << " \"" << e.payload << "\"";
}

inline event_t frame(opcode_t op, std::string payload, bool fin = true) {
  return {read_status_t::frame_ready, op, fin, std::move(payload)};
}
inline event_t error(status_code_t code) { return {read_status_t::error, {}, false, {}, code}; }

// A payload sink that gives space for every frame it is asked about (or for none, if
// `decline`), and counts the calls.
struct test_sink_t final : payload_sink_t {
  bool decline = false;
  std::size_t asked = 0;
  bytes_t space;

  std::span<std::byte> payload_space(const frame_header_t& header) noexcept override {
    ++asked;
    EXPECT_GT(header.payload_length, 0u);
    if (decline) return {};
    space.assign(static_cast<std::size_t>(header.payload_length), std::byte{0xEE});
    return space;
  }
};

// Plays the I/O layer: receives `stream` in pieces cut at `cuts`, keeps one buffer, parses after
// each piece (with `sink`, if given), drops delivered frames from the front. Stops at the first
// error.
inline std::vector<event_t> receive(const bytes_t& stream, const std::vector<std::size_t>& cuts,
                                    const validator_settings_t& settings = {},
                                    test_sink_t* sink = nullptr) {
  frame_reader_t reader{settings};
  bytes_t buffer;
  std::vector<event_t> events;
  std::size_t from = 0;
  auto pieces = cuts;
  pieces.push_back(stream.size());
  for (const std::size_t to : pieces) {
    buffer.insert(buffer.end(), stream.begin() + from, stream.begin() + to);
    from = to;
    for (;;) {
      const auto r = reader.parse(buffer, sink);
      if (r.payload_in_sink) {
        EXPECT_TRUE(sink && !sink->decline);
        EXPECT_EQ(r.payload.data(), sink->space.data());
      }
      if (r.status == read_status_t::need_more) {
        EXPECT_GT(r.bytes_needed, buffer.size());
        break;
      }
      if (r.status == read_status_t::error) {
        events.push_back(error(r.error.code));
        EXPECT_FALSE(r.error.reason.empty());
        return events;
      }
      events.push_back(frame(r.header.opcode, std::string{test::as_text(r.payload)}, r.header.fin));
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.frame_size));
    }
  }
  return events;
}

inline std::vector<event_t> receive(const bytes_t& stream,
                                    const validator_settings_t& settings = {}) {
  return receive(stream, {}, settings);
}

inline validator_settings_t client_role() {
  validator_settings_t s;
  s.role = role_t::client;
  return s;
}

inline bytes_t close_frame(std::initializer_list<int> payload) {
  return client_frame(opcode_t::connection_close_frame, bytes(payload));
}

}  // namespace restws::websocket::protocol::test
