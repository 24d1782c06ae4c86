// io_uring_mode_t::automatic's choice (src/websocket/io_uring_choice.hpp).

#include "websocket/io_uring_choice.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace {
namespace rws = restws::websocket::basic;
using rws::io_uring_mode_t;
using rws::detail::dear_system_call;
using rws::detail::system_call_cost;
using rws::detail::wants_io_uring;
using namespace std::chrono_literals;

TEST(io_uring_choice, on_and_off_ignore_the_machine) {
  int asked = 0;
  auto cost = [&] {
    ++asked;
    return 10s;
  };
  EXPECT_TRUE(wants_io_uring(io_uring_mode_t::on, cost));
  EXPECT_FALSE(wants_io_uring(io_uring_mode_t::off, cost));
  EXPECT_EQ(asked, 0);  // nothing measured for a mode the user chose
}

TEST(io_uring_choice, automatic_batches_from_300_ns_per_system_call) {
  EXPECT_EQ(dear_system_call, 300ns);
  EXPECT_FALSE(wants_io_uring(io_uring_mode_t::automatic, [] { return 150ns; }));
  EXPECT_FALSE(wants_io_uring(io_uring_mode_t::automatic, [] { return 299ns; }));
  EXPECT_TRUE(wants_io_uring(io_uring_mode_t::automatic, [] { return 300ns; }));
  EXPECT_TRUE(wants_io_uring(io_uring_mode_t::automatic, [] { return 1100ns; }));
}

TEST(io_uring_choice, the_cost_is_measured_once_per_process) {
  const auto first = system_call_cost();
  EXPECT_GT(first, 0ns);
  EXPECT_LT(first, 1ms);  // a null system call, even on a slow virtual machine
  EXPECT_EQ(system_call_cost(), first);
  std::chrono::nanoseconds other{};
  std::thread t{[&] { other = system_call_cost(); }};
  t.join();
  EXPECT_EQ(other, first);
}

}  // namespace
