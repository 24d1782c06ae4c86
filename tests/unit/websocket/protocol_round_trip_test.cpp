// The umbrella header alone is enough to write frames on one side and read them on the other.
#include "restws/websocket/protocol/protocol.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace restws::websocket::protocol {
namespace {

TEST(protocol_round_trip, server_frames_read_back_by_a_client_role_reader) {
  // What ws_t does to send: header into a small array, payload after it (a gather write).
  const std::string payload = "echo \xE2\x82\xAC";
  frame_header_t h;
  h.opcode = opcode_t::text_frame;
  h.payload_length = payload.size();
  std::array<std::byte, max_frame_header_size> header{};
  const auto header_size = write_frame_header(header, h);
  std::vector<std::byte> wire(header.begin(), header.begin() + header_size);
  for (const char c : payload) wire.push_back(static_cast<std::byte>(c));
  const auto close = make_close_payload(status_code_t::going_away, "bye");
  std::vector<std::byte> close_frame(frame_size(close.size(), false));
  write_server_frame(close_frame, final_frame_flag_t::final_frame, opcode_t::connection_close_frame,
                     std::as_bytes(std::span{close}));
  wire.insert(wire.end(), close_frame.begin(), close_frame.end());

  validator_settings_t settings;
  settings.role = role_t::client;
  frame_reader_t reader{settings};
  auto first = reader.parse(wire);
  ASSERT_EQ(first.status, read_status_t::frame_ready);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(first.payload.data()), first.payload.size()),
            payload);
  auto second = reader.parse(std::span{wire}.subspan(first.frame_size));
  ASSERT_EQ(second.status, read_status_t::frame_ready);
  const auto info = parse_close_payload(
      {reinterpret_cast<const char*>(second.payload.data()), second.payload.size()});
  EXPECT_EQ(info.code, status_code_t::going_away);
  EXPECT_EQ(info.reason, "bye");
}

}  // namespace
}  // namespace restws::websocket::protocol
