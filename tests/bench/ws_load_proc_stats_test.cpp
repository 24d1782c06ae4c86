#include <gtest/gtest.h>
#include <unistd.h>

#include "proc_stats.hpp"

namespace ws_load {
namespace {

TEST(ws_load_proc_stats, reads_cpu_time_and_memory_of_a_live_process) {
  volatile unsigned long spin = 0;
  for (unsigned long i = 0; i < 50'000'000; ++i) spin = spin + i;  // bounded: some CPU time
  const auto cpu = process_cpu_seconds(getpid());
  ASSERT_TRUE(cpu);
  EXPECT_GT(*cpu, 0.0);
  const auto rss = process_memory_kib(getpid(), "VmRSS");
  const auto peak = process_memory_kib(getpid(), "VmHWM");
  ASSERT_TRUE(rss);
  ASSERT_TRUE(peak);
  EXPECT_GT(*rss, 0u);
  EXPECT_GE(*peak, *rss);
}

TEST(ws_load_proc_stats, gives_nothing_for_a_missing_process_or_field) {
  EXPECT_FALSE(process_cpu_seconds(0x3FFFFFFF));
  EXPECT_FALSE(process_memory_kib(0x3FFFFFFF, "VmRSS"));
  EXPECT_FALSE(process_memory_kib(getpid(), "NoSuchField"));
  EXPECT_FALSE(process_memory_kib(getpid(), "VmRS"));  // a prefix of a field is not the field
}

}  // namespace
}  // namespace ws_load
