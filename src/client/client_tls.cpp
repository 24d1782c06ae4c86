#include "client_tls.hpp"

#include <map>
#include <mutex>
#include <utility>

#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace restws::websocket::basic::detail {
namespace {

std::string openssl_error(std::string_view what) {
  std::string s{what};
  if (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    s.append(": ").append(buf);
  }
  ERR_clear_error();
  return s;
}

}  // namespace

std::shared_ptr<SSL_CTX> client_tls_context(const client_tls_settings_t& settings,
                                            std::string& why) {
  // Loading a trust store takes milliseconds: once per setting, not per connection.
  static std::mutex mutex;
  static std::map<std::pair<bool, std::string>, std::shared_ptr<SSL_CTX>> contexts;
  const std::lock_guard lock{mutex};
  auto& slot = contexts[{settings.verify_peer, settings.ca_file}];
  if (slot) return slot;
  std::shared_ptr<SSL_CTX> ctx{SSL_CTX_new(TLS_client_method()), SSL_CTX_free};
  if (!ctx) {
    why = openssl_error("cannot make a TLS context");
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  if (settings.verify_peer) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    const int loaded = settings.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx.get())
                                                : SSL_CTX_load_verify_locations(
                                                      ctx.get(), settings.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      why = openssl_error(settings.ca_file.empty()
                              ? std::string{"cannot load the system's trust store"}
                              : "cannot load the CA file " + settings.ca_file);
      return nullptr;
    }
  } else {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  }
  slot = ctx;
  return ctx;
}

restws::detail::tls_transport_ptr_t client_tls_session(SSL_CTX* context,
                                                       const protocol::ws_url_t& url, bool verify,
                                                       std::string& why) {
  SSL* const ssl = SSL_new(context);  // holds a reference to the context
  if (!ssl) {
    why = openssl_error("cannot make a TLS session");
    return nullptr;
  }
  restws::detail::tls_transport_ptr_t t{new restws::detail::tls_transport_t{ssl, nullptr}};
  if (t->stream.failed()) {
    why = std::string{t->stream.error()};
    return nullptr;
  }
  t->stream.set_connect_state();
  // SNI carries names only (RFC 6066 §3: not IP literals).
  const bool ip_literal = url.ipv6_literal || [&] {
    unsigned char buf[16];
    return ::inet_pton(AF_INET, url.host.c_str(), buf) == 1;
  }();
  if (!ip_literal && SSL_set_tlsext_host_name(ssl, url.host.c_str()) != 1) {
    why = openssl_error("cannot set the server name");
    return nullptr;
  }
  if (verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int ok = ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
                              : X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
    if (ok != 1) {
      why = openssl_error("cannot set the host name to verify");
      return nullptr;
    }
  }
  return t;
}

}  // namespace restws::websocket::basic::detail
