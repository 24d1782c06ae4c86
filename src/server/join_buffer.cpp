#include "join_buffer.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace restws::detail {

std::size_t join_small_write(std::span<const iovec> pieces, char* out) noexcept {
  if (pieces.size() < 2 || pieces.size() > max_joined_pieces) return 0;
  std::size_t total = 0;
  for (const auto& v : pieces) total += v.iov_len;
  if (total > join_buffer_size) return 0;
  for (const auto& v : pieces) {
    std::memcpy(out, v.iov_base, v.iov_len);
    out += v.iov_len;
  }
  return total;
}

ssize_t send_joined_or_gathered(int fd, std::span<const iovec> pieces) noexcept {
  char* const buffer = thread_join_buffer().data();
  if (const std::size_t joined = join_small_write(pieces, buffer))
    return ::send(fd, buffer, joined, MSG_NOSIGNAL);
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(pieces.data());
  msg.msg_iovlen = std::min<std::size_t>(pieces.size(), IOV_MAX);
  return ::sendmsg(fd, &msg, MSG_NOSIGNAL);
}

}  // namespace restws::detail
