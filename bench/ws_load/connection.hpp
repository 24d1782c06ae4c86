// One connection of a worker (private to worker.cpp, worker_tls.cpp and cycles.cpp): its state,
// what it has in flight, and its byte transport, the socket itself or a TLS session over it.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "deflate.hpp"
#include "frame.hpp"
#include "tls.hpp"
#include "worker.hpp"

namespace ws_load {

enum class conn_state {
  idle,
  connecting,
  tls_handshake,
  sending_handshake,
  reading_handshake,
  ready,
  open,
  closing,  // --handshakes: the close frame sent (or being sent), the server's close awaited
  closed
};

struct connection {
  std::size_t local_index = 0;
  int fd = -1;
  conn_state state = conn_state::idle;
  bool write_interest = false;
  std::unique_ptr<tls_session> tls;  // --tls
  std::string handshake_out;         // the upgrade request (--handshakes: then the close frame)
  std::size_t handshake_sent = 0;
  std::string handshake_in;  // after the handshake: bytes the server sent before the load began
  std::string accept;
  std::array<unsigned char, 4> mask{};
  std::unique_ptr<outgoing_message> message;
  echo_reader reader;
  std::uint64_t sequence = 0;
  std::size_t frame_sent = 0;
  bool sending = false;
  worker::clock_type::time_point sent_at;      // the message in flight's first send
  bool server_closed = false;                  // --flood: FIN or reset seen (counted once)
  bool close_received = false;                 // --handshakes: the server's close frame came
  worker::clock_type::time_point cycle_start;  // --handshakes: when this cycle's connect began
  struct whole_messages;
  std::unique_ptr<whole_messages> whole;  // --deflate, --corpus
  std::span<const unsigned char> frame() const;
};

// A connection's state when it sends whole messages of a message_set.
struct connection::whole_messages {
  explicit whole_messages(const deflate_agreement* agreed)
      : collector(agreed != nullptr),
        inflater(agreed != nullptr && !agreed->server_no_context_takeover),
        deflate(agreed != nullptr),
        client_window(agreed != nullptr ? agreed->client_max_window_bits : 15) {}
  message_collector collector;
  message_inflater inflater;
  bool deflate;
  int client_window;
  std::size_t index = 0;  // of the message in flight
  std::vector<unsigned char> frame;
  std::string inflated;
};

inline std::span<const unsigned char> connection::frame() const {
  if (whole) return whole->frame;
  return message->frame();
}

// send(2) / recv(2) through a TLS session (worker_tls.cpp, out of line: the plain path stays as
// small as it was): bytes, 0 for the server's end, or -1 with errno EAGAIN (wait:
// tls_session::wants_write() says for what), the socket's error (a reset) or EPROTO (a TLS error:
// see error()).
ssize_t tls_send(tls_session& tls, const void* data, std::size_t size);
ssize_t tls_recv(tls_session& tls, void* data, std::size_t size);

/// send(2) on the connection, through its TLS session when it has one.
inline ssize_t send_some(connection& conn, const void* data, std::size_t size) {
  if (!conn.tls) return ::send(conn.fd, data, size, MSG_NOSIGNAL);
  return tls_send(*conn.tls, data, size);
}

/// recv(2) on the connection, through its TLS session when it has one.
inline ssize_t recv_some(connection& conn, void* data, std::size_t size) {
  if (!conn.tls) return ::recv(conn.fd, data, size, 0);
  return tls_recv(*conn.tls, data, size);
}

/// Why the last send_some() / recv_some() failed (valid until the connection's next call).
inline const char* io_error(const connection& conn) {
  return conn.tls ? conn.tls->error().c_str() : std::strerror(errno);
}

/// --tls: whether a read that returned `n` bytes may have left more to read now. A record holds
/// at most 16 KiB: a full one may have others behind it, and a record may hold more than was read.
inline bool tls_may_have_more(const connection& conn, std::size_t n) {
  return n >= 16384 || conn.tls->has_pending();
}

/// After send_some() said EAGAIN: whether to wait for the socket to be writable (a TLS write may
/// wait to read instead, which the connection watches for; a --flood one, which does not read,
/// tries again when the socket is writable).
inline bool waits_to_write(const connection& conn) { return !conn.tls || conn.tls->wants_write(); }

}  // namespace ws_load
