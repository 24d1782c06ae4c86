#pragma once
// One batch of non-blocking io_uring operations, submitted and collected: shared by the pollers
// of HTTP connections (fd_poller_t) and of WebSockets (ws_poller_t). Private to the library.

#if RESTWS_HAVE_IO_URING

#include <liburing.h>

#include <algorithm>
#include <cerrno>
#include <span>

namespace restws::detail {

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
