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

bool head_complete(const unsigned char* head, std::size_t have) {
  if (have < 2) return false;
  std::size_t need = 2;
  const unsigned length7 = head[1] & 0x7F;
  if (length7 == 126) need += 2;
  if (length7 == 127) need += 8;
  if (head[1] & 0x80) need += 4;
  return have >= need;
}

bool gather_head(std::array<unsigned char, 14>& head, std::size_t& have,
                 std::span<const unsigned char> input, std::size_t& pos) {
  while (!head_complete(head.data(), have)) {
    if (pos == input.size()) return false;
    head[have++] = input[pos++];
  }
  return true;
}

frame_head decode_head(const unsigned char* head) {
  frame_head h;
  h.fin = (head[0] & fin_bit) != 0;
  h.rsv = head[0] & 0x70;
  h.opcode = head[0] & 0x0F;
  h.masked = (head[1] & 0x80) != 0;
  h.length = head[1] & 0x7F;
  if (h.length == 126) {
    h.length = (std::uint64_t{head[2]} << 8) | head[3];
  } else if (h.length == 127) {
    h.length = 0;
    for (int i = 0; i < 8; ++i) h.length = (h.length << 8) | head[2 + i];
  }
  return h;
}

echo_reader::status echo_reader::start_frame() {
  const frame_head head = decode_head(header_.data());
  const unsigned char opcode = head.opcode;
  const std::uint64_t length = head.length;
  header_have_ = 0;
  if (head.masked || head.rsv != 0) return status::protocol_error;
  frame_final_ = head.fin;
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
      if (!gather_head(header_, header_have_, input, pos)) {
        consumed = pos;
        return status::need_more;
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

void build_client_frame(std::vector<unsigned char>& out, unsigned char opcode, bool compressed,
                        std::span<const unsigned char> payload, std::array<unsigned char, 4> mask) {
  std::array<unsigned char, 14> header{};
  const auto first = static_cast<unsigned char>(fin_bit | (compressed ? 0x40 : 0) | opcode);
  const std::size_t header_size = write_client_header(header.data(), first, payload.size(), mask);
  out.resize(header_size + payload.size());
  std::memcpy(out.data(), header.data(), header_size);
  for (std::size_t i = 0; i < payload.size(); ++i) out[header_size + i] = payload[i] ^ mask[i % 4];
}

message_collector::status message_collector::start_frame() {
  const frame_head head = decode_head(header_.data());
  header_have_ = 0;
  if (head.masked || (head.rsv & 0x30) != 0) return status::protocol_error;
  const bool rsv1 = (head.rsv & 0x40) != 0;
  frame_final_ = head.fin;
  payload_left_ = head.length;
  in_payload_ = true;
  skipping_ = false;
  if (head.opcode >= 0x8) {
    if (!frame_final_ || head.length > 125 || rsv1) return status::protocol_error;
    if (head.opcode == opcode_close) return status::closed_by_server;
    if (head.opcode != opcode_ping && head.opcode != opcode_pong) return status::protocol_error;
    skipping_ = true;
    return status::need_more;
  }
  if (head.opcode == opcode_continuation) {
    if (!in_message_ || rsv1) return status::protocol_error;
  } else {
    if (in_message_ || head.opcode > 0x2 || (rsv1 && !rsv1_allowed_)) {
      return status::protocol_error;
    }
    in_message_ = true;
    opcode_ = head.opcode;
    compressed_ = rsv1;
    payload_.clear();
  }
  return status::need_more;
}

message_collector::status message_collector::consume(std::span<const unsigned char> input,
                                                     std::size_t& consumed) {
  std::size_t pos = 0;
  while (true) {
    if (!in_payload_) {
      if (!gather_head(header_, header_have_, input, pos)) {
        consumed = pos;
        return status::need_more;
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
      if (payload_.size() + take > (64u << 20)) {
        consumed = pos;
        return status::protocol_error;  // larger than anything ws_load sends
      }
      payload_.append(reinterpret_cast<const char*>(input.data() + pos), take);
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
      consumed = pos;
      return status::message_done;
    }
  }
}

}  // namespace ws_load
