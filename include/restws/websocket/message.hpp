#pragma once
// message_t: one WebSocket frame (or, in whole-message mode, one message) as the handler sees it
// and as send_message() takes it. RESTinio's names, in restws::websocket::basic.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "restws/websocket/protocol/opcode.hpp"
#include "restws/websocket/protocol/status_code.hpp"

namespace restws::websocket::basic {

using protocol::final_frame_flag_t;
using protocol::opcode_t;
using protocol::status_code_t;

/// The close code as the 2 big-endian bytes that start a close payload.
inline std::string status_code_to_bin(status_code_t code) {
  return protocol::status_code_to_bin(code);
}
/// Reads the close code from a close payload; no_status_received if it is shorter than 2 bytes.
inline status_code_t status_code_from_bin(std::string_view data) noexcept {
  return protocol::status_code_from_bin(data);
}

inline constexpr final_frame_flag_t final_frame = final_frame_flag_t::final_frame;
inline constexpr final_frame_flag_t not_final_frame = final_frame_flag_t::not_final_frame;

/// Immutable payload bytes shared between copies of a message: copying a message_t (as the
/// seed's echo does with `wsh->send_message(*m)`) never copies its payload.
using shared_payload_t = std::shared_ptr<const std::string>;

/// Whether send_message() may compress a message (permessage-deflate, ws_settings_t::deflate).
enum class compression_t : std::uint8_t {
  /// Compressed when the connection agreed permessage-deflate and the message is a whole text
  /// or binary message of deflate.min_size bytes or more (the default).
  automatic,
  /// Sent as it is: for data already compressed (images, video, archives), where deflate would
  /// cost CPU for nothing, or for a message that must reach the peer's TCP stack unchanged.
  none,
};

namespace detail {
class ws_connection_t;
}

class message_t {
 public:
  message_t() = default;
  message_t(final_frame_flag_t final_flag, opcode_t opcode)
      : final_flag_{final_flag}, opcode_{opcode} {}
  message_t(final_frame_flag_t final_flag, opcode_t opcode, std::string payload)
      : final_flag_{final_flag}, opcode_{opcode}, payload_{make_payload(std::move(payload))} {}
  message_t(final_frame_flag_t final_flag, opcode_t opcode, std::string_view payload)
      : message_t{final_flag, opcode, std::string{payload}} {}
  message_t(final_frame_flag_t final_flag, opcode_t opcode, const char* payload)
      : message_t{final_flag, opcode, std::string{payload}} {}

  opcode_t opcode() const noexcept { return opcode_; }
  void set_opcode(opcode_t opcode) noexcept { opcode_ = opcode; }

  final_frame_flag_t final_flag() const noexcept { return final_flag_; }
  void set_final_flag(final_frame_flag_t flag) noexcept { final_flag_ = flag; }
  bool is_final() const noexcept { return final_flag_ == final_frame_flag_t::final_frame; }

  const std::string& payload() const noexcept { return payload_ ? *payload_ : empty_payload(); }
  void set_payload(std::string payload) { payload_ = make_payload(std::move(payload)); }
  /// The payload's bytes as shared, for sending without a copy.
  const shared_payload_t& shared_payload() const noexcept { return payload_; }

  /// Whether send_message() may compress this message: automatic (the default, also for a
  /// received message sent back) or none.
  compression_t compression() const noexcept { return compression_; }
  void set_compression(compression_t c) noexcept { compression_ = c; }

  /// For a close message: its code (no_status_received if the payload has none).
  status_code_t close_code() const noexcept { return status_code_from_bin(payload()); }
  /// For a close message: the reason after the code.
  std::string_view close_reason() const noexcept {
    const std::string& p = payload();
    return p.size() > 2 ? std::string_view{p}.substr(2) : std::string_view{};
  }

  static shared_payload_t make_payload(std::string bytes) {
    if (bytes.empty()) return nullptr;
    // Not a const object, only const to share: the library reuses a payload block once it holds
    // the last reference to it.
    return std::make_shared<std::string>(std::move(bytes));
  }

 private:
  friend class detail::ws_connection_t;

  static const std::string& empty_payload() noexcept {
    static const std::string empty;
    return empty;
  }

  final_frame_flag_t final_flag_ = final_frame_flag_t::final_frame;
  opcode_t opcode_ = opcode_t::text_frame;
  compression_t compression_ = compression_t::automatic;
  shared_payload_t payload_;
};

using message_handle_t = std::shared_ptr<message_t>;

}  // namespace restws::websocket::basic
