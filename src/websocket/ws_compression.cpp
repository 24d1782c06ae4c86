#include <utility>

#include "ws_connection.hpp"

// permessage-deflate in the connection's frame path (RFC 7692 §6): what ws_deflate_t decides,
// applied. Only connections that agreed it at upgrade come here (extras_->deflate).

namespace restws::websocket::basic::detail {

using protocol::final_frame_flag_t;
using protocol::opcode_t;

void ws_connection_t::on_compressed_frame(const protocol::read_result_t& frame) {
  const auto& h = frame.header;
  ws_deflate_t& z = *extras_->deflate;
  const std::size_t limit = config_->limits.max_message_size;
  if (deliver_whole_messages_) {
    busy_state_t& b = busy();
    if (h.opcode != opcode_t::continuation_frame) {
      b.assembling_opcode = h.opcode;
      b.assembling.clear();
    }
    if (const auto f = z.inflate(frame.payload, h.fin, h.opcode, b.assembling, limit)) {
      fail(f->code, f->reason);
      return;
    }
    if (h.fin)
      deliver(final_frame_flag_t::final_frame, b.assembling_opcode,
              message_t::make_payload(std::exchange(b.assembling, {})));
    return;
  }
  // Frame by frame, as without compression: each frame delivers what it inflated to.
  std::string out;
  if (const auto f = z.inflate(frame.payload, h.fin, h.opcode, out, limit)) {
    fail(f->code, f->reason);
    return;
  }
  if (owner_expired()) return;
  deliver(h.final_flag(), h.opcode, message_t::make_payload(std::move(out)));
}

bool ws_connection_t::compress_for_send(final_frame_flag_t fin, opcode_t opcode,
                                        shared_payload_t& payload) {
  // Whole messages only: a message the caller sends in fragments goes uncompressed (RSV1 may
  // only be set on a message's first frame, and would then cover all its frames).
  if (fin != final_frame_flag_t::final_frame ||
      (opcode != opcode_t::text_frame && opcode != opcode_t::binary_frame))
    return false;
  const std::size_t size = payload ? payload->size() : 0;
  ws_deflate_t& z = *extras_->deflate;
  if (!z.worth_compressing(size)) return false;
  std::string out;
  if (!z.compress(std::as_bytes(std::span{payload->data(), size}), out)) return false;
  payload = message_t::make_payload(std::move(out));
  return true;
}

}  // namespace restws::websocket::basic::detail
