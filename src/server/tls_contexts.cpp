#include "tls_contexts.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <asio/ssl/context.hpp>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace restws::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int bundle_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// ALPN: restws speaks HTTP/1.1 (and WebSockets over it). A client offering only other
// protocols (h2 alone) gets no ALPN answer and may go on or give up: RFC 7301 §3.2 lets the
// server ignore it rather than fail the handshake.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  static constexpr unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, http11, sizeof http11, in, inlen) ==
      OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

int select_certificate(SSL* ssl, int*, void*) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  const tls_contexts_t* bundle = tls_contexts_t::of(ssl);
  if (name && bundle)
    if (SSL_CTX* ctx = bundle->find(name)) SSL_set_SSL_CTX(ssl, ctx);
  return SSL_TLSEXT_ERR_OK;  // no match: the default certificate
}

void apply_rules(SSL_CTX* ctx, abstract_logger_t& logger) {
  const long min = SSL_CTX_get_min_proto_version(ctx);
  if (min == 0 || min < TLS1_2_VERSION) {
    if (min != 0) {
      logger.info([] {
        return std::string{"tls: the context allowed versions below TLS 1.2; raised to TLS 1.2"};
      });
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_alpn_select_cb(ctx, &select_alpn, nullptr);
}

}  // namespace

tls_contexts_t::tls_contexts_t(std::shared_ptr<asio::ssl::context> default_context,
                               std::vector<tls_server_name_t> names, abstract_logger_t& logger)
    : default_holder_{std::move(default_context)} {
  if (!default_holder_) throw std::invalid_argument{"restws: TLS without a context"};
  default_ = default_holder_->native_handle();
  apply_rules(default_, logger);
  for (auto& n : names) {
    if (!n.context) throw std::invalid_argument{"restws: tls_server_name() without a context"};
    std::string pattern = lower(n.pattern);
    const bool wildcard = pattern.starts_with("*.");
    if (pattern.empty() || pattern.find('*', wildcard ? 1 : 0) != std::string::npos)
      throw std::invalid_argument{"restws: bad tls_server_name() pattern \"" + n.pattern +
                                  "\" (a host name, or *. and a domain)"};
    SSL_CTX* const ctx = n.context->native_handle();
    apply_rules(ctx, logger);
    names_.push_back({std::move(pattern), std::move(n.context), ctx});
  }
  if (!names_.empty()) SSL_CTX_set_tlsext_servername_callback(default_, &select_certificate);
  // Exact names first, so that find() meets them before any wildcard.
  std::stable_partition(names_.begin(), names_.end(),
                        [](const name_t& n) { return !n.pattern.starts_with("*."); });
}

SSL_CTX* tls_contexts_t::find(std::string_view server_name) const noexcept {
  if (names_.empty()) return nullptr;
  std::string name;
  try {
    name = lower(server_name);
  } catch (...) {
    return nullptr;
  }
  if (!name.empty() && name.back() == '.') name.pop_back();  // "example.com." is the same name
  const auto dot = name.find('.');
  for (const auto& n : names_) {
    if (n.pattern == name) return n.ctx;
    if (dot != std::string::npos && n.pattern.starts_with("*.") &&
        std::string_view{n.pattern}.substr(1) == std::string_view{name}.substr(dot))
      return n.ctx;
  }
  return nullptr;
}

const tls_contexts_t* tls_contexts_t::of(const SSL* ssl) noexcept {
  return static_cast<const tls_contexts_t*>(SSL_get_ex_data(ssl, bundle_index()));
}

void tls_contexts_t::attach(SSL* ssl) const noexcept {
  // Only the SNI callback reads it; without names an SSL keeps no ex_data (~70 bytes).
  if (names_.empty()) return;
  SSL_set_ex_data(ssl, bundle_index(), const_cast<tls_contexts_t*>(this));
}

}  // namespace restws::detail
