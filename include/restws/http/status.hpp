#pragma once
// HTTP status lines (RFC 9110 §15) with RESTinio-style helpers: status_ok(), status_not_found()...

#include <string_view>

namespace restws::http {

/// Reason phrase for a status code ("OK", "Not Found"...); "Unknown" for unlisted codes.
std::string_view reason_phrase(int code) noexcept;

struct http_status_line_t {
  int code = 200;
  std::string_view reason = "OK";  ///< must outlive the response (string literals do)

  constexpr http_status_line_t() = default;
  constexpr http_status_line_t(int c, std::string_view r) : code{c}, reason{r} {}
};

inline http_status_line_t status_line(int code) noexcept { return {code, reason_phrase(code)}; }

}  // namespace restws::http

namespace restws {
using http::http_status_line_t;
// clang-format off
inline constexpr http_status_line_t status_switching_protocols() { return {101, "Switching Protocols"}; }
inline constexpr http_status_line_t status_ok() { return {200, "OK"}; }
inline constexpr http_status_line_t status_created() { return {201, "Created"}; }
inline constexpr http_status_line_t status_accepted() { return {202, "Accepted"}; }
inline constexpr http_status_line_t status_no_content() { return {204, "No Content"}; }
inline constexpr http_status_line_t status_moved_permanently() { return {301, "Moved Permanently"}; }
inline constexpr http_status_line_t status_found() { return {302, "Found"}; }
inline constexpr http_status_line_t status_not_modified() { return {304, "Not Modified"}; }
inline constexpr http_status_line_t status_bad_request() { return {400, "Bad Request"}; }
inline constexpr http_status_line_t status_unauthorized() { return {401, "Unauthorized"}; }
inline constexpr http_status_line_t status_forbidden() { return {403, "Forbidden"}; }
inline constexpr http_status_line_t status_not_found() { return {404, "Not Found"}; }
inline constexpr http_status_line_t status_method_not_allowed() { return {405, "Method Not Allowed"}; }
inline constexpr http_status_line_t status_request_timeout() { return {408, "Request Timeout"}; }
inline constexpr http_status_line_t status_payload_too_large() { return {413, "Content Too Large"}; }
inline constexpr http_status_line_t status_upgrade_required() { return {426, "Upgrade Required"}; }
inline constexpr http_status_line_t status_request_header_fields_too_large() { return {431, "Request Header Fields Too Large"}; }
inline constexpr http_status_line_t status_internal_server_error() { return {500, "Internal Server Error"}; }
inline constexpr http_status_line_t status_not_implemented() { return {501, "Not Implemented"}; }
inline constexpr http_status_line_t status_service_unavailable() { return {503, "Service Unavailable"}; }
inline constexpr http_status_line_t status_http_version_not_supported() { return {505, "HTTP Version Not Supported"}; }
// clang-format on
}  // namespace restws
