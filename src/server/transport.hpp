#pragma once
// The byte stream under a connection: plain TCP, or TLS over it (tls_transport.hpp). Both the
// HTTP and the WebSocket connection read and write through these calls, written once for both
// transports. A connection holds a tls_transport_t pointer, null for plain TCP, so the plain path
// is today's system calls behind one predictable branch.
//
// Contract, the same for both transports:
//  - stream_recv() reads plaintext. `more` says whether the stream may still hold input that
//    this read did not take: then the caller reads again before it waits for an edge (the
//    socket's epoll registration is edge triggered). For plain TCP that is "the read filled the
//    space it was offered"; for TLS, also bytes decrypted or received and not yet returned.
//  - stream_send() sends plaintext pieces with one system call (at most) and returns the bytes
//    of the pieces it took, or -1 with errno (EAGAIN: the socket is full; wait for EPOLLOUT and
//    call again with the same bytes first: TLS may have encrypted some already).
//  - stream_flush() sends what the transport produced by itself (TLS handshake messages,
//    alerts, session tickets); called when the socket is writable again or after a read.

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstddef>
#include <span>

#include "join_buffer.hpp"

namespace restws::detail {

class tls_transport_t;

/// What a read of the stream gave.
struct stream_read_t {
  ssize_t got = 0;    ///< plaintext bytes, 0 at the end of input, -1 on an error
  int err = 0;        ///< errno when got < 0 (EAGAIN: nothing to read now)
  bool more = false;  ///< the stream may hold more input: read again before waiting for an edge
};

// TLS (tls_transport.cpp).
/// `input_ended`: the peer's end was reported (EPOLLRDHUP): read on to it, a short read does not
/// mean drained.
stream_read_t tls_recv(tls_transport_t& tls, int fd, char* data, std::size_t size,
                       bool input_ended) noexcept;
ssize_t tls_send(tls_transport_t& tls, int fd, std::span<const iovec> pieces) noexcept;
/// True if nothing the transport produced waits to be sent (false: a send failed, or the socket
/// is full; wait for EPOLLOUT).
bool tls_flush(tls_transport_t& tls, int fd) noexcept;
/// TLS's close_notify, sent as far as the socket takes it, before shutdown(SHUT_WR).
void tls_shutdown_send(tls_transport_t& tls, int fd) noexcept;

inline stream_read_t stream_recv(int fd, tls_transport_t* tls, char* data, std::size_t size,
                                 bool input_ended) noexcept {
  if (tls) [[unlikely]]
    return tls_recv(*tls, fd, data, size, input_ended);
  ssize_t got;
  do {
    got = ::recv(fd, data, size, 0);
  } while (got < 0 && errno == EINTR);
  return {got, got < 0 ? errno : 0, got == static_cast<ssize_t>(size)};
}

inline ssize_t stream_send(int fd, tls_transport_t* tls, std::span<const iovec> pieces) noexcept {
  if (tls) [[unlikely]]
    return tls_send(*tls, fd, pieces);
  return send_pieces(fd, pieces);
}

/// One piece (a frame or a response joined in the thread's buffer).
inline ssize_t stream_send(int fd, tls_transport_t* tls, const void* data,
                           std::size_t size) noexcept {
  if (tls) [[unlikely]] {
    const iovec piece{const_cast<void*>(data), size};
    return tls_send(*tls, fd, {&piece, 1});
  }
  return ::send(fd, data, size, MSG_NOSIGNAL);
}

/// shutdown(SHUT_WR), after TLS's close_notify. Returns shutdown()'s result.
inline int stream_shutdown_send(int fd, tls_transport_t* tls) noexcept {
  if (tls) [[unlikely]]
    tls_shutdown_send(*tls, fd);
  return ::shutdown(fd, SHUT_WR);
}

}  // namespace restws::detail
