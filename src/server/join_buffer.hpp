#pragma once
// The reactor thread's buffer for joining a few small pieces into one send() (HTTP responses,
// WebSocket frames): the kernel's sendmsg() path (iovec import, a copy per piece) costs more than
// a memcpy of a few KiB. One per thread, shared by the HTTP and WebSocket paths, made on first use.

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

namespace restws::detail {

inline constexpr std::size_t join_buffer_size = 16 * 1024;
/// More pieces than this are not worth a copy loop: sendmsg() takes them.
inline constexpr std::size_t max_joined_pieces = 64;

inline std::span<char> thread_join_buffer() {
  thread_local std::vector<char> buffer(join_buffer_size);
  return buffer;
}

/// Copies `pieces` into `out` (room for join_buffer_size bytes) if they are 2 to
/// max_joined_pieces pieces of at most join_buffer_size bytes in all. Returns the bytes joined,
/// or 0 if they are not worth joining (send them with sendmsg()).
std::size_t join_small_write(std::span<const iovec> pieces, char* out) noexcept;

/// Drops the first `sent` bytes of pieces[pos..] after a (possibly short) send: `pos` moves past
/// the pieces sent whole, and a piece sent in part keeps only its rest.
inline void drop_sent(std::span<iovec> pieces, std::size_t& pos, std::size_t sent) noexcept {
  while (sent != 0 && pos < pieces.size()) {
    iovec& v = pieces[pos];
    if (sent >= v.iov_len) {
      sent -= v.iov_len;
      ++pos;
    } else {
      v.iov_base = static_cast<char*>(v.iov_base) + sent;
      v.iov_len -= sent;
      sent = 0;
    }
  }
}

/// send_pieces() for more than two pieces, or two too large to join.
ssize_t send_joined_or_gathered(int fd, std::span<const iovec> pieces) noexcept;

/// Sends `pieces` on the non-blocking stream socket `fd` with one system call: send() of a
/// single piece, or of the pieces joined in the thread's join buffer (join_small_write()), else
/// sendmsg() of at most IOV_MAX of them. Returns what that call returned (errno is kept).
inline ssize_t send_pieces(int fd, std::span<const iovec> pieces) noexcept {
  if (pieces.size() == 1) return ::send(fd, pieces[0].iov_base, pieces[0].iov_len, MSG_NOSIGNAL);
  if (pieces.size() == 2 && pieces[0].iov_len + pieces[1].iov_len <= join_buffer_size) {
    // The usual pair (a head and a small body, a frame header and its payload): two copies,
    // without join_small_write()'s loops (~70 instructions).
    char* const buffer = thread_join_buffer().data();
    std::memcpy(buffer, pieces[0].iov_base, pieces[0].iov_len);
    std::memcpy(buffer + pieces[0].iov_len, pieces[1].iov_base, pieces[1].iov_len);
    return ::send(fd, buffer, pieces[0].iov_len + pieces[1].iov_len, MSG_NOSIGNAL);
  }
  return send_joined_or_gathered(fd, pieces);
}

}  // namespace restws::detail
