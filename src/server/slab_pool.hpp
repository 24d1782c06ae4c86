#pragma once
// slab_pool_t: memory for many objects of one size, kept apart from the general heap.
//
// Why: a WebSocket outlives the HTTP exchange that opened it, whose blocks (several times its
// size) are freed at the upgrade. From malloc, each long-lived block lands among those freed ones
// and pins them: 10 000 idle WebSockets kept ~76 bytes each of such holes resident. Here objects
// of one kind are packed into slabs mapped for them (no per-object header either), pages are
// touched only as slots are first used, and a slab that empties goes back to the system (one
// is kept). Connections (WebSocket and HTTP) and HTTP read buffers come from such pools.
//
// Thread-safe: objects are made on reactor threads and freed wherever their last reference
// goes. One mutex, taken once per allocation and per free (never per message).

#include <cstddef>
#include <memory>
#include <mutex>
#include <type_traits>

// Under AddressSanitizer objects are heap blocks of their own, so that a use after free is
// caught (a pool hands a slot out again at once): users of a pool check RESTWS_SLAB_POOLS.
#if defined(__SANITIZE_ADDRESS__)
#define RESTWS_SLAB_POOLS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RESTWS_SLAB_POOLS 0
#endif
#endif
#ifndef RESTWS_SLAB_POOLS
#define RESTWS_SLAB_POOLS 1
#endif

namespace restws::detail {

class slab_pool_t {
 public:
  /// Slots of `object_size` bytes rounded up to `alignment` (a power of two, at least that of a
  /// pointer), in slabs of `slab_size` bytes (a power of two, a multiple of the page size).
  explicit slab_pool_t(std::size_t object_size, std::size_t slab_size = 64 * 1024,
                       std::size_t alignment = 16);
  ~slab_pool_t();  ///< returns every slab, whatever is still in it
  slab_pool_t(const slab_pool_t&) = delete;
  slab_pool_t& operator=(const slab_pool_t&) = delete;

  /// A slot. Throws std::bad_alloc if the system has no memory to map.
  void* allocate();
  /// Gives back a slot from allocate() of this pool.
  void deallocate(void* p) noexcept;

  std::size_t slot_size() const noexcept { return slot_size_; }
  std::size_t slots_per_slab() const noexcept { return slots_per_slab_; }
  /// Slabs mapped now (for tests and statistics).
  std::size_t slab_count() const;

 private:
  struct slab_t;
  slab_t* new_slab();
  void unlink(slab_t* s) noexcept;
  void link_front(slab_t* s) noexcept;

  const std::size_t slab_size_;
  const std::size_t slot_size_;
  const std::size_t first_slot_;  ///< offset of slot 0 in a slab (after its header)
  const std::size_t slots_per_slab_;
  mutable std::mutex mutex_;
  slab_t* partial_ = nullptr;  ///< slabs with a free slot (doubly linked)
  slab_t* full_ = nullptr;     ///< slabs without (doubly linked)
  std::size_t slabs_ = 0;
  std::size_t empty_slabs_ = 0;  ///< slabs in partial_ with no slot in use (at most one kept)
};

/// A stateless allocator (for std::allocate_shared, containers): a block of exactly
/// `PooledBytes` bytes (0: one T) comes from a slab_pool_t kept for that size (one per
/// allocator type, never destroyed); any other block from the heap.
template <typename T, std::size_t SlabSize = 64 * 1024, std::size_t PooledBytes = 0>
struct pooled_allocator_t {
  using value_type = T;
  template <typename U>
  struct rebind {
    // To another type: pools single objects of it (std::allocate_shared's control block).
    using other = pooled_allocator_t<U, SlabSize, std::is_same_v<U, T> ? PooledBytes : 0>;
  };

  pooled_allocator_t() noexcept = default;
  template <typename U, std::size_t B>
  pooled_allocator_t(const pooled_allocator_t<U, SlabSize, B>&) noexcept {}  // NOLINT: implicit

  static constexpr std::size_t pooled_bytes() noexcept {
    return PooledBytes == 0 ? sizeof(T) : PooledBytes;
  }
  static slab_pool_t& pool() {
    static slab_pool_t* const p = new slab_pool_t{
        pooled_bytes(), SlabSize, alignof(T) < sizeof(void*) ? sizeof(void*) : alignof(T)};
    return *p;
  }
  T* allocate(std::size_t n) {
    if (RESTWS_SLAB_POOLS && n * sizeof(T) == pooled_bytes())
      return static_cast<T*>(pool().allocate());
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (RESTWS_SLAB_POOLS && n * sizeof(T) == pooled_bytes())
      pool().deallocate(p);
    else
      std::allocator<T>{}.deallocate(p, n);
  }
  template <typename U, std::size_t B>
  bool operator==(const pooled_allocator_t<U, SlabSize, B>&) const noexcept {
    return true;
  }
};

}  // namespace restws::detail
