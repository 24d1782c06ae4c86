#pragma once
// A server's TLS certificates as one immutable bundle: the default context and those chosen by
// SNI. The server holds the current bundle; each connection keeps the bundle it started with,
// so a reload (a new bundle) leaves established connections as they are.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "restws/server/detail/server_config.hpp"
#include "restws/server/logger.hpp"

namespace restws::detail {

class tls_contexts_t {
 public:
  /// Applies restws's rules to every context (TLS 1.2 at least, no renegotiation, ALPN
  /// http/1.1) and the SNI choice to the default one. Throws std::invalid_argument for a null
  /// context or a bad pattern.
  tls_contexts_t(std::shared_ptr<asio::ssl::context> default_context,
                 std::vector<tls_server_name_t> names, abstract_logger_t& logger);

  SSL_CTX* default_context() const noexcept { return default_; }
  /// The context for `server_name` (SNI): an exact pattern, else a wildcard over its first
  /// label, else null (the default then).
  SSL_CTX* find(std::string_view server_name) const noexcept;
  /// The bundle an SSL made from one of these contexts belongs to (set by attach()).
  static const tls_contexts_t* of(const SSL* ssl) noexcept;
  /// Marks `ssl` as made from this bundle (for the SNI callback).
  void attach(SSL* ssl) const noexcept;

 private:
  std::shared_ptr<asio::ssl::context> default_holder_;
  SSL_CTX* default_ = nullptr;
  struct name_t {
    std::string pattern;  // lower case; a wildcard keeps its "*."
    std::shared_ptr<asio::ssl::context> holder;
    SSL_CTX* ctx = nullptr;
  };
  std::vector<name_t> names_;
};

}  // namespace restws::detail
