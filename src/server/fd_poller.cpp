#include "fd_poller.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#if RESTWS_HAVE_IO_URING
#include <liburing.h>
#endif

#include "connection.hpp"
#include "uring_batch.hpp"

namespace restws::detail {

#if RESTWS_HAVE_IO_URING
struct fd_poller_t::ring_t {
  static constexpr unsigned max_batch = max_events;
  io_uring ring{};
  std::array<int, max_batch> results{};
  std::array<msghdr, max_batch> messages{};
  std::array<connection_t*, max_batch> writers{};  ///< the connection of each write submitted
  bool broken = false;  ///< the kernel refused a submission: plain reads from then on

  ~ring_t() { io_uring_queue_exit(&ring); }

  /// Submits the `count` prepared operations and collects their results (uring_batch.hpp).
  void submit(unsigned count) {
    restws::detail::submit_batch(ring, std::span{results}.first(count), broken);
  }
};
#else
struct fd_poller_t::ring_t {};
#endif

fd_poller_t::fd_poller_t(asio::io_context& io) : set_{io, set_error_} {
  if (set_error_) throw std::system_error{set_error_, "restws: an epoll set for the reactor"};
}

fd_poller_t::~fd_poller_t() = default;

bool fd_poller_t::enable_uring(std::error_code& ec) {
  if (ring_tried_) return ring_ != nullptr;
  ring_tried_ = true;
#if RESTWS_HAVE_IO_URING
  io_uring ring{};
  if (!init_ring(ring, ring_t::max_batch, {IORING_OP_RECV, IORING_OP_SENDMSG}, ec)) return false;
  batch_.reserve(max_events);
  ring_ = std::make_unique<ring_t>();
  ring_->ring = ring;  // a plain C struct: ring_t owns the ring from here on
  return true;
#else
  ec = std::make_error_code(std::errc::function_not_supported);
  return false;
#endif
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
    if (ring_) {
      read_batched(n);
    } else {
      for (int i = 0; i < n; ++i) {
        const epoll_event& e = events_[static_cast<std::size_t>(i)];
        static_cast<connection_t*>(e.data.ptr)->on_poll_event(e.events);
      }
    }
    if (n < max_events) break;
  }
  arm();  // edge triggered: events left after max_rounds raise the epoll set again
}

void fd_poller_t::read_batched(int n) {
#if RESTWS_HAVE_IO_URING
  // Every event first (writes, flags), then the reads of the connections that still want one,
  // prepared only now: no handler runs between a read's preparation and its result.
  batch_.clear();
  for (int i = 0; i < n; ++i) {
    const epoll_event& e = events_[static_cast<std::size_t>(i)];
    auto* c = static_cast<connection_t*>(e.data.ptr);
    if (c->poll_event_for_batch(e.events)) batch_.push_back(c);
  }
  ring_t& r = *ring_;
  unsigned count = 0;
  std::size_t next = 0;
  for (; next < batch_.size(); ++next) {
    connection_t* const c = batch_[next];
    const std::span<char> space = c->batched_read_space();
    if (space.empty()) continue;
    io_uring_sqe* const sqe = io_uring_get_sqe(&r.ring);
    if (!sqe) break;  // the ring has an entry per event, so only after a failed submission
    io_uring_prep_recv(sqe, c->fd(), space.data(), space.size(), MSG_DONTWAIT);
    io_uring_sqe_set_data64(sqe, count);
    batch_[count++] = c;  // count <= next: the connections not yet seen stay in place
  }
  r.submit(count);
  const std::size_t unprepared = next;
  collecting_ = true;
  for (unsigned i = 0; i < count; ++i) batch_[i]->on_batched_read(r.results[i]);
  for (std::size_t i = unprepared; i < batch_.size(); ++i) batch_[i]->on_batched_read(-ECANCELED);
  collecting_ = false;
  flush_batched();
  if (r.broken) ring_.reset();  // plain reads from now on
#else
  (void)n;
#endif
}

void fd_poller_t::flush_batched() {
#if RESTWS_HAVE_IO_URING
  ring_t& r = *ring_;
  std::size_t done = 0;
  while (done < flush_.size()) {
    unsigned count = 0;
    std::size_t i = done;
    for (; i < flush_.size() && count < ring_t::max_batch; ++i) {
      connection_t* const c = flush_[i];
      const std::span<iovec> pieces = c->batched_write_pieces();
      if (pieces.empty()) continue;
      io_uring_sqe* const sqe = io_uring_get_sqe(&r.ring);
      if (!sqe) break;
      msghdr& m = r.messages[count];
      m = msghdr{};
      m.msg_iov = pieces.data();
      m.msg_iovlen = pieces.size();
      io_uring_prep_sendmsg(sqe, c->fd(), &m, MSG_DONTWAIT | MSG_NOSIGNAL);
      io_uring_sqe_set_data64(sqe, count);
      r.writers[count++] = c;  // flush_ may hold more connections than the round's reads
    }
    if (count == 0 && i < flush_.size()) {  // no entry to be had: plain writes for the rest
      for (; i < flush_.size(); ++i) flush_[i]->on_batched_write(-ECANCELED);
    }
    r.submit(count);
    for (unsigned k = 0; k < count; ++k) r.writers[k]->on_batched_write(r.results[k]);
    done = i;
  }
  flush_.clear();
#endif
}

}  // namespace restws::detail
