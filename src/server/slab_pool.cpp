#include "slab_pool.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <stdexcept>

namespace restws::detail {
namespace {
constexpr std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }
}  // namespace

// At the start of every slab (slabs are aligned to slab_size_, so a slot finds its slab by
// masking its address).
struct slab_pool_t::slab_t {
  slab_t* prev = nullptr;
  slab_t* next = nullptr;
  void* free = nullptr;        ///< freed slots, linked through their first word
  std::size_t used = 0;        ///< slots handed out
  std::size_t never_used = 0;  ///< index of the first slot never handed out (pages untouched)
};

slab_pool_t::slab_pool_t(std::size_t object_size, std::size_t slab_size, std::size_t alignment)
    : slab_size_{slab_size},
      slot_size_{round_up(object_size < sizeof(void*) ? sizeof(void*) : object_size, alignment)},
      first_slot_{round_up(sizeof(slab_t), alignment)},
      slots_per_slab_{slab_size > first_slot_ ? (slab_size - first_slot_) / slot_size_ : 0} {
  if (slab_size_ < 4096 || (slab_size_ & (slab_size_ - 1)) != 0 || alignment < sizeof(void*) ||
      (alignment & (alignment - 1)) != 0 || slots_per_slab_ == 0)
    throw std::invalid_argument{"slab_pool_t: bad slab or object size"};
}

slab_pool_t::~slab_pool_t() {
  for (slab_t* list : {partial_, full_}) {
    while (list) {
      slab_t* s = list;
      list = s->next;
      ::munmap(s, slab_size_);
    }
  }
}

std::size_t slab_pool_t::slab_count() const {
  const std::lock_guard lock{mutex_};
  return slabs_;
}

slab_pool_t::slab_t* slab_pool_t::new_slab() {
  // Map twice the size and keep the aligned half: the kernel gives page alignment only.
  void* raw =
      ::mmap(nullptr, 2 * slab_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc{};
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = round_up(start, slab_size_);
  if (aligned > start) ::munmap(raw, aligned - start);
  const std::uintptr_t end = start + 2 * slab_size_;
  if (end > aligned + slab_size_)
    ::munmap(reinterpret_cast<void*>(aligned + slab_size_), end - aligned - slab_size_);
  ++slabs_;
  return new (reinterpret_cast<void*>(aligned)) slab_t{};
}

void slab_pool_t::unlink(slab_t* s) noexcept {
  if (s->prev) s->prev->next = s->next;
  if (s->next) s->next->prev = s->prev;
  if (partial_ == s) partial_ = s->next;
  if (full_ == s) full_ = s->next;
  s->prev = s->next = nullptr;
}

void slab_pool_t::link_front(slab_t* s) noexcept {
  slab_t*& head = s->used == slots_per_slab_ ? full_ : partial_;
  s->prev = nullptr;
  s->next = head;
  if (head) head->prev = s;
  head = s;
}

void* slab_pool_t::allocate() {
  const std::lock_guard lock{mutex_};
  slab_t* s = partial_;
  if (!s) {
    s = new_slab();
    link_front(s);
    ++empty_slabs_;
  }
  void* slot;
  if (s->free) {
    slot = s->free;
    s->free = *static_cast<void**>(slot);
  } else {
    slot = reinterpret_cast<std::byte*>(s) + first_slot_ + s->never_used * slot_size_;
    ++s->never_used;
  }
  if (s->used++ == 0) --empty_slabs_;
  if (s->used == slots_per_slab_) {
    unlink(s);
    link_front(s);  // into full_
  }
  return slot;
}

void slab_pool_t::deallocate(void* p) noexcept {
  if (!p) return;
  auto* s = reinterpret_cast<slab_t*>(reinterpret_cast<std::uintptr_t>(p) & ~(slab_size_ - 1));
  const std::lock_guard lock{mutex_};
  *static_cast<void**>(p) = s->free;
  s->free = p;
  if (s->used-- == slots_per_slab_) {
    unlink(s);
    link_front(s);  // back into partial_
  }
  if (s->used != 0) return;
  if (empty_slabs_ == 0) {
    ++empty_slabs_;  // kept: a server at rest should not map and unmap a slab per connection
    return;
  }
  unlink(s);
  --slabs_;
  ::munmap(s, slab_size_);
}

}  // namespace restws::detail
