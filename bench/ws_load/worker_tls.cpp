// The worker's steps that only a --tls connection takes: the TLS handshake after connect, and the
// events of an open TLS connection.
#include <cerrno>

#include "connection.hpp"
#include "tls.hpp"
#include "worker.hpp"

namespace ws_load {
namespace {

ssize_t as_socket_result(const tls_session& tls, tls_status status, std::size_t bytes) {
  switch (status) {
    case tls_status::done:
      return static_cast<ssize_t>(bytes);
    case tls_status::want_read:
    case tls_status::want_write:
      errno = EAGAIN;
      return -1;
    case tls_status::closed:
      return 0;
    case tls_status::failed:
      break;
  }
  errno = tls.system_error() != 0 ? tls.system_error() : EPROTO;
  return -1;
}

}  // namespace

ssize_t tls_send(tls_session& tls, const void* data, std::size_t size) {
  std::size_t put = 0;
  const tls_status status = tls.write(data, size, put);
  return as_socket_result(tls, status, put);
}

ssize_t tls_recv(tls_session& tls, void* data, std::size_t size) {
  std::size_t got = 0;
  const tls_status status = tls.read(data, size, got);
  return as_socket_result(tls, status, got);
}

void worker::start_tls(connection& conn) {
  conn.tls = std::make_unique<tls_session>(*tls_, conn.fd, opts_.tls_server_name);
  if (!conn.tls->ok()) return fail_handshake(conn, conn.tls->error());
  conn.state = conn_state::tls_handshake;
  continue_tls_handshake(conn);
}

void worker::continue_tls_handshake(connection& conn) {
  switch (conn.tls->handshake()) {
    case tls_status::done:
      if (tls_description_.empty()) tls_description_ = conn.tls->description();
      return start_upgrade(conn);
    case tls_status::want_read:
      return want_write(conn, false);
    case tls_status::want_write:
      return want_write(conn, true);
    case tls_status::closed:
      return fail_handshake(conn, "TLS handshake: closed by the server (is it a TLS port?)");
    case tls_status::failed:
      return fail_handshake(conn, "TLS handshake: " + conn.tls->error());
  }
}

// An open TLS connection: a record may need the other direction than the call that waits for it
// (a write that must read first, a read that must write first), so both go on, whatever the
// socket became ready for.
void worker::on_tls_event(connection& conn) {
  if (conn.sending) flush(conn);
  if (conn.state == conn_state::open) read_frames(conn);
}

// A TLS read that waits: for the socket to be writable when it must send a record first.
void worker::after_tls_read_waits(connection& conn) {
  if (conn.tls->wants_write()) want_write(conn, true);
}

}  // namespace ws_load
