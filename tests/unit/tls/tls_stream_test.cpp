// tls_stream_t without sockets: a client SSL over memory BIOs and the server stream pass their
// bytes to each other by hand, so every split and every bad input can be tried exactly.
#include "tls/tls_stream.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <asio/ssl/context.hpp>
#include <string>
#include <vector>

#include "../../support/test_pki.hpp"
#include "restws/server/logger.hpp"
#include "server/tls_contexts.hpp"

namespace restws::detail {
namespace {

using testing::pem_pair_t;
using testing::test_pki_t;

const test_pki_t& pki() {
  static const test_pki_t p;
  return p;
}

void use_pem(SSL_CTX* ctx, const pem_pair_t& pem) {
  BIO* b = BIO_new_mem_buf(pem.cert.data(), static_cast<int>(pem.cert.size()));
  X509* leaf = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
  ASSERT_EQ(SSL_CTX_use_certificate(ctx, leaf), 1);
  X509_free(leaf);
  BIO_free(b);
  b = BIO_new_mem_buf(pem.key.data(), static_cast<int>(pem.key.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
  ASSERT_EQ(SSL_CTX_use_PrivateKey(ctx, key), 1);
  EVP_PKEY_free(key);
  BIO_free(b);
}

/// A server stream under restws's rules and a client over memory BIOs.
struct session_t {
  explicit session_t(int max_version = 0) {
    server_context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    use_pem(server_context->native_handle(), pki().issue("localhost", "DNS:localhost"));
    contexts =
        std::make_unique<tls_contexts_t>(server_context, std::vector<tls_server_name_t>{}, logger);
    SSL* s = SSL_new(contexts->default_context());
    server = std::make_unique<tls_stream_t>(s);

    client_ctx = SSL_CTX_new(TLS_client_method());
    if (max_version) SSL_CTX_set_max_proto_version(client_ctx, max_version);
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, nullptr);
    const std::string ca = pki().ca_pem();
    BIO* b = BIO_new_mem_buf(ca.data(), static_cast<int>(ca.size()));
    X509* ca_cert = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx), ca_cert);
    X509_free(ca_cert);
    BIO_free(b);
    client = SSL_new(client_ctx);
    SSL_set_tlsext_host_name(client, "localhost");
    SSL_set1_host(client, "localhost");
    const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_set_alpn_protos(client, alpn, sizeof alpn);
    to_client = BIO_new(BIO_s_mem());
    from_client = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(to_client, -1);  // empty: "retry", not the end
    SSL_set_bio(client, to_client, from_client);
    SSL_set_connect_state(client);
  }
  ~session_t() {
    SSL_free(client);
    SSL_CTX_free(client_ctx);
    ERR_clear_error();
  }

  /// What the client wrote since the last call.
  std::string client_output() {
    std::string s;
    char buf[4096];
    int n;
    while ((n = BIO_read(from_client, buf, sizeof buf)) > 0) s.append(buf, n);
    return s;
  }
  void to_client_bytes(const std::string& s) {
    if (!s.empty()) BIO_write(to_client, s.data(), static_cast<int>(s.size()));
  }
  /// Feeds `bytes` to the server; returns its plaintext and passes its output to the client.
  std::string server_reads(const std::string& bytes, tls_status_t* status = nullptr,
                           std::size_t out_size = 64 * 1024) {
    std::vector<char> out(out_size);
    std::string output;
    const auto r = server->read({bytes.data(), bytes.size()}, out, output);
    to_client_bytes(output);
    if (status) *status = r.status;
    return {out.data(), r.plain};
  }
  /// Runs the handshake to its end (both sides).
  bool handshake() {
    for (int i = 0; i < 10; ++i) {
      const int r = SSL_do_handshake(client);
      const int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(client, r);
      ERR_clear_error();
      server_reads(client_output());
      if (r == 1 && server->handshake_done()) return true;
      if (e != SSL_ERROR_NONE && e != SSL_ERROR_WANT_READ) return false;
    }
    return false;
  }
  std::string client_reads() {
    std::string s;
    char buf[16384];
    int n;
    while ((n = SSL_read(client, buf, sizeof buf)) > 0) s.append(buf, n);
    return s;
  }

  null_logger_t logger;
  std::shared_ptr<asio::ssl::context> server_context;
  std::unique_ptr<tls_contexts_t> contexts;
  std::unique_ptr<tls_stream_t> server;
  SSL_CTX* client_ctx;
  SSL* client;
  BIO* to_client;
  BIO* from_client;
};

TEST(tls_stream, completes_a_tls13_handshake_and_carries_data_both_ways) {
  session_t s;
  ASSERT_TRUE(s.handshake());
  EXPECT_STREQ(SSL_get_version(s.client), "TLSv1.3");
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(s.client, &alpn, &alpn_len);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(alpn), alpn_len), "http/1.1");
  ASSERT_GT(SSL_write(s.client, "GET / HTTP/1.1\r\n\r\n", 18), 0);
  EXPECT_EQ(s.server_reads(s.client_output()), "GET / HTTP/1.1\r\n\r\n");
  std::string output;
  ASSERT_TRUE(s.server->write({"HTTP/1.1 200 OK\r\n", 17}, output));
  s.to_client_bytes(output);
  EXPECT_EQ(s.client_reads(), "HTTP/1.1 200 OK\r\n");
}

TEST(tls_stream, completes_a_tls12_handshake) {
  session_t s{TLS1_2_VERSION};
  ASSERT_TRUE(s.handshake());
  EXPECT_STREQ(SSL_get_version(s.client), "TLSv1.2");
  ASSERT_GT(SSL_write(s.client, "ping", 4), 0);
  EXPECT_EQ(s.server_reads(s.client_output()), "ping");
}

TEST(tls_stream, refuses_a_client_that_offers_only_tls11) {
  session_t s{TLS1_1_VERSION};
  SSL_CTX_set_min_proto_version(s.client_ctx, TLS1_1_VERSION);
  SSL_set_min_proto_version(s.client, TLS1_1_VERSION);
  EXPECT_FALSE(s.handshake());
  EXPECT_TRUE(s.server->failed());
  EXPECT_NE(s.server->error(), "");
}

TEST(tls_stream, takes_the_client_bytes_one_at_a_time) {
  session_t s;
  // The handshake, then two records, all fed to the server one byte per call.
  for (int i = 0; i < 10 && !s.server->handshake_done(); ++i) {
    SSL_do_handshake(s.client);
    const std::string bytes = s.client_output();
    for (char c : bytes) s.server_reads(std::string(1, c));
  }
  ASSERT_TRUE(s.server->handshake_done());
  ASSERT_EQ(SSL_do_handshake(s.client), 1);
  const std::string message(3000, 'x');
  ASSERT_GT(SSL_write(s.client, message.data(), static_cast<int>(message.size())), 0);
  ASSERT_GT(SSL_write(s.client, "tail", 4), 0);
  std::string got;
  for (char c : s.client_output()) got += s.server_reads(std::string(1, c));
  EXPECT_EQ(got, message + "tail");
  EXPECT_FALSE(s.server->has_pending_input());
}

TEST(tls_stream, keeps_what_does_not_fit_the_output_space) {
  session_t s;
  ASSERT_TRUE(s.handshake());
  const std::string message(10000, 'y');
  ASSERT_GT(SSL_write(s.client, message.data(), static_cast<int>(message.size())), 0);
  std::string got = s.server_reads(s.client_output(), nullptr, 1000);
  EXPECT_EQ(got.size(), 1000u);
  EXPECT_TRUE(s.server->has_pending_input());
  while (s.server->has_pending_input()) got += s.server_reads("", nullptr, 1000);
  EXPECT_EQ(got, message);
}

TEST(tls_stream, fails_on_plain_http_with_a_reason) {
  session_t s;
  tls_status_t status{};
  s.server_reads("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &status);
  EXPECT_EQ(status, tls_status_t::failed);
  EXPECT_NE(s.server->error().find("http request"), std::string::npos) << s.server->error();
}

TEST(tls_stream, fails_on_garbage_after_the_handshake) {
  session_t s;
  ASSERT_TRUE(s.handshake());
  tls_status_t status{};
  s.server_reads(std::string("\x17\x03\x03\x00\x10") + std::string(16, '\x42'), &status);
  EXPECT_EQ(status, tls_status_t::failed);
  EXPECT_FALSE(s.server->error().empty());
  std::string output;
  EXPECT_FALSE(s.server->write({"x", 1}, output));
}

TEST(tls_stream, reports_the_peers_close_notify) {
  session_t s;
  ASSERT_TRUE(s.handshake());
  SSL_shutdown(s.client);
  tls_status_t status{};
  s.server_reads(s.client_output(), &status);
  EXPECT_EQ(status, tls_status_t::closed);
}

TEST(tls_stream, sends_close_notify_once) {
  session_t s;
  ASSERT_TRUE(s.handshake());
  std::string output;
  s.server->shutdown(output);
  EXPECT_FALSE(output.empty());
  const std::size_t first = output.size();
  s.server->shutdown(output);
  EXPECT_EQ(output.size(), first);
  s.to_client_bytes(output);
  char c;
  const int r = SSL_read(s.client, &c, 1);
  EXPECT_LE(r, 0);
  EXPECT_EQ(SSL_get_error(s.client, r), SSL_ERROR_ZERO_RETURN);
}

TEST(tls_stream, refuses_renegotiation) {
  session_t s{TLS1_2_VERSION};
  ASSERT_TRUE(s.handshake());
  ASSERT_EQ(SSL_renegotiate(s.client), 1);
  SSL_do_handshake(s.client);
  s.server_reads(s.client_output());
  // The server answers no_renegotiation: the client's new handshake fails, no new session.
  const int r = SSL_do_handshake(s.client);
  EXPECT_NE(r, 1);
  ERR_clear_error();
  EXPECT_EQ(SSL_num_renegotiations(s.server->native_handle()), 0);
}

TEST(tls_stream, keeps_no_input_once_it_is_consumed) {
  session_t s;
  ASSERT_TRUE(s.handshake());
  ASSERT_GT(SSL_write(s.client, "x", 1), 0);
  EXPECT_EQ(s.server_reads(s.client_output()), "x");
  EXPECT_FALSE(s.server->has_pending_input());
}

}  // namespace
}  // namespace restws::detail
