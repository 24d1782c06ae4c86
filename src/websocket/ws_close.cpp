#include <sys/socket.h>

#include <utility>
#include <vector>

#include "../server/transport.hpp"
#include "ws_connection.hpp"
#include "ws_poller.hpp"

// Closing: the close handshake, failing on a protocol violation, the close timer, and the
// socket's end (the handler told once).

namespace restws::websocket::basic::detail {
namespace {

using protocol::final_frame_flag_t;
using protocol::opcode_t;
using protocol::status_code_t;

std::string close_payload(status_code_t code, std::string_view reason) {
  if (code == status_code_t::no_status_received) return {};
  std::string p = protocol::status_code_to_bin(code);
  p.append(reason.substr(0, protocol::max_control_payload_size - 2));
  return p;
}
}  // namespace

void ws_connection_t::send_close(status_code_t code, std::string_view reason) {
  send_closed_.store(true, std::memory_order_release);
  leave_topics();
  queue_frame(final_frame_flag_t::final_frame, opcode_t::connection_close_frame,
              message_t::make_payload(close_payload(code, reason)),
              [this](const std::error_code& ec) {
                if (!ec) finish_after_close_sent();
              });
  arm_close_timer();
}

void ws_connection_t::finish_after_close_sent() {
  // A write that succeeded just before a kill completes afterwards: the socket and timers are
  // gone then and must not come back (they would outlive the io_context).
  if (socket_closed_) return;
  close_written_ = true;
  arm_close_timer();
  if (!activated_) {
    close_socket();  // nobody reads this connection: no close answer can be seen
    return;
  }
  if (!(close_received_ || failed_) || shut_down_send_) return;
  // Handshake complete (or the connection failed): the server closes TCP first (RFC 6455 §7.1.1).
  // A server half-closes and drains until the peer's FIN, so that its close frame is not lost to
  // a reset; a client only drains, waiting for the server's FIN (the close timer bounds both).
  shut_down_send_ = true;
  if (!client_) restws::detail::stream_shutdown_send(fd, tls());
  start_read();
}

void ws_connection_t::fail(status_code_t code, std::string_view reason) {
  config_->logger->warn([&] {
    return "ws [" + std::to_string(connection_id_) + "]: bad frame from " +
           remote_endpoint_.address().to_string() + ", closing with " +
           std::to_string(static_cast<int>(code)) + ": " + std::string{reason};
  });
  fail_connection(code, reason);
}

void ws_connection_t::fail_connection(status_code_t code, std::string_view reason) {
  failed_ = true;
  if (!send_closed_.load(std::memory_order_relaxed)) send_close(code, reason);
  notify_closed(code, reason);
}

void ws_connection_t::arm_close_timer() {
  if ((extras_ && extras_->close) || socket_closed_) return;
  asio::steady_timer& t = timer(extras().close);
  t.expires_after(config_->close_timeout);
  t.async_wait([self = connection_ref_t{this}](const std::error_code& ec) {
    if (!ec) self->close_socket();
  });
}

void ws_connection_t::close_socket(status_code_t code, std::string_view reason) {
  if (socket_closed_) return;
  // Destroy, not only close, everything bound to the io_context: handles may outlive the server
  // and its io_context, and must then touch nothing of it.
  if (registered_) poller_->remove(this);  // releases us later, never here
  mark_socket_closed();
  // The timers' handlers run with operation_aborted and drop their references.
  if (has_subprotocol_) {
    extras_->write.reset();
    extras_->close.reset();
    extras_->drain = nullptr;
  } else {
    extras_.reset();
  }
  std::vector<out_frame_t> unsent;
  if (busy_) {
    // The state itself goes at the next rest(): a caller up the stack may be parsing its buffer.
    busy_state_t& b = *busy_;
    b.iov.clear();
    b.iov_pos = 0;
    unsent = std::exchange(b.writing, {});
    for (auto& f : std::exchange(b.queue, {})) unsent.push_back(std::move(f));
    b.queued_bytes = 0;
  }
  buffered_.store(0, std::memory_order_relaxed);
  over_limit_ = false;
  for (auto& f : unsent)
    if (f.cb) {
      try {
        f.cb(asio::error::operation_aborted);
      } catch (...) {
      }
    }
  if (!close_notified_) notify_closed(code, reason);
  release_handler();
  // Our own handle goes last: the handler above still got one with the close. If it was the last
  // handle, its deleter finds the connection detached and sends nothing.
  drop_owner();
  rest();
}

void ws_connection_t::mark_socket_closed() noexcept {
  leave_topics();
  registered_ = false;
  socket_closed_ = true;
  send_closed_.store(true, std::memory_order_release);
  detached_.store(true, std::memory_order_release);
  if (fd >= 0) ::close(fd);
  fd = -1;
  if (tls_) {  // its session goes with the socket
    tls_ = false;
    extras_->tls.reset();
  }
}

void ws_connection_t::detach_from_poller() noexcept {
  mark_socket_closed();
  poller_ = nullptr;  // going away: our busy state must not go back to its pool
  busy_.reset();
  if (extras_) extras_->drain = nullptr;  // its captures may hold handles to this connection
  try {
    release_handler();  // its captures may hold handles to this connection
  } catch (...) {
  }
  drop_owner();
}

void ws_connection_t::notify_closed(status_code_t code, std::string_view reason) {
  if (close_notified_) return;
  close_notified_ = true;
  deliver(final_frame_flag_t::final_frame, opcode_t::connection_close_frame,
          close_payload(code, reason));
}

}  // namespace restws::websocket::basic::detail
