#include "ws_poller.hpp"

#include <unistd.h>

#include <cerrno>
#include <utility>

#include <asio/post.hpp>

#include "ws_connection.hpp"

namespace restws::websocket::basic::detail {
namespace {
// Events taken from epoll per system call, and system calls per wake-up before the other
// handlers of the reactor get their turn.
constexpr int max_events = 256;
constexpr int max_rounds = 4;
}  // namespace

ws_poller_t::ws_poller_t(asio::io_context& io)
    : asio::execution_context::service{io}, io_{io}, events_(max_events) {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return;  // add() reports it
  std::error_code ec;
  descriptor_.emplace(io_);
  descriptor_->assign(epfd_, ec);  // the descriptor owns epfd_ from here on
  if (ec) {
    descriptor_.reset();
    ::close(epfd_);
    epfd_ = -1;
  }
}

ws_poller_t::~ws_poller_t() { shutdown(); }

poll_entry_t* ws_poller_t::add(int fd, std::shared_ptr<ws_connection_t> connection,
                               std::error_code& ec) {
  if (epfd_ < 0) {
    ec = std::error_code{EMFILE, std::system_category()};
    return nullptr;
  }
  auto entry = std::make_unique<poll_entry_t>();
  entry->connection = std::move(connection);
  entry->fd = fd;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = entry.get();
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    ec = std::error_code{errno, std::system_category()};
    return nullptr;
  }
  poll_entry_t* e = entry.release();
  e->next = live_;
  if (live_) live_->prev = e;
  live_ = e;
  arm();
  return e;
}

void ws_poller_t::remove(poll_entry_t* entry) noexcept {
  if (!entry || entry->fd < 0) return;
  epoll_event ev{};
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, entry->fd, &ev);
  entry->fd = -1;  // events already taken from epoll for it are skipped
  if (entry->prev) entry->prev->next = entry->next;
  if (entry->next) entry->next->prev = entry->prev;
  if (live_ == entry) live_ = entry->next;
  entry->prev = nullptr;
  entry->next = retired_;
  retired_ = entry;
  if (!live_ && armed_ && descriptor_) {
    // Nothing left to watch: let the io_context run out of work. A completion already queued
    // belongs to an old generation and is ignored.
    armed_ = false;
    ++wait_generation_;
    std::error_code ignored;
    descriptor_->cancel(ignored);
  }
  if (!in_batch_ && !release_posted_) {
    release_posted_ = true;
    asio::post(io_, [this] {
      release_posted_ = false;
      release_retired();
    });
  }
}

void ws_poller_t::arm() {
  if (armed_ || !descriptor_ || !live_) return;
  armed_ = true;
  descriptor_->async_wait(asio::posix::stream_descriptor::wait_read,
                          [this, generation = ++wait_generation_](const std::error_code& ec) {
                            // Cancelled, or superseded: armed_ belongs to a newer wait.
                            if (ec || generation != wait_generation_) return;
                            armed_ = false;
                            on_ready();
                          });
}

void ws_poller_t::on_ready() {
  in_batch_ = true;
  for (int round = 0; round < max_rounds; ++round) {
    const int n = ::epoll_wait(epfd_, events_.data(), max_events, 0);
    for (int i = 0; i < n; ++i) {
      auto* entry = static_cast<poll_entry_t*>(events_[static_cast<std::size_t>(i)].data.ptr);
      const std::uint32_t ev = events_[static_cast<std::size_t>(i)].events;
      // An entry removed earlier in this batch stays allocated until the batch ends.
      if (entry->fd >= 0 && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
        entry->connection->on_writable();
      if (entry->fd >= 0 && (ev & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
        entry->connection->on_readable();
    }
    if (n < max_events) break;
  }
  in_batch_ = false;
  release_retired();
  arm();  // edge triggered: events left over after max_rounds raise the epoll set again
}

void ws_poller_t::release_retired() {
  // Destroying a connection can run user code (its handler's captures): take the list first.
  poll_entry_t* retired = std::exchange(retired_, nullptr);
  while (retired) {
    std::unique_ptr<poll_entry_t> entry{retired};
    retired = entry->next;
  }
}

void ws_poller_t::shutdown() {
  // The io_context is going away: its sockets must not outlive it. Close every WebSocket still
  // registered (without telling its handler: no handler may run any more) and drop our hold.
  armed_ = false;
  descriptor_.reset();  // closes epfd_
  epfd_ = -1;
  while (live_) {
    std::unique_ptr<poll_entry_t> entry{live_};
    live_ = entry->next;
    entry->fd = -1;
    entry->connection->detach_from_poller();
  }
  release_retired();
}

}  // namespace restws::websocket::basic::detail
