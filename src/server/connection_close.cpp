#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <system_error>

#include "connection.hpp"
#include "tls_transport.hpp"
#include "transport.hpp"

// Closing, deadlines, server stop and hand-off of a connection (the I/O paths are in
// connection.cpp).

namespace restws::detail {

// ---- closing -------------------------------------------------------------------------------

void connection_t::close_gracefully() {
  if (state_ == state_t::closed || state_ == state_t::handed_off || state_ == state_t::lingering)
    return;
  const bool failed = fd_ < 0 || stream_shutdown_send(fd_, tls_.get()) != 0;
  if (peer_eof_ || failed) {
    close_now();
    return;
  }
  // Drain what the peer still sends until it closes: closing with unread bytes would make the
  // kernel send a reset, which can destroy the response the peer has not read yet.
  state_ = state_t::lingering;
  linger_deadline_ = clock_t::now() + config_.linger_timelimit;
  start_read();
}

void connection_t::close_now() {
  if (state_ == state_t::closed || state_ == state_t::handed_off) return;
  state_ = state_t::closed;
  if (fd_ >= 0) {
    ::close(fd_);  // takes it out of the reactor's epoll set
    fd_ = -1;
    reactor_.poller().forget();
  }
  reading_ = false;
  write_blocked_ = false;
  pending_.clear();
  unlink();
}

void connection_t::unlink() {
  if (linked_) {
    linked_ = false;
    reactor_.remove_connection(*this);
  }
}

void connection_t::on_server_stop() {
  if (state_ != state_t::active && state_ != state_t::closing) return;
  bool busy = writing_;
  for (const auto& p : pending_) busy = busy || p.dispatched;
  if (!busy) {
    close_now();  // idle, or in the middle of receiving a request: nothing is lost
    return;
  }
  if (state_ == state_t::active) enter_closing();
}

// ---- deadlines -----------------------------------------------------------------------------

void connection_t::check_deadlines(clock_t::time_point now) {
  if (state_ == state_t::closed || state_ == state_t::handed_off) return;
  if (state_ == state_t::lingering) {
    if (now >= linger_deadline_) close_now();
    return;
  }
  if (tls_ && now >= tls_handshake_deadline_ && !check_tls_handshake()) [[unlikely]]
    return;
  if (writing_ && now >= write_deadline_) {
    reactor_.logger().warn([&] {
      return "connection " + std::to_string(id_) + ": response write timed out, closing";
    });
    close_now();
    return;
  }
  // Handlers that did not answer in time get a 503 in their place.
  request_id_t late[8];
  std::size_t late_count = 0;
  for (const auto& p : pending_)
    if (p.dispatched && !p.complete && now >= p.handle_deadline && late_count < 8)
      late[late_count++] = p.id;
  for (std::size_t i = 0; i < late_count; ++i) {
    reactor_.logger().warn([&] {
      return "connection " + std::to_string(id_) + ": request " + std::to_string(late[i]) +
             " not answered within handle_request_timeout, answering 503";
    });
    answer_now(late[i], status_service_unavailable());
    if (state_ == state_t::closed) return;
  }
  if (state_ == state_t::active && now >= read_deadline_) {
    const bool partial = head_parsed_ || begin_ != end_;
    reactor_.logger().warn([&] {
      return "connection " + std::to_string(id_) + ": request not received within " +
             "read_next_http_message_timelimit" + (partial ? " (partial request), 408" : "") +
             ", closing";
    });
    if (!partial) {
      enter_closing();
      return;
    }
    while (!pending_.empty() && !pending_.back().dispatched) pending_.pop_back();
    pending_t p;
    p.id = next_id_++;
    p.dispatched = p.started = p.complete = p.close_after = true;
    p.parts.add(simple_response(status_request_timeout(), true));
    pending_.push_back(std::move(p));
    head_parsed_ = false;
    begin_ = end_ = 0;
    enter_closing();
  }
}

// ---- hand-off ------------------------------------------------------------------------------

connection_handoff_t connection_t::take_connection(request_id_t id) {
  if (!reactor_.io().get_executor().running_in_this_thread())
    throw std::logic_error{"restws: take_connection() called off the connection's thread"};
  const pending_t* p = find_pending(id);
  if (state_ != state_t::active || !p || !p->dispatched || p->complete || p->started ||
      pending_.size() != 1 || writing_ || reading_)
    throw std::logic_error{
        "restws: take_connection() on a request that was answered, or whose connection is "
        "busy or closing (only a `Connection: upgrade` request can be handed off)"};
  // The socket goes back to Asio for its new owner, in blocking mode as Asio gives sockets out.
  reactor_.poller().remove(fd_);
  const int flags = ::fcntl(fd_, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
  asio::ip::tcp::socket socket{reactor_.io()};
  std::error_code ec;
  socket.assign(remote_.protocol(), fd_, ec);
  if (ec) {
    // Asio could not watch it (out of memory or descriptors): the connection is lost.
    ::close(fd_);
    fd_ = -1;
    close_now();
    throw std::system_error{ec, "restws: take_connection()"};
  }
  fd_ = -1;
  if (tls_) tls_->forget_info();  // the WebSocket does not keep the cached TLS info
  connection_handoff_t h{std::move(socket),
                         &reactor_.io(),
                         std::string{buffer_.data() + begin_, end_ - begin_},
                         id_,
                         remote_,
                         reactor_.register_handoff(),
                         reactor_.config().logger,
                         std::move(tls_),
                         reactor_.config().topics};
  state_ = state_t::handed_off;
  pending_.clear();
  begin_ = end_ = 0;
  unlink();
  return h;
}

}  // namespace restws::detail
