#include "worker.hpp"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "connection.hpp"
#include "deflate.hpp"
#include "frame.hpp"
#include "handshake.hpp"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace ws_load {

namespace {

constexpr std::size_t read_buffer_size = 256 * 1024;
constexpr std::size_t max_early_bytes = 64 * 1024;
constexpr std::uint64_t max_reported_failures = 5;
// --flood: whole frames one connection sends per wake-up before the loop looks at the others
// (and at control.stop) again; EPOLLOUT is level-triggered, so the next wake-up sends more.
constexpr int flood_frames_per_wakeup = 16;

bool is_pending(conn_state state) {
  return state == conn_state::connecting || state == conn_state::tls_handshake ||
         state == conn_state::sending_handshake || state == conn_state::reading_handshake;
}

// A plain connection whose server ended it before it answered the upgrade: a TLS port?
std::string plain_hint(const connection& conn) {
  if (conn.tls) return {};
  const bool tls_record = !conn.handshake_in.empty() &&
                          (conn.handshake_in[0] == '\x15' || conn.handshake_in[0] == '\x16');
  if (tls_record) return " (it answered with a TLS record: try --tls)";
  if (conn.handshake_in.empty()) return " (before any answer: a TLS port? see --tls)";
  return {};
}

}  // namespace

worker::worker(const options& opts, const sockaddr_in& server, std::size_t first, std::size_t count,
               run_control& control, worker_counters& counters, const message_set* messages,
               const tls_context* tls)
    : opts_(opts),
      server_(server),
      first_(first),
      control_(control),
      counters_(counters),
      message_set_(messages),
      tls_(tls),
      rng_(std::random_device{}() ^ (first * 0x9E3779B97F4A7C15ull)),
      read_buffer_(read_buffer_size) {
  connections_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    connections_.push_back(std::make_unique<connection>());
    connections_.back()->local_index = i;
  }
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (opts_.handshakes) counters_.open.store(count, std::memory_order_relaxed);  // the slots
}

worker::~worker() {
  for (auto& conn : connections_) {
    conn->tls.reset();
    if (conn->fd >= 0) ::close(conn->fd);
  }
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void worker::run() {
  if (epoll_fd_ < 0) {
    std::perror("ws_load: epoll_create1");
    for (auto& conn : connections_) fail_handshake(*conn, "no epoll instance");
  }
  if (opts_.handshakes) return run_cycles();
  std::array<epoll_event, 256> events{};
  while (!control_.stop.load(std::memory_order_acquire)) {
    if (!load_started_) {
      if (control_.go.load(std::memory_order_acquire)) {
        begin_load();
      } else {
        start_connections();
      }
    }
    const int timeout_ms = load_started_ ? 20 : 2;
    const int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                                 epoll_fd_ < 0 ? 0 : timeout_ms);
    for (int i = 0; i < ready; ++i) {
      on_event(*connections_[events[i].data.u64], events[i].events);
    }
  }
  say_goodbye();
}

void worker::start_connections() {
  while (pending_ < opts_.connect_concurrency && next_to_open_ < connections_.size()) {
    open_connection(*connections_[next_to_open_++]);
  }
}

void worker::open_connection(connection& conn) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_handshake(conn, std::string("socket: ") + std::strerror(errno));
  conn.fd = fd;
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (opts_.spread_source) {
    // 127.0.0.1..127.0.0.254 as source: each source address has its own ephemeral ports.
    ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in source{};
    source.sin_family = AF_INET;
    const auto host = static_cast<std::uint32_t>(1 + (first_ + conn.local_index) % 254);
    source.sin_addr.s_addr = htonl((127u << 24) | host);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0) {
      return fail_handshake(conn, std::string("bind: ") + std::strerror(errno));
    }
  }
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT;
  event.data.u64 = conn.local_index;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    return fail_handshake(conn, std::string("epoll_ctl: ") + std::strerror(errno));
  }
  conn.write_interest = true;
  conn.state = conn_state::connecting;
  ++pending_;
  const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&server_), sizeof server_);
  if (rc == 0) return on_connected(conn);
  if (errno != EINPROGRESS) fail_handshake(conn, std::string("connect: ") + std::strerror(errno));
}

void worker::on_event(connection& conn, std::uint32_t events) {
  switch (conn.state) {
    case conn_state::connecting: {
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(conn.fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) return fail_handshake(conn, std::string("connect: ") + std::strerror(error));
      if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connected(conn);
      return;
    }
    case conn_state::tls_handshake:
      return continue_tls_handshake(conn);
    case conn_state::sending_handshake:
      return send_handshake(conn);
    case conn_state::reading_handshake:
      return read_handshake(conn);
    case conn_state::ready: {
      // A flood connection watches only for the server's FIN (and errors): it never reads.
      if (opts_.flood) return fail_open(conn, "closed by the server before the load began");
      // The server spoke before the load began: keep the bytes for later, or see it close. (With
      // TLS, the session tickets the server sends after the handshake are read here.)
      const ssize_t n = recv_some(conn, read_buffer_.data(), read_buffer_.size());
      if (n > 0 && conn.handshake_in.size() + static_cast<std::size_t>(n) <= max_early_bytes) {
        conn.handshake_in.append(reinterpret_cast<const char*>(read_buffer_.data()),
                                 static_cast<std::size_t>(n));
      } else if (!(n < 0 && (errno == EAGAIN || errno == EINTR))) {
        fail_open(conn, n == 0 ? "closed by the server before the load began" : "early data");
      }
      return;
    }
    case conn_state::open:
      if (opts_.flood) return on_flood_event(conn, events);
      if (conn.tls) return on_tls_event(conn);
      if ((events & EPOLLOUT) && conn.sending) flush(conn);
      if (conn.state == conn_state::open && (events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
        read_frames(conn);
      }
      return;
    case conn_state::closing:  // --handshakes: run_cycles() takes those events itself
    case conn_state::idle:
    case conn_state::closed:
      return;
  }
}

void worker::on_connected(connection& conn) {
  if (tls_ != nullptr) return start_tls(conn);
  start_upgrade(conn);
}

void worker::start_upgrade(connection& conn) {
  conn.state = conn_state::sending_handshake;
  const std::string key = make_websocket_key(rng_);
  conn.accept = expected_accept(key);
  conn.handshake_out = make_upgrade_request(opts_.host, opts_.port, opts_.path, key,
                                            opts_.deflate ? deflate_offer() : std::string_view{});
  conn.handshake_sent = 0;
  send_handshake(conn);
}

worker::push_result worker::push_out(connection& conn) {
  while (conn.handshake_sent < conn.handshake_out.size()) {
    const ssize_t n = send_some(conn, conn.handshake_out.data() + conn.handshake_sent,
                                conn.handshake_out.size() - conn.handshake_sent);
    if (n > 0) {
      conn.handshake_sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      want_write(conn, waits_to_write(conn));
      return push_result::blocked;
    } else {
      return push_result::failed;
    }
  }
  return push_result::done;
}

void worker::send_handshake(connection& conn) {
  switch (push_out(conn)) {
    case push_result::blocked:
      return;
    case push_result::failed:
      return fail_handshake(conn, std::string("send: ") + io_error(conn));
    case push_result::done:
      break;
  }
  conn.handshake_out = std::string();
  conn.state = conn_state::reading_handshake;
  want_write(conn, false);
}

void worker::read_handshake(connection& conn) {
  std::size_t header_size = 0;
  std::string reason;
  std::string extensions;
  while (true) {
    const ssize_t n = recv_some(conn, read_buffer_.data(), read_buffer_.size());
    if (n == 0) {
      return fail_handshake(conn, "closed by the server during the handshake" + plain_hint(conn));
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        if (conn.tls) after_tls_read_waits(conn);
        return;
      }
      return fail_handshake(conn, std::string("recv: ") + io_error(conn) + plain_hint(conn));
    }
    conn.handshake_in.append(reinterpret_cast<const char*>(read_buffer_.data()),
                             static_cast<std::size_t>(n));
    const auto status = check_upgrade_response(conn.handshake_in, conn.accept, header_size, reason,
                                               opts_.deflate ? &extensions : nullptr);
    if (status == handshake_status::rejected) return fail_handshake(conn, reason);
    if (status == handshake_status::accepted) break;
    // Incomplete: a plain socket is read again when epoll says so; a TLS session may hold the
    // rest of a record already.
    if (!conn.tls || !tls_may_have_more(conn, static_cast<std::size_t>(n))) return;
  }
  if (message_set_ != nullptr && !start_whole(conn, extensions)) return;
  if (conn.tls) want_write(conn, false);  // a TLS read that waited to write is done with it
  conn.handshake_in.erase(0, header_size);
  conn.accept = std::string();
  conn.state = conn_state::ready;
  --pending_;
  for (auto& byte : conn.mask) byte = static_cast<unsigned char>(rng_());
  if (message_set_ == nullptr) {
    conn.message =
        std::make_unique<outgoing_message>(opts_.size, conn.mask, first_ + conn.local_index);
  }
  counters_.established.fetch_add(1, std::memory_order_relaxed);
  if (opts_.handshakes) return start_echo(conn);  // the cycle goes on at once
  counters_.open.fetch_add(1, std::memory_order_relaxed);
  if (opts_.flood) {
    conn.handshake_in = std::string();  // what the server says is never read
    set_interest(conn, false);          // from now on only its FIN and errors
  }
}

bool worker::start_whole(connection& conn, const std::string& extensions) {
  std::optional<deflate_agreement> agreed;
  if (opts_.deflate) {
    if (extensions.empty()) {
      fail_handshake(conn,
                     "--deflate: the server declined permessage-deflate (its 101 has no "
                     "Sec-WebSocket-Extensions)");
      return false;
    }
    std::string reason;
    agreed = parse_deflate_answer(extensions, reason);
    if (!agreed) {
      fail_handshake(conn, "--deflate: " + reason);
      return false;
    }
  }
  conn.whole = std::make_unique<connection::whole_messages>(agreed ? &*agreed : nullptr);
  return true;
}

const std::string& worker::wire_payload(const connection& conn, std::size_t index) {
  if (!conn.whole->deflate) return message_set_->messages[index];
  auto& compressed = compressed_[static_cast<std::size_t>(conn.whole->client_window)];
  if (compressed.empty()) {
    compressed.reserve(message_set_->messages.size());
    for (const auto& m : message_set_->messages) {
      compressed.push_back(compress_message(m, conn.whole->client_window));
    }
  }
  return compressed[index];
}

void worker::begin_load() {
  load_started_ = true;
  for (auto& conn : connections_) {
    if (conn->state == conn_state::ready) {
      conn->state = conn_state::open;
      if (opts_.idle) continue;
      if (opts_.flood) {
        conn->sending = true;
        flood(*conn);
        continue;
      }
      start_echo(*conn);
    } else if (conn->state != conn_state::closed) {
      fail_handshake(*conn, "not established within --connect-timeout");
    }
  }
}

// The connection is open: its first message goes out, and what the server sent before is read.
void worker::start_echo(connection& conn) {
  conn.state = conn_state::open;
  send_next_message(conn);
  if (conn.state == conn_state::open && !conn.handshake_in.empty()) {
    const std::string early = std::move(conn.handshake_in);
    feed(conn, reinterpret_cast<const unsigned char*>(early.data()), early.size());
  }
}

void worker::read_frames(connection& conn) {
  while (true) {
    const ssize_t n = recv_some(conn, read_buffer_.data(), read_buffer_.size());
    if (n > 0) {
      feed(conn, read_buffer_.data(), static_cast<std::size_t>(n));
      if (conn.state != conn_state::open) return;
      if (!conn.tls) {
        if (static_cast<std::size_t>(n) < read_buffer_.size()) return;
      } else if (!tls_may_have_more(conn, static_cast<std::size_t>(n))) {
        return;
      }
    } else if (n == 0) {
      return fail_open(conn, "closed by the server");
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (conn.tls) after_tls_read_waits(conn);
      return;
    } else {
      return fail_open(conn, io_error(conn));
    }
  }
}

void worker::feed(connection& conn, const unsigned char* data, std::size_t size) {
  if (conn.whole) return feed_whole(conn, data, size);
  std::size_t pos = 0;
  while (pos < size) {
    std::size_t used = 0;
    const auto status =
        conn.reader.consume({data + pos, size - pos}, conn.message->payload(), used);
    pos += used;
    switch (status) {
      case echo_reader::status::need_more:
        return;
      case echo_reader::status::message_done:
        echo_done(conn, conn.reader.last_matched());
        if (conn.state != conn_state::open) return;
        break;
      case echo_reader::status::protocol_error:
        return fail_open(conn, "bad frame from the server");
      case echo_reader::status::closed_by_server:
        return fail_open(conn, "close frame from the server");
    }
  }
}

void worker::feed_whole(connection& conn, const unsigned char* data, std::size_t size) {
  auto& whole = *conn.whole;
  std::size_t pos = 0;
  while (pos < size) {
    std::size_t used = 0;
    const auto status = whole.collector.consume({data + pos, size - pos}, used);
    pos += used;
    switch (status) {
      case message_collector::status::need_more:
        return;
      case message_collector::status::message_done: {
        const std::string& got = whole.collector.payload();
        const std::string* plain = &got;
        if (whole.collector.compressed()) {
          if (!whole.inflater.inflate(got, whole.inflated)) {
            return fail_open(conn, "corrupt compressed echo from the server");
          }
          plain = &whole.inflated;
          counters_.echo_compressed.fetch_add(1, std::memory_order_relaxed);
        }
        counters_.echo_wire_bytes.fetch_add(got.size(), std::memory_order_relaxed);
        counters_.echo_plain_bytes.fetch_add(plain->size(), std::memory_order_relaxed);
        const unsigned char opcode = message_set_->text ? 0x1 : 0x2;
        echo_done(conn, whole.collector.opcode() == opcode &&
                            *plain == message_set_->messages[whole.index]);
        if (conn.state != conn_state::open) return;
        break;
      }
      case message_collector::status::protocol_error:
        return fail_open(conn, "bad frame from the server");
      case message_collector::status::closed_by_server:
        return fail_open(conn, "close frame from the server");
    }
  }
}

void worker::echo_done(connection& conn, bool matched) {
  if (conn.sending) return fail_open(conn, "echo arrived before the message was sent");
  if (opts_.handshakes) return cycle_echo_done(conn, matched);
  if (control_.measuring.load(std::memory_order_relaxed)) {
    const auto latency = clock_type::now() - conn.sent_at;
    latencies_.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count()));
  }
  counters_.messages.store(++messages_, std::memory_order_relaxed);
  if (!matched) counters_.mismatches.store(++mismatches_, std::memory_order_relaxed);
  send_next_message(conn);
}

void worker::send_next_message(connection& conn) {
  // (--handshakes counts its budget in cycles: start_cycle.)
  if (opts_.max_messages != 0 && !opts_.handshakes &&
      control_.messages_started.fetch_add(1, std::memory_order_relaxed) >= opts_.max_messages) {
    return;  // the run's budget is spent: this connection stays idle
  }
  ++conn.sequence;
  if (conn.whole) {
    auto& whole = *conn.whole;
    whole.index = (first_ + conn.local_index + conn.sequence) % message_set_->messages.size();
    const std::string& payload = wire_payload(conn, whole.index);
    build_client_frame(whole.frame, message_set_->text ? 0x1 : 0x2, whole.deflate,
                       {reinterpret_cast<const unsigned char*>(payload.data()), payload.size()},
                       conn.mask);
    counters_.sent_wire_bytes.fetch_add(payload.size(), std::memory_order_relaxed);
    counters_.sent_plain_bytes.fetch_add(message_set_->messages[whole.index].size(),
                                         std::memory_order_relaxed);
  } else {
    conn.message->set_sequence(conn.sequence);
  }
  conn.frame_sent = 0;
  conn.sending = true;
  conn.sent_at = clock_type::now();
  flush(conn);
}

void worker::flush(connection& conn) {
  const auto frame = conn.frame();
  while (conn.frame_sent < frame.size()) {
    const ssize_t n =
        send_some(conn, frame.data() + conn.frame_sent, frame.size() - conn.frame_sent);
    if (n > 0) {
      conn.frame_sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return want_write(conn, waits_to_write(conn));
    } else {
      return fail_open(conn, io_error(conn));
    }
  }
  conn.sending = false;
  want_write(conn, false);
}

void worker::on_flood_event(connection& conn, std::uint32_t events) {
  if (events & (EPOLLERR | EPOLLHUP)) {
    note_server_close(conn, "reset");
    counters_.open.fetch_sub(1, std::memory_order_relaxed);
    return close_connection(conn);
  }
  if ((events & EPOLLRDHUP) && !conn.server_closed) {
    // The server's FIN: it may still read (a half-close), so the flood goes on until a reset.
    note_server_close(conn, "fin");
    set_interest(conn, conn.write_interest);  // stop watching for it
  }
  if ((events & EPOLLOUT) && conn.sending) flood(conn);
}

void worker::flood(connection& conn) {
  const auto frame = conn.message->frame();
  int frames = 0;
  while (frames < flood_frames_per_wakeup) {
    const ssize_t n =
        send_some(conn, frame.data() + conn.frame_sent, frame.size() - conn.frame_sent);
    if (n > 0) {
      conn.frame_sent += static_cast<std::size_t>(n);
      bytes_sent_ += static_cast<std::uint64_t>(n);
      counters_.bytes_sent.store(bytes_sent_, std::memory_order_relaxed);
      if (conn.frame_sent == frame.size()) {
        conn.frame_sent = 0;
        ++frames;
        counters_.frames_sent.store(++frames_sent_, std::memory_order_relaxed);
      }
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      // The server ended the connection: an outcome of the flood, not a failure of ws_load.
      const bool reset = n < 0 && (errno == EPIPE || errno == ECONNRESET);
      if (!reset) {
        std::fprintf(stderr, "ws_load: connection %zu: send: %s\n", first_ + conn.local_index,
                     io_error(conn));
      }
      note_server_close(conn, reset ? "reset" : "error");
      counters_.open.fetch_sub(1, std::memory_order_relaxed);
      return close_connection(conn);
    }
  }
  want_write(conn, true);
}

void worker::note_server_close(connection& conn, const char* kind) {
  if (conn.server_closed || control_.stop.load(std::memory_order_relaxed)) return;
  conn.server_closed = true;
  counters_.server_closed.store(++server_closed_, std::memory_order_relaxed);
  if (!first_close_) {
    first_close_ = clock_type::now();
    first_close_kind_ = kind;
  }
}

void worker::want_write(connection& conn, bool on) {
  if (conn.write_interest == on) return;
  set_interest(conn, on);
}

void worker::set_interest(connection& conn, bool write) {
  // A flood connection never reads once established: it watches only for the server's FIN (until
  // seen) and errors; EPOLLIN would wake the loop for every echo it leaves unread.
  const bool flooding =
      opts_.flood && (conn.state == conn_state::ready || conn.state == conn_state::open);
  std::uint32_t read = EPOLLIN;
  if (flooding) read = conn.server_closed ? 0u : static_cast<std::uint32_t>(EPOLLRDHUP);
  epoll_event event{};
  event.events = read | (write ? EPOLLOUT : 0u);
  event.data.u64 = conn.local_index;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, conn.fd, &event);
  conn.write_interest = write;
}

void worker::fail_handshake(connection& conn, const std::string& reason) {
  if (is_pending(conn.state)) --pending_;
  // --handshakes: the slot ends (a refused cycle is not tried again).
  if (opts_.handshakes && load_started_ && conn.state != conn_state::closed) {
    counters_.open.fetch_sub(1, std::memory_order_relaxed);
  }
  counters_.handshake_failures.store(++handshake_failures_, std::memory_order_relaxed);
  if (++reported_failures_ <= max_reported_failures) {
    std::fprintf(stderr, "ws_load: connection %zu: handshake failed: %s\n",
                 first_ + conn.local_index, reason.c_str());
  }
  close_connection(conn);
}

void worker::fail_open(connection& conn, const char* reason) {
  if (!control_.stop.load(std::memory_order_relaxed)) {
    counters_.errors.store(++errors_, std::memory_order_relaxed);
    if (++reported_failures_ <= max_reported_failures) {
      std::fprintf(stderr, "ws_load: connection %zu: %s\n", first_ + conn.local_index, reason);
    }
  }
  counters_.open.fetch_sub(1, std::memory_order_relaxed);
  close_connection(conn);
}

void worker::close_connection(connection& conn) {
  conn.tls.reset();
  if (conn.fd >= 0) ::close(conn.fd);  // also leaves the epoll set
  conn.fd = -1;
  conn.state = conn_state::closed;
  conn.message.reset();
  conn.whole.reset();
  conn.handshake_in = std::string();
}

void worker::say_goodbye() {
  for (auto& conn : connections_) {
    if ((conn->state == conn_state::open || conn->state == conn_state::ready) && !conn->sending) {
      const auto frame = client_close_frame(conn->mask);
      if (conn->tls) {
        (void)send_some(*conn, frame.data(), frame.size());
        conn->tls->shutdown();
      } else {
        (void)::send(conn->fd, frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      }
    }
    conn->tls.reset();
    if (conn->fd >= 0) {
      ::close(conn->fd);
      conn->fd = -1;
    }
    conn->state = conn_state::closed;
  }
}

}  // namespace ws_load
