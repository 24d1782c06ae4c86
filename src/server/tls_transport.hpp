#pragma once
// TLS over a connection's non-blocking socket (transport.hpp's TLS side): a tls_stream_t fed
// from recv() and sent with send(), plus what one send could not take. Ciphertext moves through
// two buffers per reactor thread, so an idle connection holds only its SSL session.

#include <chrono>
#include <memory>
#include <string>

#include "../tls/tls_stream.hpp"
#include "restws/server/connection_handoff.hpp"
#include "restws/server/request.hpp"
#include "tls_contexts.hpp"

namespace restws::detail {

class tls_transport_t {
 public:
  /// A server session with `contexts`' certificates, as they are when the connection comes: the
  /// session keeps them (a reload does not free them under it). Null if OpenSSL cannot make a
  /// session (out of memory).
  static tls_transport_ptr_t make(std::shared_ptr<const tls_contexts_t> contexts);

  tls_transport_t(SSL* ssl, std::shared_ptr<const tls_contexts_t> contexts) noexcept
      : stream{ssl}, contexts_{std::move(contexts)} {}

  tls_stream_t stream;
  /// Ciphertext produced and not yet sent (the socket was full). While it holds anything, no new
  /// plaintext is taken.
  lazy_bytes_t unsent;
  /// Plaintext bytes taken, encrypted into `unsent`, and not yet reported as sent: the next
  /// tls_send() reports them once `unsent` is gone (transport.hpp).
  std::size_t owed = 0;
  /// The last recv() filled the space it was given: the socket may hold more.
  bool raw_more = false;

  /// What the handshake agreed (made on first use after it; null before).
  const std::shared_ptr<const tls_info_t>& info();
  /// Drops the cached info (requests that have it keep theirs): an idle WebSocket does not
  /// hold it (~250 bytes).
  void forget_info() noexcept { info_.reset(); }

 private:
  std::shared_ptr<const tls_contexts_t> contexts_;
  std::shared_ptr<const tls_info_t> info_;
};

/// Why the TLS session failed (OpenSSL's reason), for the log; empty if it did not.
std::string tls_error(const tls_transport_t& t);
bool tls_handshake_done(const tls_transport_t& t) noexcept;

}  // namespace restws::detail
