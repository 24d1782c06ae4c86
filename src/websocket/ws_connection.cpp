#include "ws_connection.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include <asio/dispatch.hpp>
#include <asio/write.hpp>

namespace restws::websocket::basic::detail {
namespace {

using protocol::final_frame_flag_t;
using protocol::opcode_t;
using protocol::status_code_t;

protocol::validator_settings_t validator_settings(const ws_settings_t& s) {
  protocol::validator_settings_t v;
  v.role = protocol::role_t::server;
  v.max_frame_size = s.max_frame_size;
  v.max_message_size = s.max_message_size;
  return v;
}

std::string close_payload(status_code_t code, std::string_view reason) {
  if (code == status_code_t::no_status_received) return {};
  std::string p = protocol::status_code_to_bin(code);
  p.append(reason.substr(0, protocol::max_control_payload_size - 2));
  return p;
}

// Smallest free space worth a read system call.
constexpr std::size_t min_read_space = 2048;

}  // namespace

ws_connection_t::ws_connection_t(connection_handoff_t handoff, message_handler_t handler,
                                 const ws_settings_t& settings)
    : io_{*handoff.io_context},
      socket_{std::move(handoff.socket)},
      registration_{std::move(handoff.registration)},
      connection_id_{handoff.connection_id},
      remote_endpoint_{handoff.remote_endpoint},
      handler_{std::move(handler)},
      settings_{settings},
      reader_{validator_settings(settings)} {
  rbuf_.resize(std::max(settings_.read_buffer_size, handoff.already_read.size() + min_read_space));
  std::memcpy(rbuf_.data(), handoff.already_read.data(), handoff.already_read.size());
  rend_ = handoff.already_read.size();
}

ws_connection_t::~ws_connection_t() = default;

template <typename F>
void ws_connection_t::run_on_io_thread(F&& f) {
  asio::dispatch(io_, [self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(); });
}

void ws_connection_t::start(std::string response_head, std::weak_ptr<ws_t> owner,
                            bool activate_now) {
  owner_ = std::move(owner);
  if (registration_) {
    registration_->set_stop_handler([weak = weak_from_this()] {
      if (auto self = weak.lock())
        self->shutdown_from_any_thread(status_code_t::going_away, "server stopping");
    });
  }
  queue_raw(std::move(response_head));
  if (activate_now) activate();
}

// ---- entry points from any thread ----------------------------------------------------------

void ws_connection_t::send_from_any_thread(final_frame_flag_t fin, opcode_t opcode,
                                           std::string payload, write_status_cb_t cb) {
  run_on_io_thread([this, fin, opcode, payload = std::move(payload), cb = std::move(cb)]() mutable {
    if (send_closed_.load(std::memory_order_relaxed)) {
      if (cb) cb(asio::error::operation_aborted);
      return;
    }
    if (opcode == opcode_t::connection_close_frame) {
      // The user starts the close handshake with a frame of their own.
      send_closed_.store(true, std::memory_order_release);
      queue_frame(final_frame_flag_t::final_frame, opcode, std::move(payload), std::move(cb));
      queue_.back().cb = [this, user_cb = std::move(queue_.back().cb)](const std::error_code& ec) {
        if (user_cb) user_cb(ec);
        if (!ec) finish_after_close_sent();
      };
      return;
    }
    queue_frame(fin, opcode, std::move(payload), std::move(cb));
  });
}

void ws_connection_t::shutdown_from_any_thread(status_code_t code, std::string reason) {
  run_on_io_thread([this, code, reason = std::move(reason)] {
    if (socket_closed_ || send_closed_.load(std::memory_order_relaxed)) return;
    send_close(code, reason);
  });
}

void ws_connection_t::kill_from_any_thread() {
  run_on_io_thread([this] { close_socket(); });
}

void ws_connection_t::activate_from_any_thread() {
  run_on_io_thread([this] { activate(); });
}

// ---- reading -----------------------------------------------------------------------------

void ws_connection_t::activate() {
  if (activated_ || socket_closed_) return;
  activated_ = true;
  process_buffer();
  start_read();
}

void ws_connection_t::start_read() {
  if (reading_ || socket_closed_ || !activated_) return;
  const std::size_t have = rend_ - rbegin_;
  if (have == 0) {
    rbegin_ = rend_ = 0;
    // A large frame grew the buffer; give the memory back once it is empty.
    if (rbuf_.size() > 4 * settings_.read_buffer_size) {
      rbuf_ = std::vector<std::byte>(settings_.read_buffer_size);
    }
  }
  const std::size_t want = std::max(needed_, have) + min_read_space;
  if (rbuf_.size() - rbegin_ < want && rbegin_ > 0) {
    std::memmove(rbuf_.data(), rbuf_.data() + rbegin_, have);
    rbegin_ = 0;
    rend_ = have;
  }
  if (rbuf_.size() - rbegin_ < want) rbuf_.resize(std::max(want, rbuf_.size() * 2));

  reading_ = true;
  socket_.async_read_some(asio::buffer(rbuf_.data() + rend_, rbuf_.size() - rend_),
                          [self = shared_from_this()](const std::error_code& ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

void ws_connection_t::on_read(const std::error_code& ec, std::size_t n) {
  reading_ = false;
  if (socket_closed_) return;
  if (ec) {
    // EOF after our close frame is the normal end of the handshake; anything else is abnormal.
    if (!close_notified_) notify_closed(status_code_t::abnormal_closure, {});
    close_socket();
    return;
  }
  rend_ += n;
  if (failed_ || close_received_) {
    rbegin_ = rend_ = 0;  // draining until the peer closes: the bytes mean nothing now
  } else {
    process_buffer();
  }
  start_read();
}

void ws_connection_t::process_buffer() {
  if (processing_) return;
  processing_ = true;
  while (activated_ && !socket_closed_ && !failed_ && !close_received_) {
    const auto r = reader_.parse(std::span<std::byte>{rbuf_.data() + rbegin_, rend_ - rbegin_});
    if (r.status == protocol::read_status_t::need_more) {
      needed_ = r.bytes_needed;
      break;
    }
    if (r.status == protocol::read_status_t::error) {
      fail(r.error.code, r.error.reason);
      break;
    }
    needed_ = 0;
    on_frame(r);
    rbegin_ += r.frame_size;
  }
  processing_ = false;
  start_write();  // everything the handler queued for this read leaves in one write
}

void ws_connection_t::on_frame(const protocol::read_result_t& frame) {
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
      close_notified_ = true;
      deliver(final_frame_flag_t::final_frame, opcode_t::connection_close_frame,
              std::string{payload});
      return;
    }
    case opcode_t::ping_frame:
      if (settings_.auto_pong && !send_closed_.load(std::memory_order_relaxed))
        queue_frame(final_frame_flag_t::final_frame, opcode_t::pong_frame, std::string{payload},
                    {});
      deliver(h.final_flag(), h.opcode, std::string{payload});
      return;
    case opcode_t::pong_frame:
      deliver(h.final_flag(), h.opcode, std::string{payload});
      return;
    default:
      break;
  }
  if (!settings_.deliver_whole_messages) {
    deliver(h.final_flag(), h.opcode, std::string{payload});
    return;
  }
  if (h.opcode != opcode_t::continuation_frame) {
    assembling_opcode_ = h.opcode;
    assembling_.clear();
  }
  assembling_.append(payload);
  if (h.fin)
    deliver(final_frame_flag_t::final_frame, assembling_opcode_, std::exchange(assembling_, {}));
}

void ws_connection_t::deliver(final_frame_flag_t fin, opcode_t opcode, std::string payload) {
  auto owner = owner_.lock();
  if (!owner) return;  // every handle is gone: the connection is closing
  auto message = std::make_shared<message_t>(fin, opcode, std::move(payload));
  try {
    handler_(std::move(owner), std::move(message));
  } catch (...) {
    // The handler's exception must not kill the reactor; the connection goes on.
  }
}

// ---- writing -----------------------------------------------------------------------------

void ws_connection_t::queue_frame(final_frame_flag_t fin, opcode_t opcode, std::string payload,
                                  write_status_cb_t cb) {
  out_frame_t& f = queue_.emplace_back();
  protocol::frame_header_t h;
  h.fin = fin == final_frame_flag_t::final_frame;
  h.opcode = opcode;
  h.payload_length = payload.size();
  f.header_size = static_cast<std::uint8_t>(protocol::write_frame_header(f.header, h));
  f.payload = std::move(payload);
  f.cb = std::move(cb);
  if (!processing_) start_write();
}

void ws_connection_t::queue_raw(std::string bytes) {
  out_frame_t& f = queue_.emplace_back();
  f.header_size = 0;
  f.payload = std::move(bytes);
  if (!processing_) start_write();
}

void ws_connection_t::start_write() {
  if (write_in_flight_ || queue_.empty() || socket_closed_) return;
  std::swap(writing_, queue_);
  gather_.clear();
  for (const auto& f : writing_) {
    if (f.header_size) gather_.emplace_back(f.header.data(), f.header_size);
    if (!f.payload.empty()) gather_.emplace_back(f.payload.data(), f.payload.size());
  }
  write_in_flight_ = true;
  write_started_ = std::chrono::steady_clock::now();
  arm_write_watchdog();
  asio::async_write(
      socket_, gather_,
      [self = shared_from_this()](const std::error_code& ec, std::size_t) { self->on_write(ec); });
}

void ws_connection_t::on_write(const std::error_code& ec) {
  write_in_flight_ = false;
  auto done = std::exchange(writing_, {});
  for (auto& f : done)
    if (f.cb) {
      try {
        f.cb(ec);
      } catch (...) {
      }
    }
  done.clear();
  if (writing_.capacity() < done.capacity()) writing_.swap(done);  // keep the allocation
  if (ec) {
    if (!socket_closed_) {
      if (!close_notified_) notify_closed(status_code_t::abnormal_closure, {});
      close_socket();
    }
    return;
  }
  start_write();
}

void ws_connection_t::arm_write_watchdog() {
  if (write_timer_armed_) return;
  if (!write_timer_) write_timer_.emplace(io_);
  write_timer_armed_ = true;
  write_timer_->expires_after(settings_.write_timeout);
  write_timer_->async_wait([weak = weak_from_this()](const std::error_code& ec) {
    auto self = weak.lock();
    if (!self) return;
    self->write_timer_armed_ = false;
    if (ec || self->socket_closed_ || !self->write_in_flight_) return;
    if (std::chrono::steady_clock::now() - self->write_started_ >= self->settings_.write_timeout) {
      self->notify_closed(status_code_t::internal_error, "write timeout");
      self->close_socket();
    } else {
      self->arm_write_watchdog();
    }
  });
}

// ---- closing -----------------------------------------------------------------------------

void ws_connection_t::send_close(status_code_t code, std::string_view reason) {
  send_closed_.store(true, std::memory_order_release);
  queue_frame(final_frame_flag_t::final_frame, opcode_t::connection_close_frame,
              close_payload(code, reason), [this](const std::error_code& ec) {
                if (!ec) finish_after_close_sent();
              });
  arm_close_timer();
}

void ws_connection_t::finish_after_close_sent() {
  close_written_ = true;
  arm_close_timer();
  if (!activated_) {
    close_socket();  // nobody reads this connection: no close answer can be seen
    return;
  }
  if (!(close_received_ || failed_) || shut_down_send_) return;
  // Handshake complete (or the connection failed): the server closes TCP first (RFC 6455 §7.1.1).
  // Half-close and drain until the peer's FIN, so that our close frame is not lost to a reset.
  shut_down_send_ = true;
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  start_read();
}

void ws_connection_t::fail(status_code_t code, std::string_view reason) {
  failed_ = true;
  rbegin_ = rend_ = 0;
  if (!send_closed_.load(std::memory_order_relaxed)) send_close(code, reason);
  notify_closed(code, reason);
}

void ws_connection_t::arm_close_timer() {
  if (close_timer_) return;
  close_timer_.emplace(io_);
  close_timer_->expires_after(settings_.close_timeout);
  close_timer_->async_wait([weak = weak_from_this()](const std::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec) return;
    if (!self->close_notified_) self->notify_closed(status_code_t::abnormal_closure, {});
    self->close_socket();
  });
}

void ws_connection_t::close_socket() {
  if (socket_closed_) return;
  socket_closed_ = true;
  send_closed_.store(true, std::memory_order_release);
  std::error_code ignored;
  socket_.close(ignored);
  if (write_timer_) write_timer_->cancel();
  if (close_timer_) close_timer_->cancel();
  for (auto& f : std::exchange(queue_, {}))
    if (f.cb) {
      try {
        f.cb(asio::error::operation_aborted);
      } catch (...) {
      }
    }
  registration_.reset();
  if (!close_notified_) notify_closed(status_code_t::abnormal_closure, {});
}

void ws_connection_t::notify_closed(status_code_t code, std::string_view reason) {
  if (close_notified_) return;
  close_notified_ = true;
  deliver(final_frame_flag_t::final_frame, opcode_t::connection_close_frame,
          close_payload(code, reason));
}

}  // namespace restws::websocket::basic::detail
