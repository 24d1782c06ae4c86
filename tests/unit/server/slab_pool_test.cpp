// slab_pool_t: the memory of long-lived connections (src/websocket/slab_pool.hpp).

#include "server/slab_pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {
using restws::detail::slab_pool_t;

TEST(slab_pool, slots_are_distinct_aligned_and_writable) {
  slab_pool_t pool{184};
  EXPECT_EQ(pool.slot_size(), 192u);
  std::set<std::uintptr_t> seen;
  std::vector<void*> slots;
  for (std::size_t i = 0; i < 3 * pool.slots_per_slab() + 5; ++i) {
    void* p = pool.allocate();
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % 16, 0u);
    std::memset(p, static_cast<int>(i & 0xff), 184);
    slots.push_back(p);
    seen.insert(reinterpret_cast<std::uintptr_t>(p));
  }
  EXPECT_EQ(seen.size(), slots.size());
  // No slot overlaps another: each still holds what was written into it.
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const auto* b = static_cast<const unsigned char*>(slots[i]);
    EXPECT_EQ(b[0], i & 0xff);
    EXPECT_EQ(b[183], i & 0xff);
  }
  EXPECT_EQ(pool.slab_count(), 4u);
  for (void* p : slots) pool.deallocate(p);
}

TEST(slab_pool, empty_slabs_go_back_to_the_system_but_one) {
  slab_pool_t pool{100};
  std::vector<void*> slots;
  for (std::size_t i = 0; i < 4 * pool.slots_per_slab(); ++i) slots.push_back(pool.allocate());
  EXPECT_EQ(pool.slab_count(), 4u);
  for (void* p : slots) pool.deallocate(p);
  EXPECT_EQ(pool.slab_count(), 1u);
  // The kept slab serves again, without a new mapping.
  void* p = pool.allocate();
  EXPECT_EQ(pool.slab_count(), 1u);
  pool.deallocate(p);
}

TEST(slab_pool, small_slabs_hold_fewer_slots) {
  slab_pool_t pool{1025, 16 * 1024};
  EXPECT_EQ(pool.slot_size(), 1040u);
  EXPECT_EQ(pool.slots_per_slab(), 15u);
  void* a = pool.allocate();
  void* b = pool.allocate();
  // Both in one 16 KiB slab, which the pool finds again from either slot.
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) / (16 * 1024),
            reinterpret_cast<std::uintptr_t>(b) / (16 * 1024));
  pool.deallocate(a);
  pool.deallocate(b);
  EXPECT_EQ(pool.slab_count(), 1u);
}

TEST(slab_pool, refuses_bad_sizes) {
  EXPECT_THROW(slab_pool_t(64, 5000), std::invalid_argument);
  EXPECT_THROW(slab_pool_t(64, 1024), std::invalid_argument);
  EXPECT_THROW(slab_pool_t(8192, 4096), std::invalid_argument);
  EXPECT_THROW(slab_pool_t(64, 4096, 4), std::invalid_argument);
  EXPECT_THROW(slab_pool_t(64, 4096, 24), std::invalid_argument);
}

TEST(slab_pool, alignment_sets_the_slot_size) {
  slab_pool_t pool{184, 64 * 1024, 8};
  EXPECT_EQ(pool.slot_size(), 184u);
  void* p = pool.allocate();
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 8, 0u);
  pool.deallocate(p);
}

TEST(slab_pool, freed_slots_are_reused_before_new_ones) {
  slab_pool_t pool{64};
  void* a = pool.allocate();
  void* b = pool.allocate();
  pool.deallocate(a);
  EXPECT_EQ(pool.allocate(), a);
  pool.deallocate(b);
  pool.deallocate(a);
}

TEST(slab_pool, a_full_slab_takes_slots_again_once_one_is_freed) {
  slab_pool_t pool{256};
  std::vector<void*> slots;
  for (std::size_t i = 0; i < 2 * pool.slots_per_slab(); ++i) slots.push_back(pool.allocate());
  ASSERT_EQ(pool.slab_count(), 2u);
  void* freed = slots[3];  // in the first (full) slab
  pool.deallocate(freed);
  EXPECT_EQ(pool.allocate(), freed);
  EXPECT_EQ(pool.slab_count(), 2u);
  for (void* p : slots) pool.deallocate(p);
}

TEST(slab_pool, threads_allocate_and_free_concurrently) {
  slab_pool_t pool{184};
  constexpr int rounds = 2000;
  auto work = [&pool] {
    std::vector<void*> mine;
    for (int i = 0; i < rounds; ++i) {
      void* p = pool.allocate();
      *static_cast<std::uintptr_t*>(p) = reinterpret_cast<std::uintptr_t>(p);
      mine.push_back(p);
      if (i % 3 == 2) {
        pool.deallocate(mine.front());
        mine.erase(mine.begin());
      }
    }
    for (void* p : mine) {
      EXPECT_EQ(*static_cast<std::uintptr_t*>(p), reinterpret_cast<std::uintptr_t>(p));
      pool.deallocate(p);
    }
  };
  std::thread t1{work}, t2{work};
  t1.join();
  t2.join();
  EXPECT_EQ(pool.slab_count(), 1u);
}

}  // namespace

namespace restws::detail {
namespace {

struct widget_t {
  explicit widget_t(int v) : value{v} {}
  int value;
  char payload[200]{};
};

TEST(pooled_allocator, allocate_shared_takes_its_block_from_the_pool) {
  using alloc_t = pooled_allocator_t<widget_t, 16 * 1024>;
  auto a = std::allocate_shared<widget_t>(alloc_t{}, 1);
  auto b = std::allocate_shared<widget_t>(alloc_t{}, 2);
  EXPECT_EQ(a->value, 1);
  EXPECT_EQ(b->value, 2);
#if RESTWS_SLAB_POOLS
  // Both blocks (control block and widget) sit in one 16 KiB slab of the pool.
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.get()) / (16 * 1024),
            reinterpret_cast<std::uintptr_t>(b.get()) / (16 * 1024));
#endif
}

TEST(pooled_allocator, a_string_pools_only_blocks_of_its_pooled_size) {
  using alloc_t = pooled_allocator_t<char, 16 * 1024, 1025>;
  using string_t = std::basic_string<char, std::char_traits<char>, alloc_t>;
#if RESTWS_SLAB_POOLS
  const std::size_t slabs_before = alloc_t::pool().slab_count();
#endif
  string_t s;
  s.resize(1024);  // 1025 bytes with the terminating NUL: pooled
  s.assign(1024, 'x');
#if RESTWS_SLAB_POOLS
  EXPECT_GE(alloc_t::pool().slab_count(), std::max<std::size_t>(slabs_before, 1));
  const auto slab = reinterpret_cast<std::uintptr_t>(s.data()) / (16 * 1024);
  string_t t(1024, 'y');
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.data()) / (16 * 1024), slab);
#endif
  s.resize(4096, 'z');  // larger: from the heap, contents kept
  EXPECT_EQ(s.substr(0, 1024), string_t(1024, 'x'));
  EXPECT_EQ(s.back(), 'z');
}

}  // namespace
}  // namespace restws::detail
