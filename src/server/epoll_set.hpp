#pragma once
// epoll_set_t: an epoll set of our own whose readiness Asio reports on the reactor's io_context
// (one async_wait per arm()). The reactor's HTTP connections (fd_poller_t) and WebSockets
// (ws_poller_t) each keep their sockets in one, so that a socket is registered once and read
// only when it has input (fd_poller.hpp says why Asio's own reactor costs more).

#include <sys/epoll.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <system_error>
#include <utility>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>

namespace restws::detail {

class epoll_set_t {
 public:
  /// An epoll set, or none (valid() false, `ec` set) if the system gives none.
  epoll_set_t(asio::io_context& io, std::error_code& ec) {
    const int fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) {
      ec = std::error_code{errno, std::system_category()};
      return;
    }
    descriptor_.emplace(io);
    descriptor_->assign(fd, ec);  // the descriptor owns fd from here on
    if (ec) {
      descriptor_.reset();
      ::close(fd);
      return;
    }
    fd_ = fd;
  }
  epoll_set_t(const epoll_set_t&) = delete;
  epoll_set_t& operator=(const epoll_set_t&) = delete;

  bool valid() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  bool armed() const noexcept { return armed_; }

  /// Calls `on_ready()` once the set has events (unless disarm() comes first). No-op if armed.
  template <typename F>
  void arm(F on_ready) {
    if (armed_ || !descriptor_) return;
    armed_ = true;
    descriptor_->async_wait(
        asio::posix::stream_descriptor::wait_read,
        [this, generation = ++generation_, f = std::move(on_ready)](const std::error_code& ec) {
          // Cancelled, or superseded: armed_ belongs to a newer wait.
          if (ec || generation != generation_) return;
          armed_ = false;
          f();
        });
  }
  /// Cancels the wait, so that the io_context may run out of work. A completion already queued
  /// belongs to an old generation and is ignored.
  void disarm() noexcept {
    if (!armed_) return;
    armed_ = false;
    ++generation_;
    std::error_code ignored;
    descriptor_->cancel(ignored);
  }
  /// Closes the set (the io_context is going away).
  void close() noexcept {
    armed_ = false;
    ++generation_;
    descriptor_.reset();
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  std::optional<asio::posix::stream_descriptor> descriptor_;  ///< Asio's view of fd_
  bool armed_ = false;
  std::uint64_t generation_ = 0;  ///< identifies the wait armed_ refers to
};

}  // namespace restws::detail
