#include "ws_poller.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#if RESTWS_HAVE_IO_URING
#include <liburing.h>
#endif

#include <asio/post.hpp>

#include "../server/uring_batch.hpp"
#include "ws_connection.hpp"
#include "ws_topics.hpp"

namespace restws::websocket::basic::detail {
namespace {
// Events taken from epoll per system call, and system calls per wake-up before the other
// handlers of the reactor get their turn.
constexpr int max_events = 256;
constexpr int max_rounds = 4;
// Ready sockets a round needs before its reads and writes go through io_uring.
constexpr int min_batch = 2;
}  // namespace

#if RESTWS_HAVE_IO_URING
// The ring and the buffers of one batch. Reads of connections without a partial frame go to
// slots of read_arena (one per read of a submission), small writes are joined into slots of
// write_arena; larger ones are sent with sendmsg() from the connection's own iovecs.
struct ws_poller_t::uring_t {
  static constexpr unsigned max_batch = 128;  ///< operations per submission
  static constexpr std::size_t read_slot = 32 * 1024;
  static constexpr std::size_t write_slot = max_joined_write;

  io_uring ring{};
  std::unique_ptr<std::byte[]> read_arena{new std::byte[max_batch * read_slot]};
  std::unique_ptr<char[]> write_arena{new char[max_batch * write_slot]};
  std::array<msghdr, max_batch> messages{};
  std::array<int, max_batch> results{};

  ~uring_t() { io_uring_queue_exit(&ring); }

  bool broken = false;  ///< the kernel refused a submission: torn down after the batch

  /// Submits the `count` prepared operations and collects their results (uring_batch.hpp).
  void submit(unsigned count) {
    restws::detail::submit_batch(ring, std::span{results}.first(count), broken);
  }
};
#else
struct ws_poller_t::uring_t {};
#endif

ws_poller_t::ws_poller_t(asio::io_context& io)
    : asio::execution_context::service{io}, io_{io}, set_{io, set_error_}, events_(max_events) {
  refresh_clock();
}

ws_poller_t::~ws_poller_t() { shutdown(); }

topic_shard_t* ws_poller_t::topic_shard(
    const std::shared_ptr<pubsub::detail::topic_hub_impl_t>& hub, bool create) {
  for (const auto& s : shards_)
    if (s->hub() == hub.get()) return s.get();
  if (!create) return nullptr;
  return shards_.emplace_back(std::make_unique<topic_shard_t>(*this, hub)).get();
}

void ws_poller_t::defer_write(ws_connection_t* connection) {
  connection->retain();
  deferred_.push_back(connection);
}

void ws_poller_t::flush_deferred() {
  // A write may fail and run a handler that publishes again: loop until nothing is left.
  std::vector<ws_connection_t*> batch;
  while (!deferred_.empty()) {
    batch.swap(deferred_);
    for (ws_connection_t* c : batch) {
      c->flush_deferred_write();
      c->release();
    }
    batch.clear();
  }
}

bool ws_poller_t::enable_uring(std::error_code& ec) {
  if (uring_tried_) return uring_ != nullptr;
  uring_tried_ = true;
#if RESTWS_HAVE_IO_URING
  io_uring ring{};
  // Probed before uring_t allocates its buffers.
  if (!restws::detail::init_ring(ring, 2 * uring_t::max_batch,
                                 {IORING_OP_RECV, IORING_OP_SEND, IORING_OP_SENDMSG}, ec))
    return false;
  auto u = std::make_unique<uring_t>();
  u->ring = ring;  // a plain C struct: uring_t owns the ring from here on
  uring_ = std::move(u);
  return true;
#else
  ec = std::make_error_code(std::errc::function_not_supported);
  return false;
#endif
}

bool ws_poller_t::add(ws_connection_t* connection,
                      std::shared_ptr<handoff_registration_t> registration, std::error_code& ec) {
  if (!set_.valid()) {
    ec = set_error_ ? set_error_ : std::error_code{EMFILE, std::system_category()};
    return false;
  }
  poll_entry_t* e = connection;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = e;
  if (::epoll_ctl(set_.fd(), EPOLL_CTL_ADD, e->fd, &ev) != 0) {
    ec = std::error_code{errno, std::system_category()};
    return false;
  }
  connection->retain();  // released by release_retired() or shutdown()
  if (!registration_ && registration) {
    // The server calls these on this io_context's thread.
    registration->set_stop_handler([this] {
      for_each_live([](ws_connection_t& c) {
        c.shutdown_from_any_thread(protocol::status_code_t::going_away, "server stopping");
      });
    });
    registration->set_kill_handler(
        [this] { for_each_live([](ws_connection_t& c) { c.kill_from_any_thread(); }); });
    registration_ = std::move(registration);
  }
  e->prev = nullptr;
  e->next = live_;
  if (live_) live_->prev = e;
  live_ = e;
  refresh_clock();  // the connection's idle time counts from now
  if (const idle_policy_t& idle = connection->idle_policy(); idle.enabled())
    want_idle_checks(idle.check_period());
  arm();
  return true;
}

std::shared_ptr<const ws_config_t> ws_poller_t::share_config(ws_config_t config) {
  if (!last_config_ || !last_config_->same_as(config))
    last_config_ = std::make_shared<const ws_config_t>(std::move(config));
  return last_config_;
}

template <typename F>
void ws_poller_t::for_each_live(F f) {
  // Closing a connection removes it from live_ (and may release the last one): walk a copy.
  std::vector<connection_ref_t> connections;
  for (poll_entry_t* e = live_; e; e = e->next)
    connections.emplace_back(static_cast<ws_connection_t*>(e));
  for (const auto& c : connections) f(*c);
}

void ws_poller_t::remove(ws_connection_t* connection) noexcept {
  poll_entry_t* entry = connection;
  if (entry->fd < 0) return;
  epoll_event ev{};
  ::epoll_ctl(set_.fd(), EPOLL_CTL_DEL, entry->fd, &ev);
  // Events already taken from epoll for it are skipped: its socket is closed (fd -1) next.
  if (entry->prev) entry->prev->next = entry->next;
  if (entry->next) entry->next->prev = entry->prev;
  if (live_ == entry) live_ = entry->next;
  entry->prev = nullptr;
  entry->next = retired_;
  retired_ = entry;
  // The last WebSocket of this reactor is closed: the server no longer waits for us. (A stop
  // or kill handler running now was taken out of the registration first: it outlives this.)
  if (!live_) registration_.reset();
  if (!live_) set_.disarm();  // nothing left to watch: let the io_context run out of work
  if (!live_ && idle_timer_armed_) {
    idle_timer_armed_ = false;
    idle_timer_->cancel();
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
  if (live_) set_.arm([this] { on_ready(); });
}

namespace {

/// Starts loading the cache lines of the connection whose poll entry is `entry`.
void prefetch_connection(void* entry) noexcept {
  const auto* c = reinterpret_cast<const char*>(
      static_cast<ws_connection_t*>(static_cast<poll_entry_t*>(entry)));
  for (std::size_t at = 0; at < sizeof(ws_connection_t); at += 64) __builtin_prefetch(c + at);
  __builtin_prefetch(c + sizeof(ws_connection_t) - 1);  // its last line, if it is not aligned
}

}  // namespace

void ws_poller_t::on_ready() {
  in_batch_ = true;
  refresh_clock();
  for (int round = 0; round < max_rounds; ++round) {
    const int n = ::epoll_wait(set_.fd(), events_.data(), max_events, 0);
    if (n <= 0) break;
    // A round of one socket gains nothing from a submission: plain system calls, as without.
    const bool batching = uring_ != nullptr && n >= min_batch;
    collecting_writes_ = batching;
    for (int i = 0; i < n; ++i) {
      auto* entry = static_cast<poll_entry_t*>(events_[static_cast<std::size_t>(i)].data.ptr);
      auto* connection = static_cast<ws_connection_t*>(entry);
      // The next connection's state is most likely out of the caches (the kernel's work for the
      // sockets in between evicts it): fetched while this one's system calls run.
      if (i + 1 < n) prefetch_connection(events_[static_cast<std::size_t>(i) + 1].data.ptr);
      const std::uint32_t ev = events_[static_cast<std::size_t>(i)].events;
      // An entry removed earlier in this batch stays allocated until the batch ends.
      if (entry->fd >= 0 && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) connection->on_writable();
      if (entry->fd >= 0 && (ev & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))) {
        if (ev & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)) connection->note_input_end();
        if (batching && connection->batches_io() && !connection->reads_large())
          batch_reads_.push_back(entry);
        else
          connection->on_readable();
      }
    }
    if (!batch_reads_.empty()) {
      read_batched(batch_reads_);
      batch_reads_.clear();
    }
    if (!deferred_.empty()) flush_deferred();  // published messages join the batch's writes
    collecting_writes_ = false;
    if (!flush_.empty()) flush_batched();
    if (uring_broken()) uring_.reset();  // plain system calls from now on
    // With io_uring a round costs few system calls whatever its size, so look again at once:
    // peers answered while it ran. Without, a short round means the set is drained.
    if (!batching && n < max_events) break;
  }
  in_batch_ = false;
  release_retired();
  arm();  // edge triggered: events left over after max_rounds raise the epoll set again
}

#if RESTWS_HAVE_IO_URING
void ws_poller_t::read_batched(std::span<poll_entry_t* const> entries) {
  uring_t& u = *uring_;
  std::array<ws_connection_t*, uring_t::max_batch> connections{};
  std::array<std::span<std::byte>, uring_t::max_batch> spaces;
  std::array<bool, uring_t::max_batch> own{};
  while (!entries.empty()) {
    const auto chunk = entries.first(std::min<std::size_t>(entries.size(), uring_t::max_batch));
    entries = entries.subspan(chunk.size());
    unsigned count = 0;
    for (poll_entry_t* entry : chunk) {
      // Handlers run earlier in this batch may have closed the connection or posted a read.
      auto* connection = static_cast<ws_connection_t*>(entry);
      if (entry->fd < 0 || !connection->wants_read()) continue;
      std::span<std::byte> space = connection->own_read_space();
      own[count] = !space.empty();
      if (space.empty())
        space = {u.read_arena.get() + count * uring_t::read_slot, uring_t::read_slot};
      spaces[count] = space;
      connections[count] = connection;
      io_uring_sqe* sqe = io_uring_get_sqe(&u.ring);
      io_uring_prep_recv(sqe, entry->fd, space.data(), space.size(), MSG_DONTWAIT);
      io_uring_sqe_set_data64(sqe, count);
      ++count;
    }
    if (count == 0) continue;
    u.submit(count);
    for (unsigned i = 0; i < count; ++i)
      connections[i]->on_batched_read(spaces[i], own[i], u.results[i]);
  }
}

void ws_poller_t::flush_batched() {
  uring_t& u = *uring_;
  std::array<ws_connection_t*, uring_t::max_batch> connections{};
  std::array<std::size_t, uring_t::max_batch> single{};  ///< join_single_frame()'s size, or 0
  std::span<ws_connection_t* const> rest{flush_};
  while (!rest.empty()) {
    const auto chunk = rest.first(std::min<std::size_t>(rest.size(), uring_t::max_batch));
    rest = rest.subspan(chunk.size());
    unsigned count = 0;
    for (ws_connection_t* c : chunk) {
      const int fd = c->native_handle();
      char* const slot = u.write_arena.get() + count * uring_t::write_slot;
      // Most often one small frame: copied into the slot straight from the connection's queue.
      if (const std::size_t size = c->join_single_frame({slot, uring_t::write_slot})) {
        io_uring_sqe* sqe = io_uring_get_sqe(&u.ring);
        io_uring_prep_send(sqe, fd, slot, size, MSG_DONTWAIT | MSG_NOSIGNAL);
        io_uring_sqe_set_data64(sqe, count);
        single[count] = size;
        connections[count] = c;
        ++count;
        continue;
      }
      const std::span<const iovec> pieces = c->next_write();
      if (pieces.empty()) continue;
      io_uring_sqe* sqe = io_uring_get_sqe(&u.ring);
      single[count] = 0;
      if (pieces.size() == 1) {
        io_uring_prep_send(sqe, fd, pieces[0].iov_base, pieces[0].iov_len,
                           MSG_DONTWAIT | MSG_NOSIGNAL);
      } else if (const std::size_t joined = join_small_write(pieces, slot)) {
        io_uring_prep_send(sqe, fd, slot, joined, MSG_DONTWAIT | MSG_NOSIGNAL);
      } else {
        msghdr& m = u.messages[count];
        m = msghdr{};
        m.msg_iov = const_cast<iovec*>(pieces.data());
        m.msg_iovlen = pieces.size();
        io_uring_prep_sendmsg(sqe, fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
      }
      io_uring_sqe_set_data64(sqe, count);
      connections[count] = c;
      ++count;
    }
    if (count == 0) continue;
    u.submit(count);
    // A result may make a connection write again (the rest of a short send, or what its
    // completion callbacks queued): collecting_writes() is false now, so it writes directly.
    for (unsigned i = 0; i < count; ++i) {
      if (single[i] != 0) {
        connections[i]->on_batched_single_write(u.results[i], single[i]);
      } else {
        connections[i]->on_batched_write(u.results[i]);
      }
    }
  }
  flush_.clear();
}
bool ws_poller_t::uring_broken() const noexcept { return uring_ && uring_->broken; }
#else
bool ws_poller_t::uring_broken() const noexcept { return false; }

void ws_poller_t::read_batched(std::span<poll_entry_t* const> entries) {
  for (poll_entry_t* entry : entries)
    if (entry->fd >= 0) static_cast<ws_connection_t*>(entry)->on_readable();
}

void ws_poller_t::flush_batched() { flush_.clear(); }
#endif

void ws_poller_t::release_retired() {
  // Destroying a connection can run user code (its handler's captures): take the list first.
  poll_entry_t* retired = std::exchange(retired_, nullptr);
  while (retired) {
    poll_entry_t* entry = retired;
    retired = entry->next;
    static_cast<ws_connection_t*>(entry)->release();  // may destroy it, and the entry in it
  }
}

void ws_poller_t::shutdown() {
  // The io_context is going away: its sockets must not outlive it. Close every WebSocket still
  // registered (without telling its handler: no handler may run any more) and drop our hold.
  set_.close();
  idle_timer_.reset();
  idle_timer_armed_ = false;
  flush_.clear();
  batch_reads_.clear();
  while (live_) {
    poll_entry_t* entry = live_;
    live_ = entry->next;
    auto* connection = static_cast<ws_connection_t*>(entry);
    connection->detach_from_poller();  // closes the socket
    connection->release();
  }
  for (ws_connection_t* c : std::exchange(deferred_, {})) c->release();
  registration_.reset();
  shards_.clear();  // after the connections: they left their topics when their sockets closed
  last_config_.reset();
  release_retired();
  while (busy_pool.first) {
    std::unique_ptr<busy_state_t> b{busy_pool.first};
    busy_pool.first = b->next_free;
  }
  busy_pool.count = 0;
}

}  // namespace restws::websocket::basic::detail
