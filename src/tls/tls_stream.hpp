#pragma once
// The server side of one TLS session over bytes, not sockets (sans-IO): ciphertext goes in as
// spans, plaintext comes out, and the bytes TLS wants sent (handshake messages, alerts, records)
// are appended to a string the caller sends. OpenSSL does the protocol through a BIO of our own,
// one per thread shared by the thread's sessions, that reads from the span given to the current
// call and appends to its output string. So a session holds no buffer of its own while idle
// (with SSL_MODE_RELEASE_BUFFERS, OpenSSL's record buffers go too), and no BIO: only ciphertext
// received and not yet consumed is copied and kept.
//
// Not thread-safe: one call at a time per session (any thread; a connection uses its own).

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <openssl/bio.h>

#include <openssl/types.h>
#include "lazy_bytes.hpp"

namespace restws::detail {

enum class tls_status_t : unsigned char {
  ok,          ///< plaintext was produced (or the write went)
  want_input,  ///< more ciphertext is needed
  closed,      ///< the peer sent close_notify: no more plaintext comes
  failed,      ///< a fatal error (bad record, failed handshake, ...): error() says what
};

class tls_stream_t {
 public:
  /// Takes `ssl` (SSL_new()'d, not yet used) over, in the server's accept state.
  explicit tls_stream_t(SSL* ssl) noexcept;
  ~tls_stream_t();
  tls_stream_t(const tls_stream_t&) = delete;
  tls_stream_t& operator=(const tls_stream_t&) = delete;

  struct read_result_t {
    std::size_t plain = 0;  ///< plaintext bytes written to `out`
    tls_status_t status = tls_status_t::ok;
  };
  /// Consumes `input` (ciphertext just received; may be empty, then what was kept is used),
  /// runs the handshake as far as it goes, and decrypts into `out` until it is full or the
  /// input runs out. Ciphertext not consumed is kept for the next call. Bytes to be sent are
  /// appended to `output`. A read that produced plaintext reports ok; a later one reports the
  /// end or the failure met after it.
  read_result_t read(std::span<const char> input, std::span<char> out, std::string& output);
  /// Encrypts all of `plain` as records appended to `output`. False if the session failed (or
  /// its handshake is not done: a server writes only after it has read a request).
  bool write(std::span<const char> plain, std::string& output);
  /// Appends close_notify to `output` (once; nothing after a failure).
  void shutdown(std::string& output);

  /// True if a read() would give plaintext without new input: decrypted bytes not yet read, or
  /// ciphertext kept.
  bool has_pending_input() const noexcept;
  bool handshake_done() const noexcept;
  /// Makes this the client's end (before any read()): the first read(), with no input, then
  /// produces the ClientHello.
  void set_connect_state() noexcept;
  bool failed() const noexcept { return failed_; }
  /// Why the session failed (OpenSSL's reason), empty if it did not.
  std::string_view error() const noexcept {
    return error_ ? std::string_view{*error_} : std::string_view{};
  }
  SSL* native_handle() const noexcept { return ssl_; }

 public:
  /// What the current call on a thread gives the thread's BIO (tls_stream.cpp).
  struct call_t;

 private:
  /// The thread's call, pointed at by the BIO, set up for this call.
  call_t& begin_call(std::span<const char> input, std::string& output) noexcept;
  /// Keeps the input the call did not consume (kept_).
  void keep_rest(call_t& call) noexcept;
  void set_failed(int ssl_error);

  SSL* ssl_;
  lazy_bytes_t kept_;                   ///< ciphertext received and not yet consumed
  std::unique_ptr<std::string> error_;  ///< only once failed (8 bytes while it works)
  bool failed_ = false;
  bool shut_down_ = false;
};

}  // namespace restws::detail
