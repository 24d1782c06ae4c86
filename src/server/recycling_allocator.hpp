#pragma once
// recycling_allocator_t: a stateless allocator (for std::allocate_shared) for objects a reactor
// thread makes and drops at a high rate, such as requests. A single object's block freed on a
// thread is kept in that thread's short list and handed out again there, which spares malloc
// and free (about a hundred instructions per request). The blocks are plain operator new
// blocks, so one freed on another thread is simply kept (or deleted) there.
//
// Under AddressSanitizer (RESTWS_SLAB_POOLS is 0) nothing is kept, so that a use after free is
// still caught.

#include <cstddef>
#include <new>

#include "slab_pool.hpp"  // RESTWS_SLAB_POOLS

namespace restws::detail {

template <typename T, std::size_t Keep = 32>
struct recycling_allocator_t {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = recycling_allocator_t<U, Keep>;
  };

  recycling_allocator_t() noexcept = default;
  template <typename U>
  recycling_allocator_t(const recycling_allocator_t<U, Keep>&) noexcept {}  // NOLINT: implicit

  T* allocate(std::size_t n) {
    if (RESTWS_SLAB_POOLS && n == 1) {
      cache_t& c = cache();
      if (c.head != nullptr) {
        node_t* const node = c.head;
        c.head = node->next;
        --c.count;
        return static_cast<T*>(static_cast<void*>(node));
      }
    }
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (RESTWS_SLAB_POOLS && n == 1) {
      cache_t& c = cache();
      if (c.alive && c.count < Keep) {
        c.head = ::new (static_cast<void*>(p)) node_t{c.head};
        ++c.count;
        return;
      }
    }
    ::operator delete(p);
  }
  template <typename U>
  bool operator==(const recycling_allocator_t<U, Keep>&) const noexcept {
    return true;
  }

 private:
  struct node_t {
    node_t* next;
  };
  static_assert(sizeof(T) >= sizeof(node_t) && alignof(T) <= alignof(std::max_align_t));
  struct cache_t {
    node_t* head = nullptr;
    std::size_t count = 0;
    bool alive = true;  ///< false once the thread's cache is gone (blocks freed later are deleted)
    ~cache_t() {
      alive = false;
      while (head != nullptr) {
        node_t* const node = head;
        head = node->next;
        ::operator delete(static_cast<void*>(node));
      }
    }
  };
  static cache_t& cache() noexcept {
    thread_local cache_t c;
    return c;
  }
};

}  // namespace restws::detail
