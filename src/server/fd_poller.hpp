#pragma once
// fd_poller_t: one epoll set per reactor for its HTTP connections, which read and write their
// sockets themselves when it reports them ready.
//
// Why not Asio's reactor: async_read_some() tries a recv() at once and is queued only if that
// fails, and Asio forgets that the last read drained the socket; async_wait() re-arms the
// socket with epoll_ctl() each time. Either way a keep-alive request cost two system calls to
// read (the second one an EAGAIN), where one suffices: a read that returns less than the
// space offered has drained a stream socket, so the next input raises a new edge (epoll(7)).
// Here the socket is registered once, edge triggered, for input and output, and a connection
// reads only after an edge or while its last read filled the buffer.
//
// The epoll set itself is watched by Asio (one async_wait per batch of events), so handlers,
// timers and posted work keep running on the same io_context thread.
//
// With io_uring (server_settings_t::io_uring), a round of ready connections costs two system
// calls whatever its size: the reads of every connection that wants one go to the kernel in one
// io_uring submission, and the writes their handlers give meanwhile in another at the end of the
// round. Every operation is non-blocking (MSG_DONTWAIT): it completes within the submission,
// with the result recv() or send() would have given, so the connections' logic is the same
// either way. A round of one connection goes the same way: two calls, as recv() and send() make.

#include <sys/epoll.h>

#include <array>
#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include <asio/io_context.hpp>

#include "epoll_set.hpp"

namespace restws::detail {

class connection_t;

class fd_poller_t {
 public:
  /// Throws std::system_error if the system gives no epoll set.
  explicit fd_poller_t(asio::io_context& io);
  fd_poller_t(const fd_poller_t&) = delete;
  fd_poller_t& operator=(const fd_poller_t&) = delete;

  /// Watches `fd` (non-blocking) for `c`: c->on_poll_event() is called on new input, end of
  /// input or an error, and when output space frees up. Already pending input is reported too.
  /// False (and `ec`) if epoll refuses.
  bool add(int fd, connection_t* c, std::error_code& ec);
  /// Stops watching `fd` (still open: it changes owner).
  void remove(int fd) noexcept;
  /// `fd` of an add() was closed (which took it out of the set).
  void forget() noexcept;

  /// Sets up io_uring batching (once; later calls return the first answer). False (and `ec`)
  /// if this build or kernel has none.
  bool enable_uring(std::error_code& ec);
  ~fd_poller_t();
  /// True while a batched round delivers its reads: a connection then queues its write
  /// (want_flush()) instead of sending it, and the round sends them all at its end.
  bool collecting() const noexcept { return collecting_; }
  void want_flush(connection_t* c) { flush_.push_back(c); }

 private:
  static constexpr int max_events = 128;
  static constexpr int max_rounds = 4;
  struct ring_t;

  void arm();
  void on_ready();
  /// A round through io_uring: the `n` events, the reads, then flush_batched().
  void read_batched(int n);
  /// Sends the writes queued by the round (want_flush()) in one submission per 128.
  void flush_batched();

  std::error_code set_error_;  ///< set_'s creation (before set_: initialised first)
  epoll_set_t set_;
  std::size_t watched_ = 0;
  std::array<epoll_event, max_events> events_{};
  std::unique_ptr<ring_t> ring_;  ///< null unless enable_uring() succeeded
  bool ring_tried_ = false;
  std::vector<connection_t*> batch_;  ///< connections of this round that want a read
  std::vector<connection_t*> flush_;  ///< connections with writes queued by this round
  bool collecting_ = false;
};

}  // namespace restws::detail
