#pragma once
// One batch of non-blocking io_uring operations, submitted and collected: shared by the pollers
// of HTTP connections (fd_poller_t) and of WebSockets (ws_poller_t). Private to the library.

#if RESTWS_HAVE_IO_URING

#include <liburing.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>
#include <span>
#include <system_error>

namespace restws::detail {

/// Sets up `ring` with `entries` entries if the kernel has every operation of `ops`: kernels
/// before 5.6 have rings but not IORING_OP_RECV or IORING_OP_SEND (each would fail with EINVAL).
/// False and `ec` otherwise, with nothing left to tear down.
inline bool init_ring(io_uring& ring, unsigned entries, std::initializer_list<int> ops,
                      std::error_code& ec) {
  const int r = io_uring_queue_init(entries, &ring, 0);
  if (r < 0) {
    ec = std::error_code{-r, std::system_category()};
    return false;
  }
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  bool supported = probe != nullptr;
  for (const int op : ops) supported = supported && io_uring_opcode_supported(probe, op);
  if (probe) io_uring_free_probe(probe);
  if (!supported) {
    io_uring_queue_exit(&ring);
    ec = std::make_error_code(std::errc::function_not_supported);
    return false;
  }
  return true;
}

/// Submits the `results.size()` operations prepared on `ring` (each with its index as
/// user_data) and collects their results by index. Every operation is non-blocking, so all
/// complete within the submission. One that could not be submitted reports -ECANCELED: the
/// caller then does it with a plain system call. If the kernel refuses a submission, `broken` is
/// set, and from then on nothing is submitted (stale operations may still be queued).
inline void submit_batch(io_uring& ring, std::span<int> results, bool& broken) {
  std::fill(results.begin(), results.end(), -ECANCELED);
  if (broken) return;
  const auto count = static_cast<unsigned>(results.size());
  unsigned done = 0;
  while (done < count) {
    const int r = io_uring_submit_and_wait(&ring, count - done);
    if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
      broken = true;
      return;
    }
    io_uring_cqe* cqe = nullptr;
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      if (cqe->user_data < count) results[cqe->user_data] = cqe->res;
      ++seen;
    }
    io_uring_cq_advance(&ring, seen);
    done += seen;
  }
}

}  // namespace restws::detail

#endif
