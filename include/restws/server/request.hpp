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

namespace restws {

enum class request_handling_status_t : std::uint8_t { accepted, rejected };
constexpr request_handling_status_t request_accepted() noexcept {
  return request_handling_status_t::accepted;
}
constexpr request_handling_status_t request_rejected() noexcept {
  return request_handling_status_t::rejected;
}

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

}  // namespace restws
