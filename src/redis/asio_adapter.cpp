#include "redis/asio_adapter.hpp"

#include <hiredis/async.h>

#include <asio/posix/stream_descriptor.hpp>
#include <memory>
#include <system_error>

namespace restws::pubsub::redis_detail {

namespace {

// One per hiredis context. Shared by the context (through ev.data) and by every wait in flight,
// so that a wait completing after cleanup finds `ac` null instead of a freed context.
struct watcher_t {
  watcher_t(asio::io_context& io, redisAsyncContext* c) : ac{c}, socket{io} {}
  redisAsyncContext* ac;
  asio::posix::stream_descriptor socket;  // not the owner of the fd: hiredis closes it
  bool want_read = false;
  bool want_write = false;
  bool read_waiting = false;  // one wait per direction at a time
  bool write_waiting = false;
};

using watcher_ptr = std::shared_ptr<watcher_t>;

watcher_ptr& watcher_of(void* ev_data) { return *static_cast<watcher_ptr*>(ev_data); }

void arm(const watcher_ptr& w, bool read) {
  bool& waiting = read ? w->read_waiting : w->write_waiting;
  if (waiting || w->ac == nullptr) return;
  waiting = true;
  using wait_type = asio::posix::stream_descriptor::wait_type;
  w->socket.async_wait(read ? wait_type::wait_read : wait_type::wait_write,
                       [w, read](const std::error_code& ec) {
                         (read ? w->read_waiting : w->write_waiting) = false;
                         const bool& wanted = read ? w->want_read : w->want_write;
                         if (ec || w->ac == nullptr || !wanted) return;
                         // May free the context (cleanup below sets w->ac to null) or ask for
                         // more I/O (the hooks arm again).
                         if (read)
                           redisAsyncHandleRead(w->ac);
                         else
                           redisAsyncHandleWrite(w->ac);
                         if (wanted) arm(w, read);
                       });
}

void add_read(void* p) {
  auto& w = watcher_of(p);
  w->want_read = true;
  arm(w, true);
}
void del_read(void* p) { watcher_of(p)->want_read = false; }
void add_write(void* p) {
  auto& w = watcher_of(p);
  w->want_write = true;
  arm(w, false);
}
void del_write(void* p) { watcher_of(p)->want_write = false; }

void cleanup(void* p) {
  auto* holder = &watcher_of(p);
  const watcher_ptr w = *holder;
  w->ac->ev.data = nullptr;
  w->ac = nullptr;
  w->want_read = w->want_write = false;
  // Leaves epoll before hiredis closes the fd; waits in flight complete with operation_aborted.
  std::error_code ignored;
  w->socket.cancel(ignored);
  (void)w->socket.release();
  delete holder;
}

}  // namespace

bool drive_with_asio(redisAsyncContext* ac, asio::io_context& io) {
  auto w = std::make_shared<watcher_t>(io, ac);
  std::error_code ec;
  w->socket.assign(ac->c.fd, ec);
  if (ec) return false;
  ac->ev.data = new watcher_ptr{std::move(w)};
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = cleanup;
  return true;
}

}  // namespace restws::pubsub::redis_detail
