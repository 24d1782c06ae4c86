#include "ws_connection.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

#include <asio/dispatch.hpp>
#include <asio/post.hpp>

#include "../server/join_buffer.hpp"
#include "../server/slab_pool.hpp"
#include "io_uring_choice.hpp"
#include "ws_poller.hpp"

namespace restws::websocket::basic::detail {
namespace {

using protocol::final_frame_flag_t;
using protocol::opcode_t;
using protocol::status_code_t;

protocol::validator_settings_t validator_settings(const ws_settings_t& s) {
  protocol::validator_settings_t v;
  v.role = protocol::role_t::server;
  v.max_frame_size = s.max_frame_size;
  v.max_message_size = s.max_message_size;
  return v;
}

std::string close_payload(status_code_t code, std::string_view reason) {
  if (code == status_code_t::no_status_received) return {};
  std::string p = protocol::status_code_to_bin(code);
  p.append(reason.substr(0, protocol::max_control_payload_size - 2));
  return p;
}

// Smallest free space worth a read system call.
constexpr std::size_t min_read_space = 2048;
// A connection keeps at most this much read buffer once its partial frame is complete.
constexpr std::size_t max_idle_pending = 4096;
// The first allocation for a partial frame (unless the frame is smaller).
constexpr std::size_t min_frame_growth = 64 * 1024;
// With io_uring batching, the most a connection's queue may hold and still wait for the end of
// the batch to be written.
constexpr std::size_t max_batched_write = 4096;
// A connection whose last read was larger reads with plain system calls: a batch of large reads
// would spread its bytes over many buffers and out of the CPU's caches before they are parsed.
constexpr std::size_t max_batched_read = 4096;

#if RESTWS_HAVE_IO_URING
// io_uring_mode_t::automatic: what a system call costs here (io_uring_choice.hpp), and the choice
// logged once per process, with the first logger to ask.
std::chrono::nanoseconds automatic_io_uring_cost(abstract_logger_t& logger) {
  static std::atomic<bool> logged{false};
  return system_call_cost_logged(logger, logged, "ws", "WebSockets", "ws_settings_t::io_uring");
}
#endif

}  // namespace

ws_connection_t::ws_connection_t(connection_handoff_t handoff, message_handler_t handler,
                                 const ws_settings_t& settings)
    : handler_{std::move(handler)},
      poller_{&ws_poller_t::of(*handoff.io_context)},
      config_{poller_->share_config(ws_config_t{
          handoff.io_context, settings.close_timeout, settings.write_timeout,
          validator_settings(settings),
          handoff.logger ? std::move(handoff.logger) : std::make_shared<null_logger_t>()})},
      connection_id_{handoff.connection_id},
      remote_endpoint_{handoff.remote_endpoint} {
  new (&owner_weak_) std::weak_ptr<ws_t>;
  auto_pong_ = settings.auto_pong;
  deliver_whole_messages_ = settings.deliver_whole_messages;
#if RESTWS_HAVE_IO_URING
  want_io_uring_ = wants_io_uring(settings.io_uring,
                                  [this] { return automatic_io_uring_cost(*config_->logger); });
#else
  want_io_uring_ = settings.io_uring == io_uring_mode_t::on;  // start() logs the fallback
#endif
  io_uring_automatic_ = settings.io_uring == io_uring_mode_t::automatic;
  keep_open_ = settings.keep_open;
  // The socket leaves Asio: the reactor's ws_poller_t watches it (see ws_poller.hpp).
  std::error_code ec;
  fd = handoff.socket.release(ec);
  if (ec) fd = -1;
  if (fd >= 0) {
    const int flags = ::fcntl(fd, F_GETFL, 0);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
      ::close(fd);
      fd = -1;
    }
  }
  keep_pending(std::as_bytes(std::span{handoff.already_read}));
}

ws_connection_t::~ws_connection_t() {
  if (fd >= 0) ::close(fd);
  if (owner_is_strong_)
    owner_strong_.~shared_ptr();
  else
    owner_weak_.~weak_ptr();
}

// ---- memory ------------------------------------------------------------------------------

namespace {
#if RESTWS_SLAB_POOLS
restws::detail::slab_pool_t& connection_pool() {
  // Never destroyed: a handle may outlive main() (a static registry of them).
  static auto* const pool =
      new restws::detail::slab_pool_t{sizeof(ws_connection_t), 64 * 1024, alignof(ws_connection_t)};
  return *pool;
}
#endif
}  // namespace

void* ws_connection_t::operator new(std::size_t size) {
#if RESTWS_SLAB_POOLS
  if (size == sizeof(ws_connection_t)) return connection_pool().allocate();
#endif
  return ::operator new(size);
}

void ws_connection_t::operator delete(void* p, [[maybe_unused]] std::size_t size) noexcept {
#if RESTWS_SLAB_POOLS
  if (size == sizeof(ws_connection_t)) {
    connection_pool().deallocate(p);
    return;
  }
#endif
  ::operator delete(p);  // unsized: clang declares the sized one only with -fsized-deallocation
}

// ---- handles -----------------------------------------------------------------------------

// The handles' control block is built in the connection's handle_slot_t: make_handle() hands the
// slot to the allocator, whose deallocate() (when the last handle and weak handle are gone)
// drops the reference the block held on the connection.
namespace {
thread_local handle_slot_t* next_slot = nullptr;
}

template <typename T>
struct ws_connection_t::slot_allocator_t {
  using value_type = T;
  slot_allocator_t() noexcept = default;
  template <typename U>
  slot_allocator_t(const slot_allocator_t<U>&) noexcept {}  // NOLINT: implicit, as allocators are
  T* allocate(std::size_t n) {
    static_assert(sizeof(T) <= handle_slot_t::size && alignof(T) <= alignof(handle_slot_t),
                  "handle_slot_t::size is too small for this standard library's control block");
    if (n != 1 || next_slot == nullptr) throw std::bad_alloc{};
    return reinterpret_cast<T*>(std::exchange(next_slot, nullptr)->storage);
  }
  void deallocate(T* p, std::size_t) noexcept {
    // storage is the first member of the standard-layout handle_slot_t: same address.
    auto* slot = reinterpret_cast<handle_slot_t*>(p);
    static_cast<ws_connection_t*>(slot)->release();
  }
  template <typename U>
  bool operator==(const slot_allocator_t<U>&) const noexcept {
    return true;
  }
};

void ws_connection_t::handle_deleter_t::operator()(ws_t* ws) const noexcept {
  // The last handle is gone: shut down gracefully (a no-op once closed).
  try {
    static_cast<ws_connection_t*>(ws)->shutdown_from_any_thread(status_code_t::normal_closure, {});
  } catch (...) {
    // Posting can only fail on memory exhaustion; the socket then closes with the connection.
  }
}

ws_handle_t ws_connection_t::make_handle() {
  retain();  // the control block's, dropped by slot_allocator_t::deallocate()
  next_slot = this;
  ws_handle_t handle{static_cast<ws_t*>(this), handle_deleter_t{}, slot_allocator_t<ws_t>{}};
  if (keep_open_) {
    owner_weak_.~weak_ptr();
    new (&owner_strong_) std::shared_ptr<ws_t>{handle};  // dropped when the connection closes
    owner_is_strong_ = true;
  } else {
    owner_weak_ = handle;
  }
  return handle;
}

void ws_connection_t::drop_owner() noexcept {
  // Our last use of the slot: with keep_open, this may be the last handle (its deleter then
  // finds the connection closed).
  if (owner_is_strong_) {
    auto last = std::move(owner_strong_);
    owner_strong_.~shared_ptr();
    new (&owner_weak_) std::weak_ptr<ws_t>;
    owner_is_strong_ = false;
  } else {
    owner_weak_.reset();
  }
}

template <typename F>
void ws_connection_t::run_on_io_thread(F&& f) {
  asio::dispatch(io(), [self = connection_ref_t{this}, f = std::forward<F>(f)]() mutable { f(); });
}

void ws_connection_t::start(std::string response_head, bool activate_now,
                            std::shared_ptr<handoff_registration_t> registration) {
  std::error_code ec;
  if (fd >= 0) {
    registered_ = poller_->add(this, std::move(registration), ec);
    if (registered_ && want_io_uring_) {
      std::error_code uring_ec;
      batches_io_ = poller_->enable_uring(uring_ec);
      if (!batches_io_ && uring_ec) {
        auto message = [&] {
          return "ws [" + std::to_string(connection_id_) +
                 "]: io_uring unavailable, using plain system calls: " + uring_ec.message();
        };
        // Asked for (on): a warning; chosen by the library (automatic): for information.
        if (io_uring_automatic_) {
          config_->logger->info(message);
        } else {
          config_->logger->warn(message);
        }
      }
    }
  } else {
    ec = std::make_error_code(std::errc::bad_file_descriptor);
  }
  if (!registered_) {
    config_->logger->error([&] {
      return "ws [" + std::to_string(connection_id_) +
             "]: cannot watch the socket: " + ec.message();
    });
    close_socket();
    return;
  }
  queue_raw(std::move(response_head));  // written at once unless the socket is full
  if (activate_now) activate();
  rest();
}

// ---- entry points from any thread ----------------------------------------------------------

void ws_connection_t::send_from_any_thread(final_frame_flag_t fin, opcode_t opcode,
                                           shared_payload_t payload, write_status_cb_t cb) {
  if (io().get_executor().running_in_this_thread()) {
    // The common case (a handler answering): no closure, no reference count traffic.
    send_on_io_thread(fin, opcode, std::move(payload), std::move(cb));
    return;
  }
  run_on_io_thread([this, fin, opcode, payload = std::move(payload), cb = std::move(cb)]() mutable {
    send_on_io_thread(fin, opcode, std::move(payload), std::move(cb));
  });
}

void ws_connection_t::send_on_io_thread(final_frame_flag_t fin, opcode_t opcode,
                                        shared_payload_t payload, write_status_cb_t cb) {
  if (send_closed_.load(std::memory_order_relaxed)) {
    if (cb) {
      asio::post(io(), [cb = std::move(cb)] {
        try {
          cb(asio::error::operation_aborted);
        } catch (...) {
        }
      });
    }
    return;
  }
  if (opcode == opcode_t::connection_close_frame) {
    // The user starts the close handshake with a frame of their own.
    send_closed_.store(true, std::memory_order_release);
    queue_frame(final_frame_flag_t::final_frame, opcode, std::move(payload),
                [this, user_cb = std::move(cb)](const std::error_code& ec) {
                  if (user_cb) user_cb(ec);
                  if (!ec) finish_after_close_sent();
                });
    arm_close_timer();
    rest();
    return;
  }
  queue_frame(fin, opcode, std::move(payload), std::move(cb));
  rest();
}

void ws_connection_t::shutdown_from_any_thread(status_code_t code, std::string reason) {
  if (detached_.load(std::memory_order_acquire)) return;
  run_on_io_thread([this, code, reason = std::move(reason)] {
    if (socket_closed_ || send_closed_.load(std::memory_order_relaxed)) return;
    send_close(code, reason);
    rest();
  });
}

void ws_connection_t::kill_from_any_thread() {
  if (detached_.load(std::memory_order_acquire)) return;
  run_on_io_thread([this] { close_socket(); });
}

void ws_connection_t::activate_from_any_thread() {
  if (detached_.load(std::memory_order_acquire)) return;
  run_on_io_thread([this] { activate(); });
}

// ---- recycling ---------------------------------------------------------------------------

// An echo would allocate three blocks per message (the message, the payload's shared block and
// its bytes) and free them once the frame is written. Instead, each reactor thread keeps the
// message and the payload blocks that nobody else references any more, and deliver() reuses
// them: in steady state a message costs no allocation. The payload bytes keep their capacity,
// bounded, so a thread never holds much. With io_uring batching, every echo of a round holds its
// block until the round's writes, so a thread needs as many blocks as a round has messages (up
// to the poller's 256 events).

namespace {
struct recycler_t {
  static constexpr std::size_t max_payloads = 256;
  static constexpr std::size_t max_payload_capacity = 64 * 1024;
  static constexpr std::size_t max_kept_bytes = 1024 * 1024;  ///< capacity of the kept blocks
  std::array<std::shared_ptr<std::string>, max_payloads> payloads;
  std::size_t payload_count = 0;
  std::size_t kept_bytes = 0;
  message_handle_t message;

  std::shared_ptr<std::string> pop() noexcept {
    auto p = std::move(payloads[--payload_count]);
    kept_bytes -= p->capacity();
    return p;
  }
};

recycler_t& thread_recycler() {
  thread_local recycler_t recycler;
  return recycler;
}
}  // namespace

shared_payload_t ws_connection_t::recycled_payload(std::string_view bytes) {
  if (bytes.empty()) return nullptr;
  recycler_t& r = thread_recycler();
  if (r.payload_count == 0) return std::make_shared<std::string>(bytes);
  auto p = r.pop();
  p->assign(bytes.data(), bytes.size());
  return p;
}

std::shared_ptr<std::string> ws_connection_t::recycled_block(std::size_t size) {
  recycler_t& r = thread_recycler();
  if (r.payload_count == 0) return std::make_shared<std::string>(size, '\0');
  auto p = r.pop();
  p->resize(size);  // keeps the capacity; only bytes past the old size are filled
  return p;
}

void ws_connection_t::recycle(shared_payload_t payload) noexcept {
  recycler_t& r = thread_recycler();
  // use_count() == 1: ours is the only reference, so no other thread can hold or copy it. Every
  // payload block is made by message_t::make_payload() or recycled_payload(), as a non-const
  // std::string: writing to it through a const_pointer_cast is allowed.
  if (!payload || payload.use_count() != 1 || payload->capacity() > r.max_payload_capacity ||
      r.payload_count == r.max_payloads || r.kept_bytes + payload->capacity() > r.max_kept_bytes)
    return;
  r.kept_bytes += payload->capacity();
  r.payloads[r.payload_count++] = std::const_pointer_cast<std::string>(std::move(payload));
}

message_handle_t ws_connection_t::recycled_message() {
  recycler_t& r = thread_recycler();
  if (r.message && r.message.use_count() == 1) return std::move(r.message);
  return std::make_shared<message_t>();
}

void ws_connection_t::recycle(message_handle_t message) noexcept {
  // The handler kept no reference: the message (and, once written, its payload) can be reused.
  if (message.use_count() != 1) return;
  message->payload_.reset();
  thread_recycler().message = std::move(message);
}

// ---- busy state --------------------------------------------------------------------------

busy_state_t& ws_connection_t::take_busy() {
  ws_poller_t::busy_pool_t* pool = poller_ ? &poller_->busy_pool : nullptr;
  if (!pool || !pool->first) {
    busy_ = std::make_unique<busy_state_t>();
    busy_->reader = protocol::frame_reader_t{config_->limits};
    return *busy_;
  }
  busy_.reset(std::exchange(pool->first, pool->first->next_free));
  --pool->count;
  // A pooled reader sits at a message boundary (give_back_busy()): only its limits may differ.
  if (busy_->reader.settings() != config_->limits)
    busy_->reader = protocol::frame_reader_t{config_->limits};
  return *busy_;
}

void ws_connection_t::give_back_busy() noexcept {
  busy_state_t& b = *busy_;
  const bool input_ignored = failed_ || close_received_ || socket_closed_;
  if (!socket_closed_) {
    // Frames to write, or a frame or message half received: still busy.
    if (write_blocked_ || !b.queue.empty() || !b.writing.empty() || b.iov_pos != b.iov.size())
      return;
    if (!input_ignored && (b.pending_len != 0 || b.reader.message_open())) return;
  }
  // Otherwise the reader sits at a message boundary, as good as a new one: no reset needed.
  if (input_ignored) clear_busy(b);
  ws_poller_t::busy_pool_t* pool = poller_ ? &poller_->busy_pool : nullptr;
  if (!pool || pool->count == ws_poller_t::busy_pool_t::max_kept) {
    busy_.reset();
    return;
  }
  b.next_free = pool->first;
  pool->first = busy_.release();
  ++pool->count;
}

void ws_connection_t::clear_busy(busy_state_t& b) noexcept {
  // Closed or failed, maybe mid-message: what is left means nothing. The next user starts afresh.
  b.reader.reset();
  b.pending_len = 0;
  b.needed = 0;
  if (b.pending.size() > max_idle_pending) std::vector<std::byte>{}.swap(b.pending);
  std::string{}.swap(b.assembling);
  b.writing.clear();
}

// ---- reading -----------------------------------------------------------------------------

void ws_connection_t::activate() {
  if (activated_ || socket_closed_) return;
  activated_ = true;
  start_read();
}

// Reading works as uWebSockets does: a connection owns no read buffer while idle. Bytes are read
// into one buffer per reactor thread and parsed there in place; only the tail of a frame that
// is not complete yet is copied into the connection's own `pending` buffer, which then receives
// the rest of that frame directly. The socket is non-blocking and read when the reactor's
// ws_poller_t reports new input.
//
// The poller's epoll set is edge triggered: it reports only new input. That is enough because
// read_loop() reads until a read returns less than the space offered (for a stream socket, the
// receive queue was empty at that moment, so later data raises a new edge: epoll(7)), or until
// it returns EAGAIN; when it stops earlier (its round limit), it posts itself to go on; and
// after a pause (not activated yet, a posted read pending) it starts with an unconditional read.

namespace {
// The reactor thread's read buffer: one per thread, as each reactor is run by one thread.
std::span<std::byte> thread_read_buffer() {
  thread_local std::vector<std::byte> buffer(64 * 1024);
  return buffer;
}
}  // namespace

void ws_connection_t::start_read() {
  if (read_scheduled_ || socket_closed_ || !activated_) return;
  read_scheduled_ = true;
  // Posted, never inline: read_loop() uses the thread's buffer, which a caller up the stack (a
  // handler run from another connection's read_loop()) may be parsing right now.
  asio::post(io(), [self = connection_ref_t{this}] {
    self->read_scheduled_ = false;
    self->read_loop();
    self->rest();
  });
}

void ws_connection_t::on_readable() {
  // Before activation the input waits in the socket: activate() reads it. A posted read_loop()
  // reads everything there is anyway.
  if (read_scheduled_ || socket_closed_ || !activated_) return;
  read_loop();
  rest();
}

void ws_connection_t::on_read_error() {
  // EOF after the close handshake is its normal end; before it, close_socket() tells the handler
  // (1006), once the connection is marked closed so that the handler cannot queue more.
  close_socket();
}

void ws_connection_t::read_loop() {
  if (socket_closed_ || read_scheduled_ || !activated_) return;
  // A few reads per wake-up at most, so that one fast peer cannot starve the others.
  for (int round = 0;; ++round) {
    if (round == 4) {
      start_read();  // edge triggered: no new edge comes for what is still waiting
      return;
    }
    const bool own = pending_len() != 0;
    const std::span<std::byte> space = own ? own_read_space() : thread_read_buffer();
    const ssize_t got = ::recv(fd, space.data(), space.size(), 0);
    const int err = got < 0 ? errno : 0;
    if (got < 0 && err == EINTR) continue;
    if (!consume_read(space, own, got, err)) return;
  }
}

std::span<std::byte> ws_connection_t::own_read_space() {
  if (pending_len() == 0) return {};
  busy_state_t& b = *busy_;
  const std::size_t want = pending_target(b.pending_len);
  if (b.pending.size() < want) b.pending.resize(want);
  return std::span{b.pending}.subspan(b.pending_len);
}

bool ws_connection_t::consume_read(std::span<std::byte> space, bool own, ssize_t got, int err) {
  if (got < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK) return false;
    on_read_error();
    return false;
  }
  if (got == 0) {
    on_read_error();  // end of input
    return false;
  }
  const auto n = static_cast<std::size_t>(got);
  large_reads_ = n > max_batched_read;
  if (failed_ || close_received_) {
    if (busy_) busy_->pending_len = 0;  // draining until the peer closes: the bytes mean nothing
  } else if (own) {
    busy_state_t& b = *busy_;
    b.pending_len += n;
    const std::size_t used = process(std::span{b.pending}.first(b.pending_len));
    std::memmove(b.pending.data(), b.pending.data() + used, b.pending_len - used);
    b.pending_len -= used;
  } else {
    const auto data = space.first(n);
    const std::size_t used = process(data);
    keep_pending(data.subspan(used));
  }
  if (busy_ && busy_->pending_len == 0 && busy_->pending.size() > max_idle_pending) {
    std::vector<std::byte>{}.swap(busy_->pending);  // a large frame is done: give its memory back
  }
  return !socket_closed_ && (n == space.size() || input_ended_);
}

void ws_connection_t::on_batched_read(std::span<std::byte> space, bool own, int result) {
  // Another connection's handler may have closed this one since the read was submitted.
  if (socket_closed_) return;
  if (result == -ECANCELED) {  // never submitted (ws_poller_t): read with plain system calls
    read_loop();
    rest();
    return;
  }
  const bool more = result == -EINTR ||
                    consume_read(space, own, result < 0 ? -1 : result, result < 0 ? -result : 0);
  if (more) read_loop();  // the rest with plain reads, as on_readable() would
  rest();
}

void ws_connection_t::keep_pending(std::span<const std::byte> rest) {
  if (rest.empty()) return;
  busy_state_t& b = busy();
  const std::size_t want = pending_target(rest.size());
  if (b.pending.size() < want) b.pending.resize(want);
  std::memcpy(b.pending.data(), rest.data(), rest.size());
  b.pending_len = rest.size();
}

std::size_t ws_connection_t::pending_target(std::size_t len) const noexcept {
  // Room for the rest of the frame, but grown by doubling as bytes really arrive: a peer that
  // announces a 16 MiB frame and sends nothing more costs us little.
  const std::size_t needed = busy_ ? busy_->needed : 0;
  return std::max(len + min_read_space, std::min(needed, std::max(2 * len, min_frame_growth)));
}

namespace {
// Data frames whose payload is all in the read buffer are unmasked straight into the block the
// message will carry (a recycled one, in steady state): one pass over the payload instead of an
// unmasking pass then a copy.
// Control frames stay in the buffer (their payload is small and not always delivered), and so
// do the fragments of a message that is being assembled.
struct message_payload_sink_t final : protocol::payload_sink_t {
  using block_fn_t = std::shared_ptr<std::string> (*)(std::size_t);
  block_fn_t make_block;
  bool assembling_messages;
  std::shared_ptr<std::string> block;

  message_payload_sink_t(block_fn_t fn, bool assembling)
      : make_block{fn}, assembling_messages{assembling} {}

  std::span<std::byte> payload_space(const protocol::frame_header_t& h) noexcept override {
    if (!protocol::is_data_opcode(h.opcode)) return {};
    if (assembling_messages && (!h.fin || h.opcode == opcode_t::continuation_frame)) return {};
    const auto size = static_cast<std::size_t>(h.payload_length);  // within max_frame_size
    // A block over this size is never recycled: a new one would be zero-filled by
    // std::string, then written; the in-place path allocates it with the copy instead.
    if (size > recycler_t::max_payload_capacity) return {};
    try {
      block = make_block(size);
    } catch (const std::bad_alloc&) {
      return {};  // left in the buffer; the copy out of it will report the shortage
    }
    return std::as_writable_bytes(std::span{block->data(), size});
  }
};
}  // namespace

std::size_t ws_connection_t::process(std::span<std::byte> data) {
  std::size_t used = 0;
  busy_state_t& b = busy();  // stays ours while processing_
  message_payload_sink_t sink{&recycled_block, deliver_whole_messages_};
  processing_ = true;
  while (activated_ && !socket_closed_ && !failed_ && !close_received_) {
    if (used == data.size()) {  // ends on a frame boundary: nothing is pending
      b.needed = 0;
      break;
    }
    const auto r = b.reader.parse(data.subspan(used), owner_expired() ? nullptr : &sink);
    if (r.status == protocol::read_status_t::need_more) {
      b.needed = r.bytes_needed;
      break;
    }
    if (r.status == protocol::read_status_t::error) {
      fail(r.error.code, r.error.reason);
      break;
    }
    b.needed = 0;
    on_frame(r, r.payload_in_sink ? std::move(sink.block) : nullptr);
    used += r.frame_size;
  }
  processing_ = false;
  start_write();  // everything the handler queued for this read leaves in one write
  return (failed_ || close_received_) ? data.size() : used;
}

void ws_connection_t::on_frame(const protocol::read_result_t& frame,
                               std::shared_ptr<std::string> sunk) {
  const auto& h = frame.header;
  const std::string_view payload{reinterpret_cast<const char*>(frame.payload.data()),
                                 frame.payload.size()};
  switch (h.opcode) {
    case opcode_t::connection_close_frame: {
      close_received_ = true;
      if (!send_closed_.load(std::memory_order_relaxed)) {
        // Echo the peer's code (1000 for a close without one), as RFC 6455 §5.5.1 suggests.
        const auto code = payload.size() >= 2 ? protocol::status_code_from_bin(payload)
                                              : status_code_t::normal_closure;
        send_close(code, {});
      } else if (close_written_) {
        finish_after_close_sent();
      }
      close_notified_ = true;
      deliver(final_frame_flag_t::final_frame, opcode_t::connection_close_frame, payload);
      return;
    }
    case opcode_t::ping_frame:
      if (auto_pong_ && !send_closed_.load(std::memory_order_relaxed))
        queue_frame(final_frame_flag_t::final_frame, opcode_t::pong_frame,
                    recycled_payload(payload), {});
      deliver(h.final_flag(), h.opcode, payload);
      return;
    case opcode_t::pong_frame:
      deliver(h.final_flag(), h.opcode, payload);
      return;
    default:
      break;
  }
  if (sunk) {
    deliver(h.final_flag(), h.opcode, shared_payload_t{std::move(sunk)});
    return;
  }
  if (!deliver_whole_messages_ || (h.fin && h.opcode != opcode_t::continuation_frame)) {
    deliver(h.final_flag(), h.opcode, payload);  // a frame, or an unfragmented message
    return;
  }
  busy_state_t& b = busy();
  if (h.opcode != opcode_t::continuation_frame) {
    b.assembling_opcode = h.opcode;
    b.assembling.clear();
  }
  b.assembling.append(payload);
  if (h.fin)
    deliver(final_frame_flag_t::final_frame, b.assembling_opcode,
            message_t::make_payload(std::exchange(b.assembling, {})));
}

void ws_connection_t::deliver(final_frame_flag_t fin, opcode_t opcode, std::string_view payload) {
  if (owner_expired()) return;  // every handle is gone: the connection is closing
  deliver(fin, opcode, recycled_payload(payload));
}

void ws_connection_t::deliver(final_frame_flag_t fin, opcode_t opcode, shared_payload_t payload) {
  auto owner = lock_owner();
  if (!owner) return;  // every handle is gone: the connection is closing
  message_handle_t message = recycled_message();
  message->final_flag_ = fin;
  message->opcode_ = opcode;
  message->payload_ = std::move(payload);
  // The handler's exception must not kill the reactor: log it, the connection goes on.
  ++delivering_;
  try {
    handler_(std::move(owner), message);
    --delivering_;
  } catch (const std::exception& ex) {
    --delivering_;
    config_->logger->error([&] {
      return "ws [" + std::to_string(connection_id_) + "]: message handler threw: " + ex.what();
    });
  } catch (...) {
    --delivering_;
    config_->logger->error(
        [&] { return "ws [" + std::to_string(connection_id_) + "]: message handler threw"; });
  }
  recycle(std::move(message));
  if (socket_closed_) release_handler();
}

void ws_connection_t::release_handler() {
  // Once closed, nothing more is delivered: drop the handler and what it captured, which may
  // hold handles to this very connection (a registry captured by value), so such cycles end
  // with the connection. Not while the handler runs; deliver() comes back here when it returns.
  if (delivering_ != 0 || !handler_) return;
  const connection_ref_t keep_alive{this};  // the handler's captures may own our last ref
  auto handler = std::move(handler_);
  handler_ = nullptr;
}

// ---- writing -----------------------------------------------------------------------------

void ws_connection_t::queue_frame(final_frame_flag_t fin, opcode_t opcode, shared_payload_t payload,
                                  write_status_cb_t cb) {
  busy_state_t& b = busy();
  out_frame_t& f = b.queue.emplace_back();
  protocol::frame_header_t h;
  h.fin = fin == final_frame_flag_t::final_frame;
  h.opcode = opcode;
  h.payload_length = payload ? payload->size() : 0;
  f.header_size = static_cast<std::uint8_t>(protocol::write_frame_header(f.header, h));
  b.queued_bytes += f.header_size + h.payload_length;
  f.payload = std::move(payload);
  f.cb = std::move(cb);
  if (!processing_) start_write();
}

void ws_connection_t::queue_raw(std::string bytes) {
  busy_state_t& b = busy();
  out_frame_t& f = b.queue.emplace_back();
  f.header_size = 0;
  b.queued_bytes += bytes.size();
  f.payload = message_t::make_payload(std::move(bytes));
  if (!processing_) start_write();
}

namespace {
// Shared with the HTTP connections of the thread (join_buffer.hpp).
std::span<char> thread_write_buffer() {
  static_assert(restws::detail::join_buffer_size >= max_joined_write);
  return restws::detail::thread_join_buffer();
}

std::size_t frame_size(const out_frame_t& f) noexcept {
  return f.header_size + (f.payload ? f.payload->size() : 0);
}

// Copies `f` (header, then payload) to `out`, which has room for frame_size(f) bytes. Rather
// than join_small_write(), which does the same for any pieces: here the header's copy (under 15
// bytes) is inlined, where join_small_write() calls memcpy() for it, ~20 instructions per echoed
// message more (callgrind).
void join_frame(const out_frame_t& f, char* out) noexcept {
  std::memcpy(out, f.header.data(), f.header_size);
  if (f.payload && !f.payload->empty())
    std::memcpy(out + f.header_size, f.payload->data(), f.payload->size());
}
}  // namespace

void ws_connection_t::start_write() {
  // Writes go straight to the socket; only a full socket makes them wait for on_writable(), and
  // a batched write in flight for its result.
  if (write_blocked_ || batched_write_in_flight_ || write_failed_ || socket_closed_) return;
  if (!busy_) return;  // nothing to write
  if (batches_io_ && poller_->collecting_writes() && busy_->queued_bytes <= max_batched_write) {
    // The poller writes for every connection of its batch at once, at the batch's end. Only
    // small writes wait: a large one gains little from sharing a system call, and holding the
    // payloads of a whole batch of large messages at once would cost memory (and page faults).
    if (!flush_queued_) {
      flush_queued_ = true;
      poller_->want_flush(this);
    }
    return;
  }
  if (out_frame_t* f = lone_frame()) {
    // The common case, one frame and nothing in flight: sent from where it is, without the
    // queue swap and iovec list (a third of the write path's instructions).
    if (!send_single_frame(*f)) return;
  }
  while (load_next_write()) {
    const ssize_t sent = send_pending();
    if (!after_send(sent, sent < 0 ? errno : 0)) return;
  }
}

out_frame_t* ws_connection_t::lone_frame() noexcept {
  // Nothing in flight: `writing` is empty (and so its iovec list is spent).
  busy_state_t& b = *busy_;
  if (b.queue.size() != 1 || !b.writing.empty() || b.queue.front().cb) return nullptr;
  return &b.queue.front();
}

// Inlined: the plain write path's common end.
__attribute__((always_inline)) inline void ws_connection_t::lone_frame_sent() noexcept {
  busy_state_t& b = *busy_;
  if (b.queue.size() != 1) {  // frames queued after it while it was in flight (batched)
    b.queued_bytes -= frame_size(b.queue.front());
    recycle(std::move(b.queue.front().payload));
    b.queue.erase(b.queue.begin());
    return;
  }
  recycle(std::move(b.queue.front().payload));
  b.queue.clear();
  b.queued_bytes = 0;
}

bool ws_connection_t::send_single_frame(out_frame_t& f) {
  const std::size_t total = frame_size(f);
  ssize_t sent;
  if (total <= max_joined_write) {
    const auto buffer = thread_write_buffer();
    join_frame(f, buffer.data());
    sent = ::send(fd, buffer.data(), total, MSG_NOSIGNAL);
  } else {
    const std::size_t payload_size = total - f.header_size;
    const std::array<iovec, 2> pieces{iovec{f.header.data(), f.header_size},
                                      iovec{const_cast<char*>(f.payload->data()), payload_size}};
    sent = send_pieces(f.header_size != 0 ? std::span{pieces} : std::span{pieces}.subspan(1));
  }
  if (sent >= 0 && static_cast<std::size_t>(sent) == total) {
    lone_frame_sent();
    return false;
  }
  // Short, blocked or failed: the general path takes the frame over from what was sent.
  const int err = sent < 0 ? errno : 0;
  if (sent < 0 && err == EINTR) return true;
  load_next_write();
  return after_send(sent, err);
}

bool ws_connection_t::load_next_write() {
  if (!busy_) return false;
  busy_state_t& b = *busy_;
  if (b.iov_pos != b.iov.size()) return true;
  finish_written();
  if (b.queue.empty()) return false;
  std::swap(b.writing, b.queue);  // both keep their allocations
  b.queued_bytes = 0;
  b.iov.clear();
  b.iov_pos = 0;
  for (auto& f : b.writing) {
    if (f.header_size) b.iov.push_back({f.header.data(), f.header_size});
    if (f.payload && !f.payload->empty())
      b.iov.push_back({const_cast<char*>(f.payload->data()), f.payload->size()});
  }
  return true;
}

bool ws_connection_t::after_send(ssize_t sent, int err) {
  if (sent < 0) {
    if (err == EINTR) return true;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      write_blocked_ = true;
      busy_->write_started = std::chrono::steady_clock::now();
      arm_write_watchdog();
      return false;
    }
    on_write_error(err);
    return false;
  }
  busy_state_t& b = *busy_;
  restws::detail::drop_sent(b.iov, b.iov_pos, static_cast<std::size_t>(sent));
  return true;
}

std::span<const iovec> ws_connection_t::next_write() {
  flush_queued_ = false;
  if (write_blocked_ || write_failed_ || socket_closed_ || !load_next_write()) {
    rest();  // the poller holds nothing of ours
    return {};
  }
  const busy_state_t& b = *busy_;
  batched_write_in_flight_ = true;
  return {b.iov.data() + b.iov_pos, std::min<std::size_t>(b.iov.size() - b.iov_pos, IOV_MAX)};
}

std::size_t ws_connection_t::join_single_frame(std::span<char> slot) noexcept {
  if (write_blocked_ || write_failed_ || socket_closed_ || !busy_) return 0;
  const out_frame_t* f = lone_frame();
  if (!f || frame_size(*f) > slot.size()) return 0;
  join_frame(*f, slot.data());
  flush_queued_ = false;
  batched_write_in_flight_ = true;
  return frame_size(*f);
}

void ws_connection_t::on_batched_single_write(int result, std::size_t size) {
  batched_write_in_flight_ = false;
  if (socket_closed_) return;
  if (result >= 0 && static_cast<std::size_t>(result) == size) {
    // Sent whole, as send_single_frame() does it. Frames queued meanwhile (by a handler that
    // another connection's result ran) are written next.
    lone_frame_sent();
    if (!busy_->queue.empty()) start_write();
  } else if (result == -ECANCELED) {  // never submitted: written with plain system calls
    start_write();
  } else {
    // Short, blocked or failed: the general path takes the frame over from what was sent.
    load_next_write();
    if (after_send(result < 0 ? -1 : result, result < 0 ? -result : 0)) start_write();
  }
  rest();
}

void ws_connection_t::on_batched_write(int result) {
  batched_write_in_flight_ = false;
  if (socket_closed_) return;
  if (result == -ECANCELED) {  // never submitted (ws_poller_t): write with plain system calls
    start_write();
  } else if (after_send(result < 0 ? -1 : result, result < 0 ? -result : 0)) {
    start_write();
  }
  rest();
}

ssize_t ws_connection_t::send_pending() {
  const busy_state_t& b = *busy_;
  return send_pieces({b.iov.data() + b.iov_pos, b.iov.size() - b.iov_pos});
}

ssize_t ws_connection_t::send_pieces(std::span<const iovec> pieces) {
  return restws::detail::send_pieces(fd, pieces);
}

void ws_connection_t::finish_written() {
  // Completion callbacks never run inside send_message() (a caller may hold a lock they take):
  // they are posted, and only when there is one.
  std::vector<out_frame_t>& writing = busy_->writing;
  bool any = false;
  for (auto& f : writing) {
    recycle(std::move(f.payload));
    any = any || static_cast<bool>(f.cb);
  }
  if (!any) {
    writing.clear();  // keeps the allocation
    return;
  }
  std::vector<write_status_cb_t> callbacks;
  for (auto& f : writing)
    if (f.cb) callbacks.push_back(std::move(f.cb));
  writing.clear();
  asio::post(io(), [self = connection_ref_t{this}, callbacks = std::move(callbacks)] {
    for (const auto& cb : callbacks) {
      try {
        cb(std::error_code{});
      } catch (...) {
      }
    }
  });
}

void ws_connection_t::on_writable() {
  if (!write_blocked_) return;
  write_blocked_ = false;
  start_write();
  rest();
}

void ws_connection_t::on_write_error(int error) {
  // The peer is gone. Close from a handler of its own, not inside the send_message() or the
  // parse that wrote.
  write_failed_ = true;
  config_->logger->trace([&] {
    return "ws [" + std::to_string(connection_id_) +
           "]: write failed: " + std::error_code{error, std::system_category()}.message();
  });
  asio::post(io(), [self = connection_ref_t{this}] { self->close_socket(); });
}

void ws_connection_t::arm_write_watchdog() {
  if (write_timer_armed_ || socket_closed_) return;
  asio::steady_timer& t = timer(timers().write);
  write_timer_armed_ = true;
  t.expires_after(config_->write_timeout);
  // A reference until it runs: close_socket() cancels it, the io_context's end destroys it.
  t.async_wait([self = connection_ref_t{this}](const std::error_code& ec) {
    self->write_timer_armed_ = false;
    if (ec || self->socket_closed_ || !self->write_blocked_) return;
    if (std::chrono::steady_clock::now() - self->busy_->write_started >=
        self->config_->write_timeout) {
      self->config_->logger->warn([&] {
        return "ws [" + std::to_string(self->connection_id_) + "]: write timed out, dropping";
      });
      self->close_socket(status_code_t::internal_error, "write timeout");
    } else {
      self->arm_write_watchdog();
    }
  });
}

// ---- closing -----------------------------------------------------------------------------

void ws_connection_t::send_close(status_code_t code, std::string_view reason) {
  send_closed_.store(true, std::memory_order_release);
  queue_frame(final_frame_flag_t::final_frame, opcode_t::connection_close_frame,
              message_t::make_payload(close_payload(code, reason)),
              [this](const std::error_code& ec) {
                if (!ec) finish_after_close_sent();
              });
  arm_close_timer();
}

void ws_connection_t::finish_after_close_sent() {
  // A write that succeeded just before a kill completes afterwards: the socket and timers are
  // gone then and must not come back (they would outlive the io_context).
  if (socket_closed_) return;
  close_written_ = true;
  arm_close_timer();
  if (!activated_) {
    close_socket();  // nobody reads this connection: no close answer can be seen
    return;
  }
  if (!(close_received_ || failed_) || shut_down_send_) return;
  // Handshake complete (or the connection failed): the server closes TCP first (RFC 6455 §7.1.1).
  // Half-close and drain until the peer's FIN, so that our close frame is not lost to a reset.
  shut_down_send_ = true;
  ::shutdown(fd, SHUT_WR);
  start_read();
}

void ws_connection_t::fail(status_code_t code, std::string_view reason) {
  config_->logger->warn([&] {
    return "ws [" + std::to_string(connection_id_) + "]: bad frame from " +
           remote_endpoint_.address().to_string() + ", closing with " +
           std::to_string(static_cast<int>(code)) + ": " + std::string{reason};
  });
  failed_ = true;
  if (!send_closed_.load(std::memory_order_relaxed)) send_close(code, reason);
  notify_closed(code, reason);
}

void ws_connection_t::arm_close_timer() {
  if ((timers_ && timers_->close) || socket_closed_) return;
  asio::steady_timer& t = timer(timers().close);
  t.expires_after(config_->close_timeout);
  t.async_wait([self = connection_ref_t{this}](const std::error_code& ec) {
    if (!ec) self->close_socket();
  });
}

void ws_connection_t::close_socket(status_code_t code, std::string_view reason) {
  if (socket_closed_) return;
  // Destroy, not only close, everything bound to the io_context: handles may outlive the server
  // and its io_context, and must then touch nothing of it.
  if (registered_) poller_->remove(this);  // releases us later, never here
  mark_socket_closed();
  timers_.reset();  // their handlers run with operation_aborted and drop their references
  std::vector<out_frame_t> unsent;
  if (busy_) {
    // The state itself goes at the next rest(): a caller up the stack may be parsing its buffer.
    busy_state_t& b = *busy_;
    b.iov.clear();
    b.iov_pos = 0;
    unsent = std::exchange(b.writing, {});
    for (auto& f : std::exchange(b.queue, {})) unsent.push_back(std::move(f));
    b.queued_bytes = 0;
  }
  for (auto& f : unsent)
    if (f.cb) {
      try {
        f.cb(asio::error::operation_aborted);
      } catch (...) {
      }
    }
  if (!close_notified_) notify_closed(code, reason);
  release_handler();
  // Our own handle goes last: the handler above still got one with the close. If it was the last
  // handle, its deleter finds the connection detached and sends nothing.
  drop_owner();
  rest();
}

void ws_connection_t::mark_socket_closed() noexcept {
  registered_ = false;
  socket_closed_ = true;
  send_closed_.store(true, std::memory_order_release);
  detached_.store(true, std::memory_order_release);
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void ws_connection_t::detach_from_poller() noexcept {
  mark_socket_closed();
  poller_ = nullptr;  // going away: our busy state must not go back to its pool
  busy_.reset();
  try {
    release_handler();  // its captures may hold handles to this connection
  } catch (...) {
  }
  drop_owner();
}

void ws_connection_t::notify_closed(status_code_t code, std::string_view reason) {
  if (close_notified_) return;
  close_notified_ = true;
  deliver(final_frame_flag_t::final_frame, opcode_t::connection_close_frame,
          close_payload(code, reason));
}

}  // namespace restws::websocket::basic::detail
