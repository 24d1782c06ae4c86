// ws_load's TLS session (--tls) driven without blocking, as the worker drives it, against an
// OpenSSL server on the other end of a socket pair (a throwaway key and certificate made here).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>
#include <string>

#include "tls.hpp"

namespace ws_load {
namespace {

struct ssl_ctx_free {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct ssl_free {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// A TLS server context with a fresh P-256 key and a self-signed certificate for CN=localhost.
std::unique_ptr<SSL_CTX, ssl_ctx_free> make_server_context() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx(SSL_CTX_new(TLS_server_method()));
  SSL_CTX_use_certificate(ctx.get(), cert);
  SSL_CTX_use_PrivateKey(ctx.get(), key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ctx;
}

// A non-blocking socket pair: [0] for ws_load's session, [1] for the server.
struct socket_pair {
  socket_pair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds); }
  ~socket_pair() {
    for (const int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  int fds[2] = {-1, -1};
};

// Runs the client handshake and the server's SSL_accept in turns until both are done (or a
// bound of turns is reached): each waits for the other, as on two event loops.
bool handshake_both(tls_session& client, SSL* server) {
  bool client_done = false;
  bool server_done = false;
  for (int turn = 0; turn < 100 && !(client_done && server_done); ++turn) {
    if (!client_done) {
      const tls_status status = client.handshake();
      if (status == tls_status::failed || status == tls_status::closed) return false;
      client_done = status == tls_status::done;
    }
    if (!server_done) {
      const int rc = SSL_accept(server);
      if (rc <= 0 && SSL_get_error(server, rc) != SSL_ERROR_WANT_READ) return false;
      server_done = rc == 1;
    }
  }
  return client_done && server_done;
}

TEST(ws_load_tls, handshakes_and_carries_bytes_both_ways_without_blocking) {
  const auto server_ctx = make_server_context();
  const tls_context context(/*release_buffers=*/false);
  ASSERT_TRUE(context.ok()) << context.error();
  socket_pair pair;
  tls_session client(context, pair.fds[0], "localhost");
  ASSERT_TRUE(client.ok()) << client.error();
  std::unique_ptr<SSL, ssl_free> server(SSL_new(server_ctx.get()));
  SSL_set_fd(server.get(), pair.fds[1]);

  // Nothing came from the server yet: the client's first step sends its hello and waits to read.
  EXPECT_EQ(client.handshake(), tls_status::want_read);
  ASSERT_TRUE(handshake_both(client, server.get()));
  const char* server_name = SSL_get_servername(server.get(), TLSEXT_NAMETYPE_host_name);
  ASSERT_NE(server_name, nullptr);
  EXPECT_STREQ(server_name, "localhost");  // SNI
  EXPECT_EQ(client.description().rfind("TLSv1.3/", 0), 0u);

  std::size_t put = 0;
  ASSERT_EQ(client.write("GET / HTTP/1.1\r\n\r\n", 18, put), tls_status::done);
  EXPECT_EQ(put, 18u);
  char got[64] = {};
  std::size_t n = 0;
  ASSERT_EQ(SSL_read_ex(server.get(), got, sizeof got, &n), 1);
  EXPECT_EQ(std::string(got, n), "GET / HTTP/1.1\r\n\r\n");

  ASSERT_EQ(SSL_write(server.get(), "HTTP/1.1 101", 12), 12);
  ASSERT_EQ(client.read(got, sizeof got, n), tls_status::done);  // the tickets come first
  EXPECT_EQ(std::string(got, n), "HTTP/1.1 101");
  EXPECT_FALSE(client.has_pending());
  EXPECT_EQ(client.read(got, sizeof got, n), tls_status::want_read);

  // The server's close_notify, or its end of TCP without one, ends the session.
  SSL_shutdown(server.get());
  EXPECT_EQ(client.read(got, sizeof got, n), tls_status::closed);
}

TEST(ws_load_tls, sends_no_server_name_when_given_none) {
  const auto server_ctx = make_server_context();
  const tls_context context(/*release_buffers=*/true);
  socket_pair pair;
  tls_session client(context, pair.fds[0], "");
  std::unique_ptr<SSL, ssl_free> server(SSL_new(server_ctx.get()));
  SSL_set_fd(server.get(), pair.fds[1]);
  ASSERT_TRUE(handshake_both(client, server.get()));
  EXPECT_EQ(SSL_get_servername(server.get(), TLSEXT_NAMETYPE_host_name), nullptr);
}

TEST(ws_load_tls, fails_with_a_hint_against_a_server_without_tls) {
  const tls_context context(/*release_buffers=*/false);
  socket_pair pair;
  tls_session client(context, pair.fds[0], "localhost");
  EXPECT_EQ(client.handshake(), tls_status::want_read);
  const std::string answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  ASSERT_EQ(::write(pair.fds[1], answer.data(), answer.size()),
            static_cast<ssize_t>(answer.size()));
  EXPECT_EQ(client.handshake(), tls_status::failed);
  EXPECT_NE(client.error().find("wrong version number"), std::string::npos) << client.error();
  EXPECT_NE(client.error().find("without TLS"), std::string::npos) << client.error();
}

TEST(ws_load_tls, reports_the_system_error_of_a_socket_the_server_closed) {
  std::signal(SIGPIPE, SIG_IGN);  // as ws_load does: OpenSSL writes with write(2)
  const tls_context context(/*release_buffers=*/false);
  socket_pair pair;
  tls_session client(context, pair.fds[0], "localhost");
  ::close(pair.fds[1]);
  pair.fds[1] = -1;
  EXPECT_EQ(client.handshake(), tls_status::failed);
  EXPECT_EQ(client.system_error(), EPIPE);
  EXPECT_EQ(client.error(), std::strerror(EPIPE));
}

}  // namespace
}  // namespace ws_load
