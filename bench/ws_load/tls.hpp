// TLS for ws_load's connections (--tls, OpenSSL 3): one client context per run, one session per
// connection, driven without blocking over the connection's own socket by the worker's event loop.
#pragma once

#include <cstddef>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace ws_load {

/// What a TLS call did: `done`, or which readiness of the socket it waits for before the same
/// call is made again (a read may need to write, a write to read), or the end of the session.
enum class tls_status {
  done,
  want_read,
  want_write,
  closed,  // the server ended the session: close_notify, or TCP's end without one
  failed,  // a TLS or socket error: tls_session::error() says which
};

/// The client context all sessions are made from: TLS 1.2 or 1.3, ALPN "http/1.1", no
/// certificate verification (a benchmark on loopback), no session cache (every handshake is a
/// full one). Sessions may be made from it on any thread.
class tls_context {
 public:
  /// `release_buffers`: a session frees its record buffers while it is idle (SSL_MODE_RELEASE_
  /// BUFFERS), for --idle, where thousands of sessions share the machine with the server.
  explicit tls_context(bool release_buffers);
  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  /// Whether the context could be made; error() says why not.
  bool ok() const { return ctx_ != nullptr; }
  const std::string& error() const { return error_; }
  SSL_CTX* native() const { return ctx_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  std::string error_;
};

/// One connection's client session over the non-blocking socket `fd`, which it does not own
/// (close the socket after the session is gone). Every call returns at once. Not thread-safe:
/// one thread drives a session.
class tls_session {
 public:
  /// Sends `server_name` as SNI unless it is empty. Check ok().
  tls_session(const tls_context& context, int fd, const std::string& server_name);
  ~tls_session();
  tls_session(const tls_session&) = delete;
  tls_session& operator=(const tls_session&) = delete;

  bool ok() const { return ssl_ != nullptr; }

  /// Goes on with the client handshake.
  tls_status handshake();
  /// Reads decrypted bytes into `data`: `done` with `got` > 0, or what it waits for.
  tls_status read(void* data, std::size_t size, std::size_t& got);
  /// Writes `data`: `done` with `put` > 0 bytes taken (a write stops after each whole record:
  /// partial writes as with send(2)). Repeat a write that waits with the same bytes.
  tls_status write(const void* data, std::size_t size, std::size_t& put);
  /// Whether the last read or write waits for the socket to be writable.
  bool wants_write() const { return last_ == tls_status::want_write; }
  /// Whether a record read from the socket still holds bytes to deliver (epoll cannot tell).
  bool has_pending() const;
  /// Sends close_notify once, without waiting for the server's; failures are ignored.
  void shutdown();

  /// Why the last call failed: OpenSSL's reason (with a hint when it looks like a server without
  /// TLS), or the system error.
  const std::string& error() const { return error_; }
  /// The system error (errno) behind the last failure, 0 if it was a TLS one.
  int system_error() const { return system_error_; }
  /// After the handshake: the protocol and cipher, e.g. "TLSv1.3/TLS_AES_256_GCM_SHA384".
  std::string description() const;

 private:
  tls_status outcome(int rc);

  SSL* ssl_ = nullptr;
  tls_status last_ = tls_status::done;
  std::string error_;
  int system_error_ = 0;
};

}  // namespace ws_load
