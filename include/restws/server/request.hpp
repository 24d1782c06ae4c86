#pragma once
// request_t: one parsed HTTP request handed to the user's handler, with the means to answer it.
// CONTRACT shared by server/, router/ and websocket/: owners may add members, not change these.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <asio/ip/tcp.hpp>

#include "restws/http/header_fields.hpp"
#include "restws/http/method.hpp"
#include "restws/http/status.hpp"
#include "restws/server/request_handling_status.hpp"
#include "restws/server/response_builder.hpp"
#include "restws/server/response_sink.hpp"

namespace restws {

/// What the Connection field asks for: RESTinio's `req->header().connection()`.
enum class http_connection_header_t : std::uint8_t { close, keep_alive, upgrade };

/// Request line and fields, owned.
class http_request_header_t {
 public:
  http_request_header_t() = default;
  http_request_header_t(http::method_t method, std::string target, unsigned major, unsigned minor,
                        http_header_fields_t fields, http_connection_header_t connection);

  http::method_t method() const noexcept { return method_; }
  std::string_view request_target() const noexcept { return target_; }
  /// Target up to '?' (or '#').
  std::string_view path() const noexcept;
  /// After '?', up to '#'; empty if none.
  std::string_view query() const noexcept;
  unsigned http_major() const noexcept { return major_; }
  unsigned http_minor() const noexcept { return minor_; }
  http_connection_header_t connection() const noexcept { return connection_; }
  bool should_keep_alive() const noexcept {
    return connection_ == http_connection_header_t::keep_alive;
  }

  const http_header_fields_t& fields() const noexcept { return fields_; }
  bool has_field(std::string_view name) const noexcept { return fields_.has_field(name); }
  const std::string& get_field(std::string_view name) const { return fields_.get_field(name); }
  std::string_view value_of(std::string_view name, std::string_view def = {}) const noexcept {
    return fields_.value_of(name, def);
  }

 private:
  http::method_t method_ = http::method_t::get;
  std::string target_ = "/";
  unsigned major_ = 1;
  unsigned minor_ = 1;
  http_header_fields_t fields_;
  http_connection_header_t connection_ = http_connection_header_t::keep_alive;
};

/// One request handed to the user's handler. Always owned by a std::shared_ptr (request_handle_t):
/// response builders keep the request alive until they are done.
///
/// Thread-safety: the accessors are safe from any thread (the request is immutable); a response
/// may be created and sent from any thread, the connection marshals it to its io_context.
/// What TLS agreed on a connection (request_t::tls()). Fixed once its handshake is done.
struct tls_info_t {
  std::string version;       ///< "TLSv1.3", "TLSv1.2"
  std::string cipher;        ///< OpenSSL's name: "TLS_AES_256_GCM_SHA384"
  std::string server_name;   ///< the name the client asked for (SNI), empty if none
  std::string alpn;          ///< "http/1.1", or empty if the client offered no ALPN
  std::string peer_subject;  ///< the client certificate's subject (RFC 2253), empty if none
};

class request_t : public std::enable_shared_from_this<request_t> {
 public:
  /// Builds a request whose response goes to `sink`. The server does this for each request; unit
  /// tests do it with their own sink (e.g. recording_response_sink_t) to run handlers without a
  /// socket.
  request_t(request_id_t request_id, http_request_header_t header, std::string body,
            std::shared_ptr<response_sink_t> sink, connection_id_t connection_id = 0,
            asio::ip::tcp::endpoint remote_endpoint = {})
      : request_id_{request_id},
        connection_id_{connection_id},
        header_{std::move(header)},
        body_{std::move(body)},
        sink_{std::move(sink)},
        remote_endpoint_{remote_endpoint} {}

  request_t(const request_t&) = delete;
  request_t& operator=(const request_t&) = delete;

  const http_request_header_t& header() const noexcept { return header_; }
  /// The decoded body (chunked bodies are de-chunked); empty if none.
  const std::string& body() const noexcept { return body_; }
  /// Trailer fields of a chunked body, if any.
  const http_header_fields_t& trailers() const noexcept { return trailers_; }
  void set_trailers(http_header_fields_t t) { trailers_ = std::move(t); }
  request_id_t request_id() const noexcept { return request_id_; }
  connection_id_t connection_id() const noexcept { return connection_id_; }
  const asio::ip::tcp::endpoint& remote_endpoint() const noexcept { return remote_endpoint_; }
  /// The connection's TLS parameters, null over plain TCP.
  const tls_info_t* tls() const noexcept { return tls_.get(); }
  /// The subject of the certificate the client presented (mutual TLS: verified against the
  /// CAs of restws::verify_client_certificates()), empty if none or plain TCP.
  std::string_view tls_peer_subject() const noexcept {
    return tls_ ? std::string_view{tls_->peer_subject} : std::string_view{};
  }
  void set_tls(std::shared_ptr<const tls_info_t> info) noexcept { tls_ = std::move(info); }

  /// Starts the response to this request. `Output` is restws_controlled_output_t (default: the
  /// body is collected, Content-Length set by done()) or chunked_output_t. Create one response per
  /// request; a second done() for the same request is ignored by the connection.
  template <typename Output = restws_controlled_output_t>
  response_builder_t<Output> create_response(http_status_line_t status = status_ok()) {
    return response_builder_t<Output>{shared_from_this(), status};
  }

  /// The sink responses go to (the connection, or a test sink).
  response_sink_t& sink() const noexcept { return *sink_; }

 private:
  request_id_t request_id_;
  connection_id_t connection_id_;
  http_request_header_t header_;
  std::string body_;
  http_header_fields_t trailers_;
  std::shared_ptr<response_sink_t> sink_;
  asio::ip::tcp::endpoint remote_endpoint_;
  std::shared_ptr<const tls_info_t> tls_;
};

using request_handle_t = std::shared_ptr<request_t>;

}  // namespace restws
