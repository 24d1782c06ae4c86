#pragma once
// io_uring_mode_t: how a connection's reads and writes reach the kernel (server_settings_t::
// io_uring for HTTP connections, ws_settings_t::io_uring for WebSockets).

#include <cstdint>

namespace restws {

enum class io_uring_mode_t : std::uint8_t {
  /// Plain system calls: one recv() and one send() per ready connection.
  off,
  /// Batched through io_uring wherever the build and the kernel allow it.
  on,
  /// `on` where a system call is dear, else `off`. The first connection of the process that asks
  /// times a null system call (the least of 8 runs of 64 getppid() calls: under a millisecond
  /// even at 1 µs per call) and batches if it takes at least 300 ns. Measured
  /// (docs/benchmarks.md): with kernel page-table isolation in a paravirtualised guest (~1 µs
  /// per call) io_uring won every echo workload and cut HTTP's CPU per request by ~17 %; with
  /// system calls made dearer by a seccomp filter, it won or tied every small-message echo from
  /// ~350 ns; at 0.13–0.22 µs the two were level within the noise. The choice holds for the
  /// process and is logged once (info).
  automatic,
};

}  // namespace restws
