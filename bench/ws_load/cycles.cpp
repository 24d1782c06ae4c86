// --handshakes: each connection slot repeats a whole connection's life (connect, TLS handshake,
// upgrade, one echo, close handshake, close) and counts the cycles it completes.
#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "connection.hpp"
#include "frame.hpp"
#include "tls.hpp"
#include "worker.hpp"

namespace ws_load {

// The event loop of a --handshakes run (instead of run()'s): the cycles start at `control.go` and
// go on until `control.stop`; a closing connection's events are taken here, the others' by
// on_event() as in any run.
void worker::run_cycles() {
  while (!control_.go.load(std::memory_order_acquire) &&
         !control_.stop.load(std::memory_order_acquire)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  begin_cycles();
  std::array<epoll_event, 256> events{};
  while (!control_.stop.load(std::memory_order_acquire)) {
    check_stalled_cycles();
    const int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                                 epoll_fd_ < 0 ? 0 : 20);
    for (int i = 0; i < ready; ++i) {
      connection& conn = *connections_[events[i].data.u64];
      if (conn.state == conn_state::closing) {
        on_closing_event(conn);
      } else {
        on_event(conn, events[i].events);
      }
    }
  }
  say_goodbye();
}

// Every slot starts its first cycle. `open` counts the slots still cycling (from the worker's
// construction on, so that the run does not end before they start); a slot that ends (refused,
// failed, out of budget, stopped) leaves it.
void worker::begin_cycles() {
  load_started_ = true;
  next_stall_check_ = clock_type::now();
  for (auto& conn : connections_) {
    if (conn->state == conn_state::idle) {
      start_cycle(*conn);
    } else {
      counters_.open.fetch_sub(1, std::memory_order_relaxed);  // failed already (no epoll)
    }
  }
}

void worker::start_cycle(connection& conn) {
  const bool spent =
      opts_.max_messages != 0 &&
      control_.messages_started.fetch_add(1, std::memory_order_relaxed) >= opts_.max_messages;
  if (spent || control_.stop.load(std::memory_order_relaxed)) {
    conn.state = conn_state::closed;
    counters_.open.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  conn.state = conn_state::idle;
  conn.reader = echo_reader{};
  conn.sequence = 0;
  conn.frame_sent = 0;
  conn.sending = false;
  conn.close_received = false;
  conn.handshake_in.clear();
  conn.cycle_start = clock_type::now();
  open_connection(conn);
}

// The cycle's one echo came back (it is not timed by itself: the cycle is).
void worker::cycle_echo_done(connection& conn, bool matched) {
  counters_.messages.store(++messages_, std::memory_order_relaxed);
  if (!matched) counters_.mismatches.store(++mismatches_, std::memory_order_relaxed);
  send_close(conn);
}

// A close frame (code 1000) goes out, then the server's close is awaited.
void worker::send_close(connection& conn) {
  conn.state = conn_state::closing;
  const auto frame = client_close_frame(conn.mask);
  conn.handshake_out.assign(reinterpret_cast<const char*>(frame.data()), frame.size());
  conn.handshake_sent = 0;
  flush_close(conn);
}

void worker::flush_close(connection& conn) {
  switch (push_out(conn)) {
    case push_result::blocked:
      return;
    case push_result::failed:
      return fail_open(conn, (std::string("sending the close frame: ") + io_error(conn)).c_str());
    case push_result::done:
      break;
  }
  want_write(conn, false);
}

// Closing: reads until the server's close frame and then its end of the connection (RFC 6455
// section 7.1.1: the server closes TCP first). Its close without a close frame is an error.
// Whatever woke the connection, both directions go on (a TLS record may need the other one).
void worker::on_closing_event(connection& conn) {
  if (conn.handshake_sent < conn.handshake_out.size()) {
    flush_close(conn);
    if (conn.state != conn_state::closing) return;
  }
  while (true) {
    const ssize_t n = recv_some(conn, read_buffer_.data(), read_buffer_.size());
    if (n > 0) {
      feed_closing(conn, read_buffer_.data(), static_cast<std::size_t>(n));
      if (conn.state != conn_state::closing) return;
    } else if (n == 0) {
      if (!conn.close_received)
        return fail_open(conn, "closed by the server without a close frame");
      return finish_cycle(conn);
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (conn.tls) after_tls_read_waits(conn);
      return;
    } else if (conn.close_received && (errno == ECONNRESET || errno == EPIPE)) {
      return finish_cycle(conn);  // the close handshake was done; the reset ends it all the same
    } else {
      return fail_open(conn,
                       (std::string("awaiting the server's close: ") + io_error(conn)).c_str());
    }
  }
}

// What the server sends after the echo: its close frame, maybe pings before it; after the close
// frame anything is ignored.
void worker::feed_closing(connection& conn, const unsigned char* data, std::size_t size) {
  if (conn.close_received) return;
  std::size_t used = 0;
  const auto status = conn.whole ? conn.whole->collector.consume({data, size}, used)
                                 : conn.reader.consume({data, size}, {}, used);
  switch (status) {
    case echo_reader::status::need_more:
      return;
    case echo_reader::status::closed_by_server:
      conn.close_received = true;
      return;
    case echo_reader::status::message_done:
      return fail_open(conn, "a message from the server after the echo");
    case echo_reader::status::protocol_error:
      return fail_open(conn, "bad frame from the server");
  }
}

void worker::finish_cycle(connection& conn) {
  if (control_.measuring.load(std::memory_order_relaxed)) {
    latencies_.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - conn.cycle_start)
            .count()));
  }
  counters_.cycles.store(++cycles_, std::memory_order_relaxed);
  if (conn.tls) conn.tls->shutdown();  // our close_notify, as a polite client sends it
  close_connection(conn);
  start_cycle(conn);
}

// A cycle longer than --connect-timeout fails: a server that stops answering must not leave the
// run counting nothing until --seconds. Looked at every 100 ms.
void worker::check_stalled_cycles() {
  const auto now = clock_type::now();
  if (now < next_stall_check_) return;
  next_stall_check_ = now + std::chrono::milliseconds(100);
  const auto limit = std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>(opts_.connect_timeout));
  for (auto& conn : connections_) {
    if (conn->state == conn_state::closed || conn->state == conn_state::idle) continue;
    if (now - conn->cycle_start < limit) continue;
    if (conn->state == conn_state::open || conn->state == conn_state::closing) {
      fail_open(*conn, "cycle not complete within --connect-timeout");
    } else {
      fail_handshake(*conn, "not established within --connect-timeout");
    }
  }
}

}  // namespace ws_load
