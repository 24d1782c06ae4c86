#include "fd_poller.hpp"

#include <cerrno>

#include "connection.hpp"

namespace restws::detail {

fd_poller_t::fd_poller_t(asio::io_context& io) : set_{io, set_error_} {
  if (set_error_) throw std::system_error{set_error_, "restws: an epoll set for the reactor"};
}

bool fd_poller_t::add(int fd, connection_t* c, std::error_code& ec) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = c;
  if (::epoll_ctl(set_.fd(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    ec = std::error_code{errno, std::system_category()};
    return false;
  }
  ++watched_;
  arm();
  return true;
}

void fd_poller_t::remove(int fd) noexcept {
  epoll_event ev{};
  ::epoll_ctl(set_.fd(), EPOLL_CTL_DEL, fd, &ev);
  forget();
}

void fd_poller_t::forget() noexcept {
  if (watched_ > 0) --watched_;
  if (watched_ == 0) set_.disarm();  // nothing left to watch: let the io_context run out
}

void fd_poller_t::arm() {
  if (watched_ != 0) set_.arm([this] { on_ready(); });
}

void fd_poller_t::on_ready() {
  // A connection closed by the handling of an earlier event stays allocated until a posted
  // release (reactor_t::remove_connection()), so every pointer of a round stays valid.
  for (int round = 0; round < max_rounds; ++round) {
    const int n = ::epoll_wait(set_.fd(), events_.data(), max_events, 0);
    if (n <= 0) break;
    for (int i = 0; i < n; ++i) {
      const epoll_event& e = events_[static_cast<std::size_t>(i)];
      static_cast<connection_t*>(e.data.ptr)->on_poll_event(e.events);
    }
    if (n < max_events) break;
  }
  arm();  // edge triggered: events left after max_rounds raise the epoll set again
}

}  // namespace restws::detail
