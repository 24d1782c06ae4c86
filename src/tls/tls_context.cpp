// restws::make_tls_context() and verify_client_certificates() (restws/tls.hpp).
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <system_error>

#include "restws/tls.hpp"

namespace restws {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& file) {
  char reason[256] = "";
  if (const unsigned long e = ERR_get_error()) ERR_error_string_n(e, reason, sizeof reason);
  ERR_clear_error();
  throw std::system_error{std::make_error_code(std::errc::invalid_argument),
                          "restws: " + what + " " + file + (reason[0] ? ": " : "") + reason};
}

// TLS 1.2's suites: forward secrecy and AEAD only (Mozilla's "intermediate" list, RSA and ECDSA
// certificates). TLS 1.3's are OpenSSL's defaults, all of them modern.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

}  // namespace

asio::ssl::context make_tls_context(const std::string& cert_chain_file,
                                    const std::string& private_key_file) {
  asio::ssl::context context{asio::ssl::context::tls_server};
  SSL_CTX* const ctx = context.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(ctx, tls12_ciphers);
  SSL_CTX_set_options(
      ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Resumption by tickets (the client keeps the state); nothing per client in the server.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_chain_file.c_str()) != 1)
    fail("cannot load the certificate chain", cert_chain_file);
  if (SSL_CTX_use_PrivateKey_file(ctx, private_key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    fail("cannot load the private key", private_key_file);
  if (SSL_CTX_check_private_key(ctx) != 1)
    fail("the private key does not match the certificate of", cert_chain_file);
  return context;
}

void verify_client_certificates(asio::ssl::context& context, const std::string& ca_file,
                                client_certificate_t mode) {
  SSL_CTX* const ctx = context.native_handle();
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1)
    fail("cannot load the client CAs", ca_file);
  // The CAs' names go in the CertificateRequest, so that clients pick a certificate they sign.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca_file.c_str()))
    SSL_CTX_set_client_CA_list(ctx, names);
  ERR_clear_error();
  int flags = SSL_VERIFY_PEER;
  if (mode == client_certificate_t::required) flags |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx, flags, nullptr);
}

}  // namespace restws
