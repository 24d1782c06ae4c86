#pragma once
// The reactor thread's buffer for joining a few small pieces into one send() (HTTP responses,
// WebSocket frames): the kernel's sendmsg() path (iovec import, a copy per piece) costs more than
// a memcpy of a few KiB. One per thread, shared by the HTTP and WebSocket paths, made on first use.

#include <cstddef>
#include <span>
#include <vector>

namespace restws::detail {

inline constexpr std::size_t join_buffer_size = 16 * 1024;

inline std::span<char> thread_join_buffer() {
  thread_local std::vector<char> buffer(join_buffer_size);
  return buffer;
}

}  // namespace restws::detail
