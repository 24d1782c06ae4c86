#pragma once
// The client side of TLS for the tests: a context trusting the test CA (test_pki.hpp), and a
// handshake over a connected socket, bounded in time.

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <chrono>
#include <string>

#include "test_pki.hpp"

namespace restws::testing {

/// A client SSL_CTX that trusts `ca_pem`, checks the server's name, offers ALPN http/1.1.
class tls_client_context_t {
 public:
  explicit tls_client_context_t(const std::string& ca_pem, int max_version = 0) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (max_version) SSL_CTX_set_max_proto_version(ctx_, max_version);
    BIO* b = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
    while (X509* ca = PEM_read_bio_X509(b, nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_), ca);
      X509_free(ca);
    }
    BIO_free(b);
    ERR_clear_error();
    static constexpr unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_CTX_set_alpn_protos(ctx_, alpn, sizeof alpn);
    SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  }
  ~tls_client_context_t() { SSL_CTX_free(ctx_); }
  tls_client_context_t(const tls_client_context_t&) = delete;
  tls_client_context_t& operator=(const tls_client_context_t&) = delete;

  /// Presents this certificate (mutual TLS).
  void use_certificate(const pem_pair_t& pem) {
    BIO* b = BIO_new_mem_buf(pem.cert.data(), static_cast<int>(pem.cert.size()));
    X509* cert = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
    SSL_CTX_use_certificate(ctx_, cert);
    X509_free(cert);
    BIO_free(b);
    b = BIO_new_mem_buf(pem.key.data(), static_cast<int>(pem.key.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
    SSL_CTX_use_PrivateKey(ctx_, key);
    EVP_PKEY_free(key);
    BIO_free(b);
  }
  SSL_CTX* get() const noexcept { return ctx_; }

 private:
  SSL_CTX* ctx_;
};

/// Makes `fd` non-blocking and completes a TLS handshake on it as `server_name` (SNI and the
/// name checked; empty: neither). Null on failure or timeout; `error` then says why.
inline SSL* tls_connect(int fd, SSL_CTX* ctx, const std::string& server_name, std::string& error,
                        std::chrono::milliseconds timeout = std::chrono::seconds{3}) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (!server_name.empty()) {
    SSL_set_tlsext_host_name(ssl, server_name.c_str());
    SSL_set1_host(ssl, server_name.c_str());
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const int r = SSL_connect(ssl);
    if (r == 1) return ssl;
    const int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      char reason[256] = "connection closed";
      if (const unsigned long code = ERR_get_error())
        ERR_error_string_n(code, reason, sizeof reason);
      error = reason;
      ERR_clear_error();
      SSL_free(ssl);
      return nullptr;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, static_cast<short>(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      error = "handshake timed out";
      SSL_free(ssl);
      return nullptr;
    }
  }
}

/// The subject CN of the certificate the server presented on `ssl`.
inline std::string peer_common_name(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return {};
  char cn[256] = "";
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  X509_free(cert);
  return cn;
}

}  // namespace restws::testing
