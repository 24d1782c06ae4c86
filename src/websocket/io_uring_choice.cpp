#include "io_uring_choice.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace restws::websocket::basic::detail {
namespace {

std::chrono::nanoseconds measure_system_call() noexcept {
  using clock = std::chrono::steady_clock;
  constexpr int runs = 8;
  constexpr int calls = 64;
  auto best = clock::duration::max();
  for (int run = 0; run < runs; ++run) {
    const auto start = clock::now();
    // getppid: no argument, no side effect, never cached by the C library.
    for (int i = 0; i < calls; ++i) static_cast<void>(::syscall(SYS_getppid));
    best = std::min(best, clock::now() - start);
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(best) / calls;
}

}  // namespace

std::chrono::nanoseconds system_call_cost() noexcept {
  static const std::chrono::nanoseconds cost = measure_system_call();
  return cost;
}

std::chrono::nanoseconds system_call_cost_logged(abstract_logger_t& logger,
                                                 std::atomic<bool>& logged, std::string_view prefix,
                                                 std::string_view connections,
                                                 std::string_view setting) {
  const auto cost = system_call_cost();
  if (!logged.exchange(true, std::memory_order_relaxed)) {
    logger.info([&] {
      std::string m{prefix};
      m += ": a system call takes " + std::to_string(cost.count()) + " ns here, so ";
      m += connections;
      m += cost >= dear_system_call ? " batch reads and writes through io_uring"
                                    : " use plain system calls";
      m += " (";
      m += setting;
      m += " automatic: io_uring from " + std::to_string(dear_system_call.count()) + " ns)";
      return m;
    });
  }
  return cost;
}

}  // namespace restws::websocket::basic::detail
