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

#include <sys/epoll.h>

#include <array>
#include <cstdint>
#include <system_error>

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

 private:
  static constexpr int max_events = 128;
  static constexpr int max_rounds = 4;

  void arm();
  void on_ready();

  std::error_code set_error_;  ///< set_'s creation (before set_: initialised first)
  epoll_set_t set_;
  std::size_t watched_ = 0;
  std::array<epoll_event, max_events> events_{};
};

}  // namespace restws::detail
