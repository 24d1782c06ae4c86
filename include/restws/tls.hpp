#pragma once
// https and wss (docs/tls.md). As in RESTinio: TLS traits, and the settings' tls_context():
//
//   using traits_t = restws::tls_traits_t<restws::asio_timer_manager_t,
//                                         restws::single_threaded_ostream_logger_t, router_t>;
//   restws::run(restws::on_this_thread<traits_t>().port(8443)
//                   .tls_context(restws::make_tls_context("chain.pem", "key.pem"))
//                   .request_handler(std::move(router)));
//
// Everything else (router, upgrade(), ws_t, timeouts, limits, backpressure) is unchanged.
// OpenSSL 3 does the TLS, over restws's own buffers and event loop.

#include <string>

#include <asio/ssl/context.hpp>

#include "restws/server/settings.hpp"
#include "restws/server/traits.hpp"

namespace restws {

/// The traits' socket type that makes a server speak TLS. A tag: restws's connections are
/// written once over plain TCP and TLS.
struct tls_socket_t {};

template <typename Timer_Manager, typename Logger,
          typename Request_Handler = default_request_handler_t, typename Strand = default_strand_t>
using tls_traits_t = traits_t<Timer_Manager, Logger, Request_Handler, Strand, tls_socket_t>;

template <typename Timer_Manager, typename Logger,
          typename Request_Handler = default_request_handler_t>
using single_thread_tls_traits_t =
    traits_t<Timer_Manager, Logger, Request_Handler, noop_strand_t, tls_socket_t>;

using default_tls_traits_t = tls_traits_t<asio_timer_manager_t, null_logger_t>;

/// A server context with restws's defaults: the certificate chain (leaf first) and private key
/// from PEM files, TLS 1.2 at least, for TLS 1.2 only ECDHE key exchange with AES-GCM or
/// ChaCha20-Poly1305 (TLS 1.3's suites as OpenSSL has them), session tickets for resumption and
/// no server-side session cache (nothing kept per client). Throws std::system_error naming the
/// file when a file cannot be read or the key does not match the certificate.
asio::ssl::context make_tls_context(const std::string& cert_chain_file,
                                    const std::string& private_key_file);

enum class client_certificate_t {
  required,  ///< a client without a valid certificate fails the handshake
  optional,  ///< a client may send none; one it sends must be valid
};

/// Mutual TLS: clients' certificates are checked against the CAs in `ca_file` (PEM). The
/// subject of the one a client presented is then request_t::tls_peer_subject() and
/// ws_t::tls_peer_subject(). Throws std::system_error if the file cannot be read.
void verify_client_certificates(asio::ssl::context& context, const std::string& ca_file,
                                client_certificate_t mode = client_certificate_t::required);

}  // namespace restws
