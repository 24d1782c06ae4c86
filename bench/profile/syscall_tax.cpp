// syscall_tax N COMMAND [ARGS...]: runs COMMAND with every system call it makes dearer, to see how
// a server behaves on a host where system calls cost more (kernel page-table isolation, a
// paravirtualised guest) without such a host.
//
// It installs a seccomp filter of N comparisons on the call's first argument (so the kernel
// cannot cache the filter's verdict) that allows everything, then execs COMMAND. Each system call
// entry runs the filter; operations that io_uring performs inside one io_uring_enter() do not.
// On the AMD EPYC VM of docs/benchmarks.md a getppid() took 150 ns bare, and 226 / 424 / 673 /
// 1088 ns with N = 0 / 1000 / 2000 / 4000. Linux only; needs no privilege (no_new_privs is set).
// N = none installs no filter. syscall_tax N --measure: prints what a getppid() costs under that
// filter (the least of 8 runs of 64 calls, as io_uring_mode_t::automatic measures it), in ns.

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

long long null_system_call_ns() {
  using clock = std::chrono::steady_clock;
  auto best = clock::duration::max();
  for (int run = 0; run < 8; ++run) {
    const auto start = clock::now();
    for (int i = 0; i < 64; ++i) static_cast<void>(::syscall(SYS_getppid));
    best = std::min(best, clock::now() - start);
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(best).count() / 64;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: syscall_tax N|none COMMAND [ARGS...] | --measure   (0 <= N <= 4000)\n");
    return 2;
  }
  // N = "none": no filter (the bare machine, for comparison).
  if (std::string_view{argv[1]} != "none") {
    char* end = nullptr;
    const long n = std::strtol(argv[1], &end, 10);
    if (*end != '\0' || n < 0 || n > 4000) {
      std::fprintf(stderr, "syscall_tax: N must be 0 to 4000, or none\n");
      return 2;
    }
    std::vector<sock_filter> filter;
    filter.push_back(sock_filter{BPF_LD | BPF_W | BPF_ABS, 0, 0,
                                 static_cast<unsigned>(offsetof(seccomp_data, args))});
    for (long i = 0; i < n; ++i)  // compares the argument, goes on to the next either way
      filter.push_back(sock_filter{BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0xdeadbeefu + unsigned(i)});
    filter.push_back(sock_filter{BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW});
    sock_fprog program{static_cast<unsigned short>(filter.size()), filter.data()};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
      std::perror("syscall_tax: seccomp");
      return 1;
    }
  }
  if (std::string_view{argv[2]} == "--measure") {
    std::printf("%lld\n", null_system_call_ns());
    return 0;
  }
  ::execvp(argv[2], argv + 2);
  std::perror("syscall_tax: exec");
  return 127;
}
