#pragma once
// HTTP request methods (RFC 9110 §9) as a small enum, with RESTinio-style helpers.

#include <cstdint>
#include <string_view>

namespace restws::http {

enum class method_t : std::uint8_t {
  get,
  head,
  post,
  put,
  delete_,
  connect,
  options,
  trace,
  patch,
  unknown,  ///< a syntactically valid token we do not know; the router answers 501/404 for it
};

/// Maps a method token (case-sensitive, RFC 9110 §9.1) to the enum; `unknown` if not listed.
constexpr method_t method_from_string(std::string_view token) noexcept {
  if (token == "GET") return method_t::get;
  if (token == "POST") return method_t::post;
  if (token == "HEAD") return method_t::head;
  if (token == "PUT") return method_t::put;
  if (token == "DELETE") return method_t::delete_;
  if (token == "OPTIONS") return method_t::options;
  if (token == "PATCH") return method_t::patch;
  if (token == "CONNECT") return method_t::connect;
  if (token == "TRACE") return method_t::trace;
  return method_t::unknown;
}

constexpr std::string_view to_string(method_t m) noexcept {
  switch (m) {
    case method_t::get:
      return "GET";
    case method_t::head:
      return "HEAD";
    case method_t::post:
      return "POST";
    case method_t::put:
      return "PUT";
    case method_t::delete_:
      return "DELETE";
    case method_t::connect:
      return "CONNECT";
    case method_t::options:
      return "OPTIONS";
    case method_t::trace:
      return "TRACE";
    case method_t::patch:
      return "PATCH";
    case method_t::unknown:
      break;
  }
  return "UNKNOWN";
}

}  // namespace restws::http

namespace restws {
using http_method_t = http::method_t;
constexpr http_method_t http_method_get() noexcept { return http_method_t::get; }
constexpr http_method_t http_method_head() noexcept { return http_method_t::head; }
constexpr http_method_t http_method_post() noexcept { return http_method_t::post; }
constexpr http_method_t http_method_put() noexcept { return http_method_t::put; }
constexpr http_method_t http_method_delete() noexcept { return http_method_t::delete_; }
constexpr http_method_t http_method_options() noexcept { return http_method_t::options; }
constexpr http_method_t http_method_patch() noexcept { return http_method_t::patch; }
constexpr http_method_t http_method_connect() noexcept { return http_method_t::connect; }
constexpr http_method_t http_method_trace() noexcept { return http_method_t::trace; }
}  // namespace restws
