#include "tls_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "transport.hpp"

namespace restws::detail {
namespace {

// Ciphertext received, before it is decrypted; sized for a few full records (16 KiB + 22 each).
constexpr std::size_t staging_size = 64 * 1024;
// The most plaintext one tls_send() takes: what a send of its records may leave behind.
constexpr std::size_t max_plain_per_send = 64 * 1024;
// Records are filled up to this (the largest TLS plaintext fragment), small pieces joined first.
constexpr std::size_t record_size = 16 * 1024;

std::span<char> thread_staging() {
  thread_local std::vector<char> buffer(staging_size);
  return buffer;
}

// The thread's ciphertext buffer for one call (empty on entry, handed to send() at the end).
std::string& thread_output() {
  thread_local std::string output = [] {
    std::string s;
    s.reserve(max_plain_per_send + max_plain_per_send / 64 + 1024);
    return s;
  }();
  output.clear();
  return output;
}

std::span<char> thread_plain() {
  thread_local std::vector<char> buffer(record_size);
  return buffer;
}

// Sends `bytes`; what the socket does not take goes to t.unsent. False on an error (errno).
bool send_or_keep(tls_transport_t& t, int fd, std::string_view bytes) {
  if (!t.unsent.empty()) {  // order: after what waits already
    t.unsent.append(bytes);
    return true;
  }
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  t.unsent.assign(bytes);
  return true;
}

}  // namespace

void tls_transport_deleter_t::operator()(tls_transport_t* t) const noexcept { delete t; }

tls_transport_ptr_t tls_transport_t::make(std::shared_ptr<const tls_contexts_t> contexts) {
  SSL* const ssl = contexts ? SSL_new(contexts->default_context()) : nullptr;
  if (!ssl) {
    ERR_clear_error();
    return nullptr;
  }
  contexts->attach(ssl);  // for the choice of certificate by SNI
  // No record buffers while idle: an idle TLS WebSocket then costs ~14.6 KB, not ~31 KB. (Set
  // only once the handshake is done, OpenSSL 3.0 keeps them: measured, 31 KB per connection.
  // Keeping them on busy connections saved no CPU per echoed message, measured.)
  SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
  return tls_transport_ptr_t{new tls_transport_t{ssl, std::move(contexts)}};
}

const std::shared_ptr<const tls_info_t>& tls_transport_t::info() {
  if (info_ || !stream.handshake_done()) return info_;
  SSL* const ssl = stream.native_handle();
  auto info = std::make_shared<tls_info_t>();
  info->version = SSL_get_version(ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) info->cipher = SSL_CIPHER_get_name(c);
  if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name))
    info->server_name = name;
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  if (alpn) info->alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  if (X509* peer = SSL_get0_peer_certificate(ssl);
      peer && SSL_get_verify_result(ssl) == X509_V_OK) {
    if (BIO* b = BIO_new(BIO_s_mem())) {
      X509_NAME_print_ex(b, X509_get_subject_name(peer), 0, XN_FLAG_RFC2253);
      char* data = nullptr;
      const long n = BIO_get_mem_data(b, &data);
      if (n > 0) info->peer_subject.assign(data, static_cast<std::size_t>(n));
      BIO_free(b);
    }
  }
  ERR_clear_error();
  info_ = std::move(info);
  return info_;
}

std::string tls_error(const tls_transport_t& t) { return std::string{t.stream.error()}; }

bool tls_handshake_done(const tls_transport_t& t) noexcept { return t.stream.handshake_done(); }

bool tls_flush(tls_transport_t& t, int fd) noexcept {
  std::size_t done = 0;
  while (done < t.unsent.size()) {
    const ssize_t sent = ::send(fd, t.unsent.data() + done, t.unsent.size() - done, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      break;  // full (EAGAIN) or failed: errno says which
    }
    done += static_cast<std::size_t>(sent);
  }
  if (done == t.unsent.size()) {
    t.unsent.clear();  // an idle connection keeps no buffer
    return true;
  }
  const int err = errno;
  t.unsent.erase_front(done);
  errno = err;
  return false;
}

stream_read_t tls_recv(tls_transport_t& t, int fd, char* data, std::size_t size,
                       bool input_ended) noexcept {
  if (size == 0) return {-1, ENOBUFS, false};  // never asked: callers make room first
  std::span<const char> input;
  bool received = false;
  for (;;) {
    if (input.empty() && !t.stream.has_pending_input()) {
      // Nothing to decrypt: the socket's bytes (also during the handshake). After a short read
      // the socket was drained, and new bytes raise an edge: no recv() to learn EAGAIN, unless
      // the peer's end was announced already (no edge follows it).
      if (received && !t.raw_more && !input_ended) return {-1, EAGAIN, false};
      const std::span<char> staging = thread_staging();
      ssize_t got;
      do {
        got = ::recv(fd, staging.data(), staging.size(), 0);
      } while (got < 0 && errno == EINTR);
      if (got <= 0) {
        t.raw_more = false;
        return {got, got < 0 ? errno : 0, false};  // EAGAIN, an error, or the end (0)
      }
      t.raw_more = static_cast<std::size_t>(got) == staging.size();
      received = true;
      input = staging.first(static_cast<std::size_t>(got));
    }
    std::string& output = thread_output();
    const tls_stream_t::read_result_t r = t.stream.read(input, {data, size}, output);
    input = {};
    // A failed send (the peer is gone) shows at the next read or write; this one still reports
    // what it decrypted.
    if (!output.empty()) (void)send_or_keep(t, fd, output);
    if (r.plain > 0)
      return {static_cast<ssize_t>(r.plain), 0, t.raw_more || t.stream.has_pending_input()};
    switch (r.status) {
      case tls_status_t::closed:
        return {0, 0, false};  // close_notify: the end of input
      case tls_status_t::failed:
        return {-1, EPROTO, false};
      case tls_status_t::ok:
      case tls_status_t::want_input:
        break;
    }
  }
}

ssize_t tls_send(tls_transport_t& t, int fd, std::span<const iovec> pieces) noexcept {
  if (t.stream.failed()) {
    errno = EPIPE;
    return -1;
  }
  if (!t.unsent.empty()) {
    if (!tls_flush(t, fd)) return -1;  // still full (EAGAIN), or failed
    if (t.owed != 0) return static_cast<ssize_t>(std::exchange(t.owed, 0));
  }
  std::string& output = thread_output();
  const std::span<char> plain = thread_plain();
  std::size_t joined = 0;  // bytes in `plain`
  std::size_t taken = 0;
  bool ok = true;
  auto seal = [&](std::span<const char> bytes) { ok = ok && t.stream.write(bytes, output); };
  for (const iovec& v : pieces) {
    std::span<const char> rest{static_cast<const char*>(v.iov_base), v.iov_len};
    while (!rest.empty() && taken < max_plain_per_send) {
      const std::size_t room = max_plain_per_send - taken;
      if (joined == 0 && rest.size() >= record_size) {  // whole records straight from the piece
        const std::size_t n = std::min(rest.size() - rest.size() % record_size, room);
        seal(rest.first(n));
        rest = rest.subspan(n);
        taken += n;
        continue;
      }
      const std::size_t n = std::min({rest.size(), plain.size() - joined, room});
      std::memcpy(plain.data() + joined, rest.data(), n);
      joined += n;
      taken += n;
      rest = rest.subspan(n);
      if (joined == plain.size()) {
        seal(plain.first(joined));
        joined = 0;
      }
    }
    if (taken >= max_plain_per_send) break;
  }
  if (joined != 0) seal(plain.first(joined));
  if (!ok) {
    errno = EPROTO;
    return -1;
  }
  if (!send_or_keep(t, fd, output)) return -1;
  if (t.unsent.empty()) return static_cast<ssize_t>(taken);
  t.owed = taken;  // reported when the rest has left (the caller retries at the next EPOLLOUT)
  errno = EAGAIN;
  return -1;
}

void tls_shutdown_send(tls_transport_t& t, int fd) noexcept {
  std::string& output = thread_output();
  t.stream.shutdown(output);
  if (!output.empty()) send_or_keep(t, fd, output);
  tls_flush(t, fd);  // as far as the socket takes it: the TCP close follows anyway
}

}  // namespace restws::detail
