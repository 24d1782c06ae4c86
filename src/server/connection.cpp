#include "connection.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <asio/post.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include "join_buffer.hpp"
#include "recycling_allocator.hpp"
#include "tls_transport.hpp"
#include "transport.hpp"

namespace restws::detail {
namespace {

http_connection_header_t connection_kind(const http::request_head_t& h) noexcept {
  if (h.connection_upgrade) return http_connection_header_t::upgrade;
  return h.keep_alive ? http_connection_header_t::keep_alive : http_connection_header_t::close;
}

// Largest read buffer a connection grows to when reads keep filling it (unless buffer_size is
// larger; long request heads may grow it further, up to the header limit).
constexpr std::size_t max_read_buffer = 16 * 1024;

}  // namespace

std::string simple_response(http_status_line_t status, bool close) {
  std::string s;
  s.reserve(96);
  char code[8];
  const auto r = std::to_chars(code, code + sizeof code, status.code);
  s.append("HTTP/1.1 ").append(code, r.ptr).append(" ").append(status.reason);
  // An origin server with a clock sends Date in every 2xx-4xx response (RFC 9110 §6.6.1).
  s.append("\r\nDate: ").append(http_date_now());
  s.append("\r\nContent-Length: 0\r\n");
  if (close) s.append("Connection: close\r\n");
  s.append("\r\n");
  return s;
}

connection_t::connection_t(reactor_t& reactor, asio::ip::tcp::socket socket, connection_id_t id)
    : reactor_{reactor},
      gate_{reactor.gate()},
      config_{reactor.config()},
      id_{id},
      parser_{reactor.config().limits} {
  std::error_code ec;
  remote_ = socket.remote_endpoint(ec);
  socket.set_option(asio::ip::tcp::no_delay{true}, ec);
  socket.non_blocking(true, ec);  // reads and writes never block
  // The socket leaves Asio for the reactor's fd_poller_t (see fd_poller.hpp).
  fd_ = socket.release(ec);
  if (ec) fd_ = -1;
  if (fd_ >= 0 && !reactor_.poller().add(fd_, this, ec)) {
    ::close(fd_);
    fd_ = -1;
  }
  if (fd_ < 0) {
    reactor_.logger().error([&] {
      return "connection [" + std::to_string(id_) + "]: cannot watch the socket: " + ec.message();
    });
  } else if (auto tls = reactor_.tls()) {
    start_tls(std::move(tls));
  }
  buffer_.resize(config_.buffer_size);
}

// Never touches the reactor: a request handle may keep its connection past the server's end.
connection_t::~connection_t() {
  if (fd_ >= 0) ::close(fd_);
}

void connection_t::start() {
  if (fd_ < 0) {
    close_now();
    return;
  }
  process_input();
}

// ---- readiness -----------------------------------------------------------------------------

void connection_t::on_poll_event(std::uint32_t events) {
  if (poll_event_for_batch(events)) do_read();
}

bool connection_t::poll_event_for_batch(std::uint32_t events) {
  if (fd_ < 0) return false;  // closed or handed off earlier in this round
  if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
    if (write_blocked_) {
      write_blocked_ = false;
      continue_write();
      if (fd_ < 0) return false;
    } else if (tls_) [[unlikely]] {
      tls_flush(*tls_, fd_);  // handshake messages the socket did not take at once
    }
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
    readable_ = true;
    if (events & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)) input_ended_ = true;
    return reading_;
  }
  return false;
}

// ---- input ---------------------------------------------------------------------------------

std::size_t connection_t::in_handling() const noexcept {
  std::size_t n = 0;
  for (const auto& p : pending_) n += p.complete ? 0 : 1;
  return n;
}

connection_t::pending_t* connection_t::find_pending(request_id_t id) {
  if (pending_.empty() || id < pending_.front().id || id > pending_.back().id) return nullptr;
  return &pending_[id - pending_.front().id];
}

void connection_t::process_input() {
  if (processing_) return;  // re-entered from a handler that answered synchronously
  processing_ = true;
  while (state_ == state_t::active && parse_step()) {
  }
  processing_ = false;
}

void connection_t::enter_closing() {
  // Requests not yet given to the handler will never be answered: forget them.
  while (!pending_.empty() && !pending_.back().dispatched && !pending_.back().complete)
    pending_.pop_back();
  head_parsed_ = false;
  ready_ = false;
  read_deadline_ = never;
  state_ = state_t::closing;
  try_write();
  if (!writing_ && pending_.empty()) close_gracefully();
}

bool connection_t::need_more_input() {
  if (peer_eof_) {  // the peer will send nothing more: answer what we have, then close
    enter_closing();
    return false;
  }
  start_read();
  return false;
}

bool connection_t::parse_step() {
  if (ready_) {  // an upgrade request waits until everything before it is written
    if (writing_ || pending_.size() != 1) return false;
    ready_ = false;
    dispatch(pending_.back().id);
    return true;
  }
  if (!pending_.empty() && pending_.back().upgrade && pending_.back().dispatched &&
      !pending_.back().complete)
    return false;  // nothing is read past an upgrade request until it is answered

  if (!head_parsed_) {
    if (in_handling() >= config_.max_pipelined_requests ||
        pending_.size() >= config_.max_pipelined_requests + 16)
      return false;
    if (read_deadline_ == never)
      read_deadline_ = clock_t::now() + config_.read_next_http_message_timelimit;
    if (begin_ == end_) return need_more_input();  // the usual state after an answer
    const auto status = parser_.parse_head({buffer_.data() + begin_, end_ - begin_});
    if (status == http::parse_status_t::incomplete) return need_more_input();
    if (status == http::parse_status_t::error) {
      reject_bad_request();
      return false;
    }
    const auto& h = parser_.head();
    http_header_fields_t fields;
    fields.reserve(h.fields.size());
    for (const auto& f : h.fields) fields.emplace_field(f.name, f.value);
    current_header_ =
        http_request_header_t{h.method,        std::string{h.target}, h.version_major,
                              h.version_minor, std::move(fields),     connection_kind(h)};
    pending_t& p = pending_.emplace_back();
    p.id = next_id_++;
    p.upgrade = h.connection_upgrade;
    p.close_requested = !h.keep_alive;
    const bool send_continue =
        h.expect_continue && h.body_kind != http::body_kind_t::none && h.version_minor >= 1;
    begin_ += h.head_size;
    head_parsed_ = true;
    current_body_.clear();
    current_trailers_.clear();
    if (send_continue && begin_ == end_) {
      pending_.back().parts.add("HTTP/1.1 100 Continue\r\n\r\n");
      try_write();
    }
  }

  std::size_t consumed = 0;
  const auto status =
      parser_.parse_body({buffer_.data() + begin_, end_ - begin_}, current_body_, consumed);
  begin_ += consumed;
  if (status == http::parse_status_t::error) {
    reject_bad_request();
    return false;
  }
  if (status == http::parse_status_t::incomplete) return need_more_input();

  head_parsed_ = false;
  for (const auto& [name, value] : parser_.trailers()) current_trailers_.add_field(name, value);
  parser_.reset();
  read_deadline_ = never;
  if (begin_ == end_) begin_ = end_ = 0;
  if (pending_.back().upgrade && (writing_ || pending_.size() != 1)) {
    ready_ = true;
    return false;
  }
  dispatch(pending_.back().id);
  return true;
}

void connection_t::dispatch(request_id_t id) {
  pending_t* p = find_pending(id);
  p->dispatched = true;
  p->handle_deadline = clock_t::now() + config_.handle_request_timeout;
  auto req = std::allocate_shared<request_t>(recycling_allocator_t<request_t>{}, id,
                                             std::move(current_header_), std::move(current_body_),
                                             shared_from_this(), id_, remote_);
  current_body_ = std::string{};
  if (tls_) [[unlikely]]
    req->set_tls(tls_->info());
  if (!current_trailers_.empty()) req->set_trailers(std::move(current_trailers_));
  current_trailers_ = http_header_fields_t{};

  auto status = request_rejected();
  try {
    if (config_.handler) status = config_.handler(req);
  } catch (const std::exception& ex) {
    reactor_.logger().error(
        [&] { return describe_request(*req) + ": handler threw: " + ex.what(); });
    answer_now(id, status_internal_server_error());
    return;
  } catch (...) {
    reactor_.logger().error([&] { return describe_request(*req) + ": handler threw"; });
    answer_now(id, status_internal_server_error());
    return;
  }
  if (status == request_rejected()) {
    reactor_.logger().info([&] { return describe_request(*req) + ": rejected by the handler"; });
    answer_now(id, config_.rejected_request_status);
  }
}

std::string connection_t::describe_request(const request_t& req) const {
  std::string s = "connection " + std::to_string(id_) + " [";
  std::error_code ec;
  s += remote_.address().to_string() + "] " + std::string{to_string(req.header().method())} + " " +
       std::string{req.header().request_target()};
  return s;
}

void connection_t::answer_now(request_id_t id, http_status_line_t status) {
  pending_t* p = find_pending(id);
  if (!p || p->complete || state_ == state_t::closed || state_ == state_t::handed_off) return;
  if (p->started) {  // part of another response is out: the only honest end is to close
    close_now();
    return;
  }
  response_part_t part;
  part.close_connection = p->close_requested;
  part.head = simple_response(status, part.close_connection);
  on_response(id, std::move(part));
}

void connection_t::reject_bad_request() {
  const auto error = parser_.error();
  const int code = http::error_status(error);
  reactor_.logger().warn([&] {
    std::error_code ec;
    return "connection " + std::to_string(id_) + " [" + remote_.address().to_string() +
           "]: bad request (" + std::string{http::describe(error)} + "), answering " +
           std::to_string(code);
  });
  if (!head_parsed_) {
    pending_t p;
    p.id = next_id_++;
    pending_.push_back(std::move(p));
  }
  pending_t& p = pending_.back();
  p.dispatched = true;
  p.started = true;
  p.complete = true;
  p.close_after = true;
  p.parts.add(simple_response(http::status_line(code), true));
  head_parsed_ = false;
  ready_ = false;
  begin_ = end_ = 0;  // nothing after a bad request is processed
  read_deadline_ = never;
  state_ = state_t::closing;
  try_write();
}

// ---- responses -----------------------------------------------------------------------------

void connection_t::write_response(request_id_t id, response_part_t part) {
  if (reactor_t::current() == &reactor_) {
    on_response(id, std::move(part));
    return;
  }
  std::lock_guard lock{gate_->mutex};
  if (!gate_->reactor) return;  // the server is gone: nobody left to send it
  asio::post(gate_->reactor->io(),
             [self = shared_from_this(), id, part = std::move(part)]() mutable {
               self->on_response(id, std::move(part));
             });
}

void connection_t::on_response(request_id_t id, response_part_t&& part, bool try_at_once) {
  if (state_ == state_t::closed || state_ == state_t::handed_off) return;
  pending_t* p = find_pending(id);
  if (!p || p->complete || !p->dispatched) return;  // answered already (timeout) or unknown
  if (state_ == state_t::closing && !p->started && !part.close_connection && !part.head.empty())
    announce_close(part.head);  // the server is stopping: tell the client not to reuse this
  if (try_at_once && part.last && part.body.empty() && !part.head.empty() &&
      can_send_at_once(*p, part.close_connection)) {
    const std::size_t sent = send_at_once(part.head, {});
    if (sent == part.head.size()) return;
    part.head.erase(0, sent);
  }
  p->parts.add(std::move(part.head));
  p->parts.add(std::move(part.body));
  p->started = true;
  p->close_after = p->close_after || part.close_connection;
  p->complete = part.last;
  try_write();
  if (part.last) process_input();  // a handling slot is free
}

void connection_t::announce_close(std::string& head) {
  constexpr std::string_view keep_alive = "Connection: keep-alive\r\n";
  constexpr std::string_view close = "Connection: close\r\n";
  const auto end = head.find("\r\n\r\n");
  if (end == std::string::npos) return;
  const auto ka = head.find(keep_alive);
  if (ka != std::string::npos && ka < end)
    head.replace(ka, keep_alive.size(), close);
  else
    head.insert(end + 2, close);
}

void connection_t::write_whole_response(request_id_t id, std::string_view head,
                                        std::string_view body, bool close_connection) {
  if (reactor_t::current() == &reactor_ && !pending_.empty() && pending_.front().id == id &&
      can_send_at_once(pending_.front(), close_connection)) {
    const std::size_t sent = send_at_once(head, body);
    if (sent == head.size() + body.size()) return;
    response_part_t part;  // what the socket did not take goes the queued way
    if (sent < head.size()) {
      part.head.reserve(head.size() - sent + body.size());
      part.head.append(head.substr(sent)).append(body);
    } else {
      part.head.assign(body.substr(sent - head.size()));
    }
    on_response(id, std::move(part), false);
    return;
  }
  response_sink_t::write_whole_response(id, head, body, close_connection);
}

bool connection_t::can_send_at_once(const pending_t& p, bool close_connection) const noexcept {
  return &p == &pending_.front() && p.dispatched && !p.started && !p.complete && !writing_ &&
         state_ == state_t::active && !close_connection && !reactor_.poller().collecting();
}

std::size_t connection_t::send_at_once(std::string_view head, std::string_view body) {
  const std::array<iovec, 2> pieces{iovec{const_cast<char*>(head.data()), head.size()},
                                    iovec{const_cast<char*>(body.data()), body.size()}};
  const std::size_t total = head.size() + body.size();
  const ssize_t sent = stream_send(fd_, tls_.get(), std::span{pieces}.first(body.empty() ? 1 : 2));
  if (sent == static_cast<ssize_t>(total)) {
    pending_.erase(pending_.begin());
    if (!pending_.empty()) try_write();  // responses to later requests may be waiting for it
    process_input();                     // a handling slot is free
    return total;
  }
  // Full socket, partial send or an error: the queued way sends the rest or reports the error.
  return sent > 0 ? static_cast<std::size_t>(sent) : 0;
}

void connection_t::try_write() {
  if (writing_ || (state_ != state_t::active && state_ != state_t::closing)) return;
  while (!pending_.empty()) {
    pending_t& p = pending_.front();
    p.parts.move_to(write_strings_);
    if (!p.complete) break;
    const bool close_after = p.close_after;
    pending_.erase(pending_.begin());
    if (close_after) {  // later requests are not answered
      pending_.clear();
      head_parsed_ = false;
      ready_ = false;
      read_deadline_ = never;
      state_ = state_t::closing;
      break;
    }
  }
  if (write_strings_.empty()) return;
  write_iov_.clear();
  for (auto& s : write_strings_) write_iov_.push_back({s.data(), s.size()});
  write_pos_ = 0;
  writing_ = true;
  // Most responses fit in the socket's buffer: sent at once, completed at once (on_write()).
  continue_write();
}

void connection_t::continue_write() {
  if (reactor_.poller().collecting()) {  // the round sends it with the others at its end
    if (!flush_wanted_) {
      flush_wanted_ = true;
      reactor_.poller().want_flush(this);
    }
    return;
  }
  while (write_pos_ < write_iov_.size()) {
    const ssize_t sent = stream_send(
        fd_, tls_.get(), {write_iov_.data() + write_pos_, write_iov_.size() - write_pos_});
    if (sent < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        // The socket is full: on_poll_event() goes on at the next edge, within the deadline.
        write_blocked_ = true;
        if (write_deadline_ == never)
          write_deadline_ = clock_t::now() + config_.write_http_response_timelimit;
        return;
      }
      // Reported from a handler of its own, never inside the write_response() that wrote.
      write_blocked_ = false;
      asio::post(reactor_.io(), [self = shared_from_this(), err] {
        self->on_write(std::error_code{err, std::system_category()});
      });
      return;
    }
    drop_sent(write_iov_, write_pos_, static_cast<std::size_t>(sent));
  }
  on_write({});
}

std::span<iovec> connection_t::batched_write_pieces() noexcept {
  flush_wanted_ = false;
  if (fd_ < 0 || !writing_ || write_blocked_ || write_pos_ >= write_iov_.size()) return {};
  return {write_iov_.data() + write_pos_, write_iov_.size() - write_pos_};
}

void connection_t::on_batched_write(int result) {
  if (fd_ < 0 || !writing_) return;
  if (result > 0) drop_sent(write_iov_, write_pos_, static_cast<std::size_t>(result));
  continue_write();  // the rest, or on_write() when all went; errors are met again and reported
}

void connection_t::on_write(const std::error_code& ec) {
  writing_ = false;
  write_deadline_ = never;
  write_strings_.clear();
  write_iov_.clear();
  write_pos_ = 0;
  if (state_ != state_t::active && state_ != state_t::closing) return;
  if (ec) {
    close_now();
    return;
  }
  try_write();
  if (writing_) return;
  if (state_ == state_t::closing) {
    if (pending_.empty()) close_gracefully();
    return;
  }
  process_input();  // an upgrade request may have been waiting for this write
}

// ---- reading -------------------------------------------------------------------------------

void connection_t::start_read() {
  if (reading_) return;
  if (state_ == state_t::active) {
    if (begin_ == end_) {
      begin_ = end_ = 0;
    } else if (begin_ > 0) {  // keep the unparsed bytes at the front; the parser uses offsets
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buffer_.size()) {  // a request head longer than the buffer: grow, bounded
      const std::size_t limit = config_.limits.max_header_section + config_.buffer_size;
      if (buffer_.size() >= limit) {
        close_now();  // cannot happen with a parser enforcing the limit; never grow unbounded
        return;
      }
      buffer_.resize(std::min(limit, buffer_.size() * 2));
    } else if (read_filled_ && buffer_.size() < std::max(config_.buffer_size, max_read_buffer)) {
      // Input comes faster than one buffer a read (a body, a pipelined burst): fewer reads.
      buffer_.resize(std::min(std::max(config_.buffer_size, max_read_buffer), buffer_.size() * 2));
    }
  } else {
    begin_ = end_ = 0;  // closing or lingering: bytes are read only to be discarded
  }
  reading_ = true;
  issue_read();
}

void connection_t::issue_read() {
  if (fd_ < 0) {  // closed or handed off (both give up the socket)
    reading_ = false;
    return;
  }
  // The last read drained the socket (it returned less than it was offered, or EAGAIN): the
  // next input raises an edge, and on_poll_event() reads it then. Otherwise read soon, never
  // here: the caller may be the parse loop, which must not be re-entered.
  if (readable_) reactor_.defer_read(shared_from_this());
}

void connection_t::read_deferred() {
  if (reading_ && readable_ && fd_ >= 0) do_read();
}

void connection_t::do_read() {
  const std::size_t space = buffer_.size() - end_;
  if (space == 0) return;  // start_read() makes room before it asks for input
  const stream_read_t r = stream_recv(fd_, tls_.get(), buffer_.data() + end_, space, input_ended_);
  on_recv_result(r.got, r.err, r.more);
}

std::span<char> connection_t::batched_read_space() noexcept {
  if (fd_ < 0 || !reading_ || !readable_ || end_ >= buffer_.size()) return {};
  return {buffer_.data() + end_, buffer_.size() - end_};
}

void connection_t::on_batched_read(int result) {
  // Handlers run by earlier results of the round may have closed this connection; nothing else
  // they can do touches a connection that is reading (poll_event_for_batch()).
  if (fd_ < 0 || !reading_) return;
  if (result == -ECANCELED || result == -EINTR) {
    do_read();
    return;
  }
  on_recv_result(result < 0 ? -1 : result, result < 0 ? -result : 0,
                 static_cast<std::size_t>(result) == buffer_.size() - end_);
}

void connection_t::on_recv_result(ssize_t got, int err, bool more) {
  if (got < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK) {
      readable_ = false;  // wait for the next edge
      return;
    }
    if (tls_) [[unlikely]]
      log_tls_end(err);
    on_read(std::error_code{err, std::system_category()}, 0);
    return;
  }
  if (got == 0) {
    if (tls_) [[unlikely]]
      log_tls_end(0);
    on_read(asio::error::eof, 0);
    return;
  }
  if (!more && !input_ended_)
    readable_ = false;  // drained (a stream socket): new input raises an edge
  on_read({}, static_cast<std::size_t>(got));
}

void connection_t::on_read(const std::error_code& ec, std::size_t n) {
  reading_ = false;
  switch (state_) {
    case state_t::closed:
    case state_t::handed_off:
      return;
    case state_t::lingering:
      if (ec)
        close_now();
      else
        start_read();
      return;
    case state_t::closing:
      if (ec == asio::error::eof)
        peer_eof_ = true;
      else if (ec)
        close_now();
      return;  // pending responses are still written; no more reads needed until lingering
    case state_t::active:
      break;
  }
  if (ec == asio::error::eof) {
    peer_eof_ = true;
  } else if (ec) {
    close_now();
    return;
  } else {
    end_ += n;
    read_filled_ = end_ == buffer_.size();
  }
  process_input();
}

}  // namespace restws::detail
