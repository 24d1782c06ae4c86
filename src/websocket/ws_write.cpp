#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

#include <asio/post.hpp>

#include "../server/join_buffer.hpp"
#include "../server/transport.hpp"
#include "mask_keys.hpp"
#include "restws/websocket/protocol/masking.hpp"
#include "ws_connection.hpp"
#include "ws_poller.hpp"

// Writing: the queue of frames, written straight to the socket (a lone frame from where it is,
// several in one gather write), or through the poller's io_uring batches; the write watchdog.

namespace restws::websocket::basic::detail {
namespace {

using protocol::final_frame_flag_t;
using protocol::opcode_t;
using protocol::status_code_t;

// With io_uring batching, the most a connection's queue may hold and still wait for the end of
// the batch to be written.
constexpr std::size_t max_batched_write = 4096;

// Shared with the HTTP connections of the thread (join_buffer.hpp).
std::span<char> thread_write_buffer() {
  static_assert(restws::detail::join_buffer_size >= max_joined_write);
  return restws::detail::thread_join_buffer();
}

std::size_t frame_size(const out_frame_t& f) noexcept {
  return f.header_size + (f.payload ? f.payload->size() : 0);
}

// Copies `f` (header, then payload) to `out`, which has room for frame_size(f) bytes. Rather
// than join_small_write(), which does the same for any pieces: here the header's copy (under 15
// bytes) is inlined, where join_small_write() calls memcpy() for it, ~20 instructions per echoed
// message more (callgrind).
void join_frame(const out_frame_t& f, char* out) noexcept {
  std::memcpy(out, f.header.data(), f.header_size);
  if (f.payload && !f.payload->empty())
    std::memcpy(out + f.header_size, f.payload->data(), f.payload->size());
}
}  // namespace

void ws_connection_t::queue_frame(final_frame_flag_t fin, opcode_t opcode, shared_payload_t payload,
                                  write_status_cb_t cb, bool compressed) {
  // The client's frames go their own way, tested first: anything of theirs inside this body
  // (the header escaping into a call) costs the server's every frame (~6 instructions an echo,
  // callgrind).
  if (client_) [[unlikely]]
    return queue_client_frame(fin, opcode, std::move(payload), std::move(cb), compressed);
  busy_state_t& b = busy();
  out_frame_t& f = b.queue.emplace_back();
  protocol::frame_header_t h;
  h.fin = fin == final_frame_flag_t::final_frame;
  h.opcode = opcode;
  h.rsv1 = compressed;
  h.payload_length = payload ? payload->size() : 0;
  f.header_size = static_cast<std::uint8_t>(protocol::write_frame_header(f.header, h));
  b.queued_bytes += f.header_size + h.payload_length;
  f.payload = std::move(payload);
  f.cb = std::move(cb);
  add_buffered(h.payload_length);
  if (!processing_) start_write();
}

void ws_connection_t::queue_client_frame(final_frame_flag_t fin, opcode_t opcode,
                                         shared_payload_t payload, write_status_cb_t cb,
                                         bool compressed) {
  protocol::frame_header_t h;
  h.fin = fin == final_frame_flag_t::final_frame;
  h.opcode = opcode;
  h.rsv1 = compressed;
  h.payload_length = payload ? payload->size() : 0;
  mask_for_client(h, payload);
  busy_state_t& b = busy();
  out_frame_t& f = b.queue.emplace_back();
  f.header_size = static_cast<std::uint8_t>(protocol::write_frame_header(f.header, h));
  b.queued_bytes += f.header_size + h.payload_length;
  f.payload = std::move(payload);
  f.cb = std::move(cb);
  add_buffered(h.payload_length);
  if (!processing_) start_write();
}

void ws_connection_t::mask_for_client(protocol::frame_header_t& h, shared_payload_t& payload) {
  h.masked = true;
  h.mask_key = next_mask_key();
  if (!payload || payload->empty()) return;
  // The payload may be shared (a message the caller sends to several connections): masked
  // into a block of its own.
  auto masked = recycled_block(payload->size());
  protocol::copy_masked(std::as_writable_bytes(std::span{masked->data(), masked->size()}),
                        std::as_bytes(std::span{payload->data(), payload->size()}), h.mask_key);
  payload = std::move(masked);
}

void ws_connection_t::queue_raw(std::string bytes) {
  busy_state_t& b = busy();
  out_frame_t& f = b.queue.emplace_back();
  f.header_size = 0;
  b.queued_bytes += bytes.size();
  add_buffered(bytes.size());
  f.payload = message_t::make_payload(std::move(bytes));
  if (!processing_) start_write();
}

void ws_connection_t::start_write() {
  // Writes go straight to the socket; only a full socket makes them wait for on_writable(), and
  // a batched write in flight for its result.
  if (write_blocked_ || batched_write_in_flight_ || write_failed_ || socket_closed_) return;
  if (!busy_) return;  // nothing to write
  if (batches_io_ && poller_->collecting_writes() && busy_->queued_bytes <= max_batched_write) {
    // The poller writes for every connection of its batch at once, at the batch's end. Only
    // small writes wait: a large one gains little from sharing a system call, and holding the
    // payloads of a whole batch of large messages at once would cost memory (and page faults).
    if (!flush_queued_) {
      flush_queued_ = true;
      poller_->want_flush(this);
    }
    return;
  }
  if (out_frame_t* f = lone_frame()) {
    // The common case, one frame and nothing in flight: sent from where it is, without the
    // queue swap and iovec list (a third of the write path's instructions).
    if (!send_single_frame(*f)) return;
  }
  while (load_next_write()) {
    const ssize_t sent = send_pending();
    if (!after_send(sent, sent < 0 ? errno : 0)) return;
  }
}

out_frame_t* ws_connection_t::lone_frame() noexcept {
  // Nothing in flight: `writing` is empty (and so its iovec list is spent).
  busy_state_t& b = *busy_;
  if (b.queue.size() != 1 || !b.writing.empty() || b.queue.front().cb) return nullptr;
  return &b.queue.front();
}

// Inlined: the plain write path's common end.
__attribute__((always_inline)) inline void ws_connection_t::lone_frame_sent() noexcept {
  busy_state_t& b = *busy_;
  const std::size_t payload_size = frame_size(b.queue.front()) - b.queue.front().header_size;
  if (b.queue.size() != 1) {  // frames queued after it while it was in flight (batched)
    b.queued_bytes -= frame_size(b.queue.front());
    if (!b.queue.front().shared) recycle(std::move(b.queue.front().payload));
    b.queue.erase(b.queue.begin());
  } else {
    if (!b.queue.front().shared) recycle(std::move(b.queue.front().payload));
    b.queue.clear();
    b.queued_bytes = 0;
  }
  sub_buffered(payload_size);
}

bool ws_connection_t::send_single_frame(out_frame_t& f) {
  const std::size_t total = frame_size(f);
  ssize_t sent;
  if (total <= max_joined_write) {
    const auto buffer = thread_write_buffer();
    join_frame(f, buffer.data());
    sent = restws::detail::stream_send(fd, tls(), buffer.data(), total);
  } else {
    const std::size_t payload_size = total - f.header_size;
    const std::array<iovec, 2> pieces{iovec{f.header.data(), f.header_size},
                                      iovec{const_cast<char*>(f.payload->data()), payload_size}};
    sent = send_pieces(f.header_size != 0 ? std::span{pieces} : std::span{pieces}.subspan(1));
  }
  if (sent >= 0 && static_cast<std::size_t>(sent) == total) {
    lone_frame_sent();
    return false;
  }
  // Short, blocked or failed: the general path takes the frame over from what was sent.
  const int err = sent < 0 ? errno : 0;
  if (sent < 0 && err == EINTR) return true;
  load_next_write();
  return after_send(sent, err);
}

bool ws_connection_t::load_next_write() {
  if (!busy_) return false;
  busy_state_t& b = *busy_;
  if (b.iov_pos != b.iov.size()) return true;
  finish_written();
  if (b.queue.empty()) return false;
  std::swap(b.writing, b.queue);  // both keep their allocations
  b.queued_bytes = 0;
  b.iov.clear();
  b.iov_pos = 0;
  for (auto& f : b.writing) {
    if (f.header_size) b.iov.push_back({f.header.data(), f.header_size});
    if (f.payload && !f.payload->empty())
      b.iov.push_back({const_cast<char*>(f.payload->data()), f.payload->size()});
  }
  return true;
}

bool ws_connection_t::after_send(ssize_t sent, int err) {
  if (sent < 0) {
    if (err == EINTR) return true;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      write_blocked_ = true;
      busy_->write_started = std::chrono::steady_clock::now();
      arm_write_watchdog();
      return false;
    }
    on_write_error(err);
    return false;
  }
  busy_state_t& b = *busy_;
  restws::detail::drop_sent(b.iov, b.iov_pos, static_cast<std::size_t>(sent));
  return true;
}

std::span<const iovec> ws_connection_t::next_write() {
  flush_queued_ = false;
  if (write_blocked_ || write_failed_ || socket_closed_ || !load_next_write()) {
    rest();  // the poller holds nothing of ours
    return {};
  }
  const busy_state_t& b = *busy_;
  batched_write_in_flight_ = true;
  return {b.iov.data() + b.iov_pos, std::min<std::size_t>(b.iov.size() - b.iov_pos, IOV_MAX)};
}

std::size_t ws_connection_t::join_single_frame(std::span<char> slot) noexcept {
  if (write_blocked_ || write_failed_ || socket_closed_ || !busy_) return 0;
  const out_frame_t* f = lone_frame();
  if (!f || frame_size(*f) > slot.size()) return 0;
  join_frame(*f, slot.data());
  flush_queued_ = false;
  batched_write_in_flight_ = true;
  return frame_size(*f);
}

void ws_connection_t::on_batched_single_write(int result, std::size_t size) {
  batched_write_in_flight_ = false;
  if (socket_closed_) return;
  if (result >= 0 && static_cast<std::size_t>(result) == size) {
    // Sent whole, as send_single_frame() does it. Frames queued meanwhile (by a handler that
    // another connection's result ran) are written next.
    lone_frame_sent();
    if (!busy_->queue.empty()) start_write();
  } else if (result == -ECANCELED) {  // never submitted: written with plain system calls
    start_write();
  } else {
    // Short, blocked or failed: the general path takes the frame over from what was sent.
    load_next_write();
    if (after_send(result < 0 ? -1 : result, result < 0 ? -result : 0)) start_write();
  }
  rest();
}

void ws_connection_t::on_batched_write(int result) {
  batched_write_in_flight_ = false;
  if (socket_closed_) return;
  if (result == -ECANCELED) {  // never submitted (ws_poller_t): write with plain system calls
    start_write();
  } else if (after_send(result < 0 ? -1 : result, result < 0 ? -result : 0)) {
    start_write();
  }
  rest();
}

ssize_t ws_connection_t::send_pending() {
  const busy_state_t& b = *busy_;
  return send_pieces({b.iov.data() + b.iov_pos, b.iov.size() - b.iov_pos});
}

ssize_t ws_connection_t::send_pieces(std::span<const iovec> pieces) {
  return restws::detail::stream_send(fd, tls(), pieces);
}

void ws_connection_t::finish_written() {
  // Completion callbacks never run inside send_message() (a caller may hold a lock they take):
  // they are posted, and only when there is one.
  std::vector<out_frame_t>& writing = busy_->writing;
  bool any = false;
  std::size_t written = 0;
  for (auto& f : writing) {
    written += frame_size(f) - f.header_size;
    if (!f.shared) recycle(std::move(f.payload));
    any = any || static_cast<bool>(f.cb);
  }
  sub_buffered(written);
  if (!any) {
    writing.clear();  // keeps the allocation
    return;
  }
  std::vector<write_status_cb_t> callbacks;
  for (auto& f : writing)
    if (f.cb) callbacks.push_back(std::move(f.cb));
  writing.clear();
  asio::post(io(), [self = connection_ref_t{this}, callbacks = std::move(callbacks)] {
    for (const auto& cb : callbacks) {
      try {
        cb(std::error_code{});
      } catch (...) {
      }
    }
  });
}

void ws_connection_t::on_writable() {
  if (!write_blocked_) {
    if (tls_) [[unlikely]]
      restws::detail::tls_flush(*tls(), fd);  // TLS's own messages the socket did not take
    return;
  }
  write_blocked_ = false;
  start_write();
  rest();
}

void ws_connection_t::on_write_error(int error) {
  // The peer is gone. Close from a handler of its own, not inside the send_message() or the
  // parse that wrote.
  write_failed_ = true;
  config_->logger->trace([&] {
    return "ws [" + std::to_string(connection_id_) +
           "]: write failed: " + std::error_code{error, std::system_category()}.message();
  });
  asio::post(io(), [self = connection_ref_t{this}] { self->close_socket(); });
}

void ws_connection_t::arm_write_watchdog() {
  if (write_timer_armed_ || socket_closed_) return;
  asio::steady_timer& t = timer(extras().write);
  write_timer_armed_ = true;
  t.expires_after(config_->write_timeout);
  // A reference until it runs: close_socket() cancels it, the io_context's end destroys it.
  t.async_wait([self = connection_ref_t{this}](const std::error_code& ec) {
    self->write_timer_armed_ = false;
    if (ec || self->socket_closed_ || !self->write_blocked_) return;
    if (std::chrono::steady_clock::now() - self->busy_->write_started >=
        self->config_->write_timeout) {
      self->config_->logger->warn([&] {
        return "ws [" + std::to_string(self->connection_id_) + "]: write timed out, dropping";
      });
      self->close_socket(status_code_t::internal_error, "write timeout");
    } else {
      self->arm_write_watchdog();
    }
  });
}

}  // namespace restws::websocket::basic::detail
