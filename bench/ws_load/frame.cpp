#include "frame.hpp"

#include <algorithm>
#include <cstring>

namespace ws_load {
namespace {

constexpr unsigned char fin_bit = 0x80;
constexpr unsigned char opcode_continuation = 0x0;
constexpr unsigned char opcode_binary = 0x2;
constexpr unsigned char opcode_close = 0x8;
constexpr unsigned char opcode_ping = 0x9;
constexpr unsigned char opcode_pong = 0xA;

std::size_t write_client_header(unsigned char* out, unsigned char first_byte, std::size_t size,
                                const std::array<unsigned char, 4>& mask) {
  std::size_t pos = 0;
  out[pos++] = first_byte;
  if (size < 126) {
    out[pos++] = static_cast<unsigned char>(0x80 | size);
  } else if (size <= 0xFFFF) {
    out[pos++] = 0x80 | 126;
    out[pos++] = static_cast<unsigned char>(size >> 8);
    out[pos++] = static_cast<unsigned char>(size);
  } else {
    out[pos++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8) {
      out[pos++] = static_cast<unsigned char>(static_cast<std::uint64_t>(size) >> shift);
    }
  }
  std::memcpy(out + pos, mask.data(), 4);
  return pos + 4;
}

}  // namespace

outgoing_message::outgoing_message(std::size_t size, std::array<unsigned char, 4> mask,
                                   std::uint64_t seed)
    : mask_(mask), payload_(size) {
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& byte : payload_) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    byte = static_cast<unsigned char>(state);
  }
  std::array<unsigned char, 14> header{};
  header_size_ = write_client_header(header.data(), fin_bit | opcode_binary, size, mask_);
  frame_.resize(header_size_ + size);
  std::memcpy(frame_.data(), header.data(), header_size_);
  for (std::size_t i = 0; i < size; ++i) frame_[header_size_ + i] = payload_[i] ^ mask_[i % 4];
}

void outgoing_message::set_sequence(std::uint64_t sequence) {
  const std::size_t count = std::min<std::size_t>(8, payload_.size());
  for (std::size_t i = 0; i < count; ++i) {
    payload_[i] = static_cast<unsigned char>(sequence >> (8 * i));
    frame_[header_size_ + i] = payload_[i] ^ mask_[i % 4];
  }
}

std::array<unsigned char, 8> client_close_frame(std::array<unsigned char, 4> mask) {
  std::array<unsigned char, 8> frame{};
  const std::size_t header = write_client_header(frame.data(), fin_bit | opcode_close, 2, mask);
  frame[header] = 0x03 ^ mask[0];  // 1000 = 0x03E8
  frame[header + 1] = 0xE8 ^ mask[1];
  return frame;
}

bool echo_reader::header_complete() {
  if (header_have_ < 2) return false;
  std::size_t need = 2;
  const unsigned length7 = header_[1] & 0x7F;
  if (length7 == 126) need += 2;
  if (length7 == 127) need += 8;
  if (header_[1] & 0x80) need += 4;
  return header_have_ >= need;
}

echo_reader::status echo_reader::start_frame() {
  const unsigned char first = header_[0];
  const bool masked = (header_[1] & 0x80) != 0;
  const unsigned char opcode = first & 0x0F;
  std::uint64_t length = header_[1] & 0x7F;
  if (length == 126) {
    length = (std::uint64_t{header_[2]} << 8) | header_[3];
  } else if (length == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | header_[2 + i];
  }
  header_have_ = 0;
  if (masked || (first & 0x70) != 0) return status::protocol_error;
  frame_final_ = (first & fin_bit) != 0;
  payload_left_ = length;
  in_payload_ = true;
  skipping_ = false;
  if (opcode >= 0x8) {
    if (!frame_final_ || length > 125) return status::protocol_error;
    if (opcode == opcode_close) return status::closed_by_server;
    if (opcode != opcode_ping && opcode != opcode_pong) return status::protocol_error;
    skipping_ = true;
    return status::need_more;
  }
  if (opcode == opcode_continuation) {
    if (!in_message_) return status::protocol_error;
  } else {
    if (in_message_ || opcode > 0x2) return status::protocol_error;
    in_message_ = true;
    message_offset_ = 0;
    message_mismatch_ = opcode != opcode_binary;  // a text echo of a binary message is wrong
  }
  return status::need_more;
}

echo_reader::status echo_reader::consume(std::span<const unsigned char> input,
                                         std::span<const unsigned char> expected,
                                         std::size_t& consumed) {
  std::size_t pos = 0;
  while (true) {
    if (!in_payload_) {
      while (!header_complete()) {
        if (pos == input.size()) {
          consumed = pos;
          return status::need_more;
        }
        header_[header_have_++] = input[pos++];
      }
      const status started = start_frame();
      if (started != status::need_more) {
        consumed = pos;
        return started;
      }
    }
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, input.size() - pos));
    if (!skipping_ && take > 0) {
      const std::size_t available =
          message_offset_ < expected.size() ? expected.size() - message_offset_ : 0;
      const std::size_t compared = std::min(take, available);
      if (compared < take ||
          std::memcmp(expected.data() + message_offset_, input.data() + pos, compared) != 0) {
        message_mismatch_ = true;
      }
      message_offset_ += take;
    }
    pos += take;
    payload_left_ -= take;
    if (payload_left_ > 0) {
      consumed = pos;
      return status::need_more;
    }
    in_payload_ = false;
    if (!skipping_ && frame_final_) {
      in_message_ = false;
      last_matched_ = !message_mismatch_ && message_offset_ == expected.size();
      consumed = pos;
      return status::message_done;
    }
  }
}

}  // namespace ws_load
