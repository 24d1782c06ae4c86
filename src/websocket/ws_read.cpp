#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <asio/post.hpp>

#include "../server/tls_transport.hpp"
#include "../server/transport.hpp"
#include "ws_connection.hpp"
#include "ws_poller.hpp"

// Reading: the read loop (plain and batched reads), the partial frame kept between reads, frame
// dispatch and delivery to the handler.

namespace restws::websocket::basic::detail {
namespace {

using protocol::final_frame_flag_t;
using protocol::opcode_t;
using protocol::status_code_t;

// Smallest free space worth a read system call.
constexpr std::size_t min_read_space = 2048;
// The first allocation for a partial frame (unless the frame is smaller).
constexpr std::size_t min_frame_growth = 64 * 1024;
// A connection whose last read was larger reads with plain system calls: a batch of large reads
// would spread its bytes over many buffers and out of the CPU's caches before they are parsed.
constexpr std::size_t max_batched_read = 4096;

}  // namespace

void ws_connection_t::activate() {
  if (activated_ || socket_closed_) return;
  activated_ = true;
  // The idle timeout counts from activation: a delayed one was not read before.
  poller_->refresh_clock();
  last_rx_ms_ = poller_->now_ms();
  start_read();
}

// Reading works as uWebSockets does: a connection owns no read buffer while idle. Bytes are read
// into one buffer per reactor thread and parsed there in place; only the tail of a frame that
// is not complete yet is copied into the connection's own `pending` buffer, which then receives
// the rest of that frame directly. The socket is non-blocking and read when the reactor's
// ws_poller_t reports new input.
//
// The poller's epoll set is edge triggered: it reports only new input. That is enough because
// read_loop() reads until a read returns less than the space offered (for a stream socket, the
// receive queue was empty at that moment, so later data raises a new edge: epoll(7)), or until
// it returns EAGAIN; when it stops earlier (its round limit), it posts itself to go on; and
// after a pause (not activated yet, a posted read pending) it starts with an unconditional read.

namespace {
// The reactor thread's read buffer: one per thread, as each reactor is run by one thread.
std::span<std::byte> thread_read_buffer() {
  thread_local std::vector<std::byte> buffer(64 * 1024);
  return buffer;
}
}  // namespace

void ws_connection_t::start_read() {
  if (read_scheduled_ || socket_closed_ || !activated_) return;
  read_scheduled_ = true;
  // Posted, never inline: read_loop() uses the thread's buffer, which a caller up the stack (a
  // handler run from another connection's read_loop()) may be parsing right now.
  asio::post(io(), [self = connection_ref_t{this}] {
    self->read_scheduled_ = false;
    if (self->poller_) self->poller_->refresh_clock();  // for last_rx_ms_: not after a wake-up
    self->read_loop();
    self->rest();
  });
}

void ws_connection_t::on_readable() {
  // Before activation the input waits in the socket: activate() reads it. A posted read_loop()
  // reads everything there is anyway. Throttled, it waits too: on_drained() reads it.
  if (read_scheduled_ || socket_closed_ || !activated_ || read_paused_) return;
  read_loop();
  rest();
}

void ws_connection_t::on_read_error() {
  // EOF after the close handshake is its normal end; before it, close_socket() tells the handler
  // (1006), once the connection is marked closed so that the handler cannot queue more.
  close_socket();
}

void ws_connection_t::read_loop() {
  if (socket_closed_ || read_scheduled_ || !activated_ || read_paused_) return;
  if (pending_unparsed_) [[unlikely]] {  // frames left by a throttled process(): theirs first
    pending_unparsed_ = false;
    process_pending();
    if (socket_closed_ || read_paused_) return;
  }
  // A few reads per wake-up at most, so that one fast peer cannot starve the others.
  for (int round = 0;; ++round) {
    if (round == 4) {
      start_read();  // edge triggered: no new edge comes for what is still waiting
      return;
    }
    const bool own = pending_len() != 0;
    const std::span<std::byte> space = own ? own_read_space() : thread_read_buffer();
    if (tls_) [[unlikely]] {
      const restws::detail::stream_read_t r = restws::detail::tls_recv(
          *tls(), fd, reinterpret_cast<char*>(space.data()), space.size(), input_ended_);
      if (!consume_read(space, own, r.got, r.err, r.more)) return;
      continue;
    }
    // Plain TCP: transport.hpp's stream_recv(), spelt out (the hot path; ~20 instructions fewer
    // per message than through the returned struct, callgrind).
    const ssize_t got = ::recv(fd, space.data(), space.size(), 0);
    const int err = got < 0 ? errno : 0;
    if (got < 0 && err == EINTR) continue;
    if (!consume_read(space, own, got, err, static_cast<std::size_t>(got) == space.size())) return;
  }
}

std::span<std::byte> ws_connection_t::own_read_space() {
  if (pending_len() == 0) return {};
  busy_state_t& b = *busy_;
  const std::size_t want = pending_target(b.pending_len);
  if (b.pending.size() < want) b.pending.resize(want);
  return std::span{b.pending}.subspan(b.pending_len);
}

bool ws_connection_t::consume_read(std::span<std::byte> space, bool own, ssize_t got, int err,
                                   bool more) {
  if (got < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK) return false;
    if (err == EPROTO && tls_) [[unlikely]] {
      config_->logger->warn([&] {
        return "ws [" + std::to_string(connection_id_) +
               "]: TLS failed: " + restws::detail::tls_error(*tls()) + ", closing";
      });
    }
    on_read_error();
    return false;
  }
  if (got == 0) {
    on_read_error();  // end of input
    return false;
  }
  const auto n = static_cast<std::size_t>(got);
  large_reads_ = n > max_batched_read;
  last_rx_ms_ = poller_->now_ms();  // heard from: the idle timeout starts again
  if (failed_ || close_received_) {
    if (busy_) busy_->pending_len = 0;  // draining until the peer closes: the bytes mean nothing
  } else if (own) {
    busy_->pending_len += n;
    process_pending();
  } else {
    const auto data = space.first(n);
    const std::size_t used = process(data);
    keep_pending(data.subspan(used));
  }
  if (busy_ && busy_->pending_len == 0 && busy_->pending.size() > max_idle_pending) {
    std::vector<std::byte>{}.swap(busy_->pending);  // a large frame is done: give its memory back
  }
  return !socket_closed_ && !read_paused_ && (more || input_ended_);
}

void ws_connection_t::process_pending() {
  if (pending_len() == 0) return;
  busy_state_t& b = *busy_;
  const std::size_t used = process(std::span{b.pending}.first(b.pending_len));
  std::memmove(b.pending.data(), b.pending.data() + used, b.pending_len - used);
  b.pending_len -= used;
}

void ws_connection_t::on_batched_read(std::span<std::byte> space, bool own, int result) {
  // Another connection's handler may have closed this one since the read was submitted.
  if (socket_closed_) return;
  if (result == -ECANCELED) {  // never submitted (ws_poller_t): read with plain system calls
    read_loop();
    rest();
    return;
  }
  const bool more = result == -EINTR ||
                    consume_read(space, own, result < 0 ? -1 : result, result < 0 ? -result : 0,
                                 result >= 0 && static_cast<std::size_t>(result) == space.size());
  if (more) read_loop();  // the rest with plain reads, as on_readable() would
  rest();
}

void ws_connection_t::keep_pending(std::span<const std::byte> rest) {
  if (rest.empty()) return;
  busy_state_t& b = busy();
  const std::size_t want = pending_target(rest.size());
  if (b.pending.size() < want) b.pending.resize(want);
  std::memcpy(b.pending.data(), rest.data(), rest.size());
  b.pending_len = rest.size();
}

std::size_t ws_connection_t::pending_target(std::size_t len) const noexcept {
  // Room for the rest of the frame, but grown by doubling as bytes really arrive: a peer that
  // announces a 16 MiB frame and sends nothing more costs us little.
  const std::size_t needed = busy_ ? busy_->needed : 0;
  return std::max(len + min_read_space, std::min(needed, std::max(2 * len, min_frame_growth)));
}

namespace {
// Data frames whose payload is all in the read buffer are unmasked straight into the block the
// message will carry (a recycled one, in steady state): one pass over the payload instead of an
// unmasking pass then a copy.
// Control frames stay in the buffer (their payload is small and not always delivered), and so
// do the fragments of a message that is being assembled and compressed frames (inflated from
// there).
struct message_payload_sink_t final : protocol::payload_sink_t {
  using block_fn_t = std::shared_ptr<std::string> (*)(std::size_t);
  block_fn_t make_block;
  bool assembling_messages;
  std::shared_ptr<std::string> block;

  message_payload_sink_t(block_fn_t fn, bool assembling)
      : make_block{fn}, assembling_messages{assembling} {}

  std::span<std::byte> payload_space(const protocol::frame_header_t& h) noexcept override {
    if (!protocol::is_data_opcode(h.opcode)) return {};
    if (h.rsv1) return {};  // compressed: inflated from the buffer, never delivered as is
    if (assembling_messages && (!h.fin || h.opcode == opcode_t::continuation_frame)) return {};
    const auto size = static_cast<std::size_t>(h.payload_length);  // within max_frame_size
    // A block over this size is never recycled: a new one would be zero-filled by
    // std::string, then written; the in-place path allocates it with the copy instead.
    if (size > max_recycled_payload_capacity) return {};
    try {
      block = make_block(size);
    } catch (const std::bad_alloc&) {
      return {};  // left in the buffer; the copy out of it will report the shortage
    }
    return std::as_writable_bytes(std::span{block->data(), size});
  }
};
}  // namespace

std::size_t ws_connection_t::process(std::span<std::byte> data) {
  std::size_t used = 0;
  busy_state_t& b = busy();  // stays ours while processing_
  message_payload_sink_t sink{&recycled_block, deliver_whole_messages_};
  processing_ = true;
  while (activated_ && !socket_closed_ && !failed_ && !close_received_ && !read_paused_) {
    if (used == data.size()) {  // ends on a frame boundary: nothing is pending
      b.needed = 0;
      break;
    }
    const auto r = b.reader.parse(data.subspan(used), owner_expired() ? nullptr : &sink);
    if (r.status == protocol::read_status_t::need_more) {
      b.needed = r.bytes_needed;
      break;
    }
    if (r.status == protocol::read_status_t::error) {
      fail(r.error.code, r.error.reason);
      break;
    }
    b.needed = 0;
    on_frame(r, r.payload_in_sink ? std::move(sink.block) : nullptr);
    used += r.frame_size;
  }
  if (read_paused_ && used != data.size()) [[unlikely]] {
    // Throttled (flow_control.hpp): the rest waits in `pending` until the queue drains.
    pending_unparsed_ = true;
    b.needed = 0;
  }
  processing_ = false;
  start_write();  // everything the handler queued for this read leaves in one write
  return (failed_ || close_received_) ? data.size() : used;
}

void ws_connection_t::on_frame(const protocol::read_result_t& frame,
                               std::shared_ptr<std::string> sunk) {
  const auto& h = frame.header;
  const std::string_view payload{reinterpret_cast<const char*>(frame.payload.data()),
                                 frame.payload.size()};
  switch (h.opcode) {
    case opcode_t::connection_close_frame: {
      close_received_ = true;
      if (!send_closed_.load(std::memory_order_relaxed)) {
        // Echo the peer's code (1000 for a close without one), as RFC 6455 §5.5.1 suggests.
        const auto code = payload.size() >= 2 ? protocol::status_code_from_bin(payload)
                                              : status_code_t::normal_closure;
        send_close(code, {});
      } else if (close_written_) {
        finish_after_close_sent();
      }
      if (!close_notified_) {  // not yet told of our own close (e.g. the idle timeout's)
        close_notified_ = true;
        deliver(final_frame_flag_t::final_frame, opcode_t::connection_close_frame, payload);
      }
      return;
    }
    case opcode_t::ping_frame:
      if (auto_pong_ && !send_closed_.load(std::memory_order_relaxed))
        queue_frame(final_frame_flag_t::final_frame, opcode_t::pong_frame,
                    recycled_payload(payload), {});
      deliver(h.final_flag(), h.opcode, payload);
      return;
    case opcode_t::pong_frame:
      if (config_->idle.send_pings && payload == keepalive_payload) {
        ping_sent_ = false;  // the answer to our keep-alive ping: the library's own business
        return;
      }
      deliver(h.final_flag(), h.opcode, payload);
      return;
    default:
      break;
  }
  if (extras_ && extras_->deflate && busy().reader.message_compressed()) [[unlikely]] {
    on_compressed_frame(frame);  // from the buffer or the sink's block, wherever the bytes are
    if (sunk) recycle(shared_payload_t{std::move(sunk)});
    return;
  }
  if (sunk) {
    deliver(h.final_flag(), h.opcode, shared_payload_t{std::move(sunk)});
    return;
  }
  if (!deliver_whole_messages_ || (h.fin && h.opcode != opcode_t::continuation_frame)) {
    deliver(h.final_flag(), h.opcode, payload);  // a frame, or an unfragmented message
    return;
  }
  busy_state_t& b = busy();
  if (h.opcode != opcode_t::continuation_frame) {
    b.assembling_opcode = h.opcode;
    b.assembling.clear();
  }
  b.assembling.append(payload);
  if (h.fin)
    deliver(final_frame_flag_t::final_frame, b.assembling_opcode,
            message_t::make_payload(std::exchange(b.assembling, {})));
}

void ws_connection_t::deliver(final_frame_flag_t fin, opcode_t opcode, std::string_view payload) {
  if (owner_expired()) return;  // every handle is gone: the connection is closing
  deliver(fin, opcode, recycled_payload(payload));
}

void ws_connection_t::deliver(final_frame_flag_t fin, opcode_t opcode, shared_payload_t payload) {
  auto owner = lock_owner();
  if (!owner) return;  // every handle is gone: the connection is closing
  message_handle_t message = recycled_message();
  message->final_flag_ = fin;
  message->opcode_ = opcode;
  message->payload_ = std::move(payload);
  // The handler's exception must not kill the reactor: log it, the connection goes on.
  ++delivering_;
  try {
    handler_(std::move(owner), message);
    --delivering_;
  } catch (const std::exception& ex) {
    --delivering_;
    config_->logger->error([&] {
      return "ws [" + std::to_string(connection_id_) + "]: message handler threw: " + ex.what();
    });
  } catch (...) {
    --delivering_;
    config_->logger->error(
        [&] { return "ws [" + std::to_string(connection_id_) + "]: message handler threw"; });
  }
  recycle(std::move(message));
  if (socket_closed_) release_handler();
}

void ws_connection_t::release_handler() {
  // Once closed, nothing more is delivered: drop the handler and what it captured, which may
  // hold handles to this very connection (a registry captured by value), so such cycles end
  // with the connection. Not while the handler runs; deliver() comes back here when it returns.
  if (delivering_ != 0 || !handler_) return;
  const connection_ref_t keep_alive{this};  // the handler's captures may own our last ref
  auto handler = std::move(handler_);
  handler_ = nullptr;
}

}  // namespace restws::websocket::basic::detail
