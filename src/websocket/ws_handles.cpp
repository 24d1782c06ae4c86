#include <new>
#include <utility>

#include "ws_connection.hpp"

// The handles of a connection: ws_handle_t's control block lives in the connection's
// handle_slot_t, so a handle costs no allocation and an idle WebSocket no separate block.

namespace restws::websocket::basic::detail {
namespace {
using protocol::status_code_t;
}  // namespace

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

}  // namespace restws::websocket::basic::detail
