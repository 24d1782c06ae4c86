#include "restws/websocket/protocol/frame_validator.hpp"

namespace restws::websocket::protocol {

check_result_t frame_validator_t::fail(status_code_t code, std::string_view reason) noexcept {
  failure_ = violation_t{code, reason};
  return failure_;
}

check_result_t frame_validator_t::check_header(const frame_header_t& h) noexcept {
  constexpr auto protocol_error = status_code_t::protocol_error;
  const bool control = is_control_opcode(h.opcode);
  const bool starts_message =
      h.opcode == opcode_t::text_frame || h.opcode == opcode_t::binary_frame;

  if (h.rsv2 || h.rsv3) return fail(protocol_error, "reserved bit RSV2/RSV3 set");
  if (h.rsv1 && !settings_.rsv1_allowed) return fail(protocol_error, "reserved bit RSV1 set");
  if (h.opcode == opcode_t::unknown_frame) return fail(protocol_error, "reserved opcode");
  if (h.rsv1 && !starts_message)
    return fail(protocol_error, "RSV1 set on a control or continuation frame");

  if (settings_.role == role_t::server && !h.masked)
    return fail(protocol_error, "client frame not masked");
  if (settings_.role == role_t::client && h.masked)
    return fail(protocol_error, "server frame masked");

  if (control) {
    if (h.payload_length > max_control_payload_size)
      return fail(protocol_error, "control frame payload over 125 bytes");
    if (!h.fin) return fail(protocol_error, "fragmented control frame");
    if (h.opcode == opcode_t::connection_close_frame && h.payload_length == 1)
      return fail(protocol_error, "close frame payload of 1 byte");
    // The frame limit holds for every frame, even when set below 125 bytes.
    if (h.payload_length > settings_.max_frame_size)
      return fail(status_code_t::message_too_big, "frame too big");
    return std::nullopt;
  }

  if (h.opcode == opcode_t::continuation_frame && !message_open_)
    return fail(protocol_error, "continuation frame without a message to continue");
  if (starts_message && message_open_)
    return fail(protocol_error, "new data frame while a fragmented message is open");

  constexpr auto too_big = status_code_t::message_too_big;
  if (h.payload_length > settings_.max_frame_size) return fail(too_big, "frame too big");
  const std::uint64_t before = starts_message ? 0 : message_size_;
  if (h.payload_length > settings_.max_message_size ||
      before > settings_.max_message_size - h.payload_length)
    return fail(too_big, "message too big");
  return std::nullopt;
}

check_result_t frame_validator_t::begin_frame(const frame_header_t& h) noexcept {
  if (failure_) return failure_;
  if (auto violation = check_header(h)) return violation;

  opcode_ = h.opcode;
  fin_ = h.fin;
  frame_length_ = h.payload_length;
  frame_received_ = 0;
  if (h.opcode == opcode_t::text_frame || h.opcode == opcode_t::binary_frame) {
    message_open_ = true;
    message_compressed_ = h.rsv1;
    message_text_ = h.opcode == opcode_t::text_frame && !h.rsv1;
    message_size_ = 0;
    message_utf8_.reset();
  } else if (h.opcode == opcode_t::connection_close_frame) {
    close_reason_utf8_.reset();
  }
  if (is_data_opcode(h.opcode)) message_size_ += h.payload_length;
  return std::nullopt;
}

check_result_t frame_validator_t::close_payload(std::span<const std::byte> piece) noexcept {
  // The payload is a 2-byte code then a UTF-8 reason; the code may arrive split in two pieces.
  const std::uint64_t start = frame_received_ - piece.size();
  std::size_t i = 0;
  for (; start + i < 2 && i < piece.size(); ++i) {
    const auto b = static_cast<std::uint8_t>(piece[i]);
    if (start + i == 0) {
      close_code_high_ = b;
    } else {
      const auto code = static_cast<std::uint16_t>((close_code_high_ << 8) | b);
      if (!is_valid_on_wire(code)) return fail(status_code_t::protocol_error, "invalid close code");
    }
  }
  if (!close_reason_utf8_.feed(piece.subspan(i)))
    return fail(status_code_t::invalid_payload, "invalid UTF-8 in close reason");
  return std::nullopt;
}

check_result_t frame_validator_t::payload(std::span<const std::byte> piece) noexcept {
  if (failure_) return failure_;
  if (piece.size() > frame_length_ - frame_received_)
    return fail(status_code_t::protocol_error, "payload longer than its frame");
  frame_received_ += piece.size();

  if (opcode_ == opcode_t::connection_close_frame) return close_payload(piece);
  if (is_data_opcode(opcode_) && message_text_ && !message_utf8_.feed(piece))
    return fail(status_code_t::invalid_payload, "invalid UTF-8 in text message");
  return std::nullopt;
}

check_result_t frame_validator_t::end_frame() noexcept {
  if (failure_) return failure_;
  if (frame_received_ != frame_length_)
    return fail(status_code_t::protocol_error, "frame ended before its payload");

  if (opcode_ == opcode_t::connection_close_frame) {
    if (!close_reason_utf8_.finish())
      return fail(status_code_t::invalid_payload, "invalid UTF-8 in close reason");
    return std::nullopt;
  }
  if (is_data_opcode(opcode_) && fin_) {
    message_open_ = false;
    if (message_text_ && !message_utf8_.finish())
      return fail(status_code_t::invalid_payload, "invalid UTF-8 in text message");
  }
  return std::nullopt;
}

}  // namespace restws::websocket::protocol
