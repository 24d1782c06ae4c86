#include <array>
#include <memory>
#include <string>

#include "ws_connection.hpp"
#include "ws_poller.hpp"

namespace restws::websocket::basic::detail {
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
  static constexpr std::size_t max_payload_capacity = max_recycled_payload_capacity;
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

busy_state_t& ws_connection_t::take_busy() {
  ws_poller_t::busy_pool_t* pool = poller_ ? &poller_->busy_pool : nullptr;
  if (!pool || !pool->first) {
    if (pool && pool->limit < ws_poller_t::busy_pool_t::max_kept) ++pool->limit;
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
  if (!pool || pool->count >= pool->limit) {
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

}  // namespace restws::websocket::basic::detail
