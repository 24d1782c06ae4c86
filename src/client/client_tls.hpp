#pragma once
// The client's TLS: an OpenSSL context per verification setting (made once, shared by every
// connection with the same settings), and a session for one server (SNI, host name check).

#include <memory>
#include <string>
#include <system_error>

#include <openssl/types.h>

#include "../server/tls_transport.hpp"
#include "restws/websocket/client.hpp"
#include "restws/websocket/protocol/ws_url.hpp"

namespace restws::websocket::basic::detail {

/// The context for `settings` (TLS 1.2 at least; the CA file or the system's trust store).
/// Null, with `why` set, if the CA file cannot be loaded.
std::shared_ptr<SSL_CTX> client_tls_context(const client_tls_settings_t& settings,
                                            std::string& why);

/// A client session to `url`'s host: SNI for names, and with verification the certificate must
/// name the host (DNS name, or IP address for a literal). Null, with `why`, on failure.
restws::detail::tls_transport_ptr_t client_tls_session(SSL_CTX* context,
                                                       const protocol::ws_url_t& url, bool verify,
                                                       std::string& why);

}  // namespace restws::websocket::basic::detail
