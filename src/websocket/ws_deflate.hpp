#pragma once
// permessage-deflate for one connection: the extension hook the frame path calls (RFC 7692 §6).
// Held by a connection that agreed it at upgrade (in its extras); a connection without it pays
// nothing. Receive: the payload of each frame of a compressed message (RSV1 on its first frame)
// goes through inflate(), which appends the inflated bytes and checks text's UTF-8 on them,
// incrementally. Send: compress() turns a whole message into the payload to send with RSV1.
//
// Memory: where a side keeps no context, its codec is the thread's (one per io thread, shared
// by every connection of that reactor), so an idle connection holds only this object; where a
// side keeps context, the connection owns that side's codec for as long as it lives (the cost
// RFC 7692's context takeover implies). A compressed message that spans several reads always
// inflates on the connection's own inflater, because a shared one cannot be left mid-message.
//
// On the connection's io thread only.

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "restws/websocket/protocol/frame_validator.hpp"
#include "restws/websocket/protocol/message_deflater.hpp"
#include "restws/websocket/protocol/message_inflater.hpp"
#include "restws/websocket/protocol/opcode.hpp"
#include "restws/websocket/protocol/permessage_deflate.hpp"
#include "restws/websocket/protocol/status_code.hpp"
#include "restws/websocket/protocol/utf8_validator.hpp"
#include "restws/websocket/settings.hpp"

namespace restws::websocket::basic::detail {

class ws_deflate_t {
 public:
  ws_deflate_t(const protocol::deflate_agreement_t& agreed,
               const ws_settings_t::deflate_t& settings) noexcept;

  /// Inflates one frame's payload of the compressed message in progress (its first frame had
  /// RSV1), appending to `out`: the message so far in whole-message mode, or just this frame's
  /// bytes in frame mode. `opcode`: the frame's (a continuation frame takes its message's);
  /// text is UTF-8-checked on the inflated bytes. `fin`: last frame. `limit`: max_message_size,
  /// counted over the message's inflated bytes whatever `out` holds.
  std::optional<protocol::violation_t> inflate(std::span<const std::byte> payload, bool fin,
                                               protocol::opcode_t opcode, std::string& out,
                                               std::size_t limit);

  /// True if a message of `size` bytes is worth compressing (ws_settings_t::deflate.min_size).
  bool worth_compressing(std::size_t size) const noexcept { return size >= min_size_; }
  /// Compresses a whole message into `out` (the payload to send with RSV1). False if the codec
  /// failed or, where the server keeps no context, if the message would not shrink: the caller
  /// then sends it uncompressed. Without context, with a full window and libdeflate built in,
  /// libdeflate compresses (protocol/buffer_deflater.hpp); otherwise zlib.
  bool compress(std::span<const std::byte> message, std::string& out);
  /// The compressor's settings where the server keeps no context (compress() then gives the
  /// same bytes for every connection with equal settings), else std::nullopt.
  std::optional<protocol::deflater_settings_t> shared_settings() const noexcept {
    if (!agreed_.server_no_context_takeover) return std::nullopt;
    return deflater_settings_;
  }

  /// Bytes this connection holds for compression beyond this object (its own codecs' state).
  std::size_t memory() const noexcept;

 private:
  /// The connection's own inflater (made on first use).
  protocol::message_inflater_t& own_inflater();

  protocol::deflate_agreement_t agreed_;
  protocol::deflater_settings_t deflater_settings_;
  std::size_t min_size_;
  bool use_buffer_deflater_;  ///< no server context, full window, libdeflate built in
  std::optional<protocol::message_inflater_t>
      own_inflater_;  ///< client keeps context, or mid-message
  std::optional<protocol::message_deflater_t> own_deflater_;  ///< server keeps context
  protocol::utf8_validator_t utf8_;
  std::size_t inflated_ = 0;  ///< inflated bytes of the message in progress
  bool in_message_ = false;   ///< a compressed message is half received
  bool text_ = false;         ///< it is a text message
  bool on_shared_ = false;    ///< the current message inflates on the thread's inflater
};

}  // namespace restws::websocket::basic::detail
