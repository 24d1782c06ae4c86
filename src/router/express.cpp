#include "restws/router/express.hpp"

namespace restws::router::detail {

std::string allow_field_value(std::uint32_t methods) {
  if (methods & method_bit(http::method_t::get)) methods |= method_bit(http::method_t::head);
  std::string out;
  for (unsigned m = 0; m < static_cast<unsigned>(http::method_t::unknown); ++m) {
    const auto method = static_cast<http::method_t>(m);
    if ((methods & method_bit(method)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += http::to_string(method);
  }
  return out;
}

std::string_view origin_path(std::string_view path) noexcept {
  if (path.empty() || path.front() == '/') return path;
  const auto scheme_end = path.find("://");
  if (scheme_end == std::string_view::npos) return path;
  const auto slash = path.find('/', scheme_end + 3);
  return slash == std::string_view::npos ? std::string_view{"/"} : path.substr(slash);
}

// The router's own answers carry Date, as every 2xx-4xx response of an origin server with a
// clock must (RFC 9110 §6.6.1).
request_handling_status_t answer(const request_handle_t& req, http_status_line_t status) {
  return req->create_response(status).append_header_date_field().done();
}

request_handling_status_t answer_method_not_allowed(const request_handle_t& req,
                                                    std::uint32_t methods) {
  return req->create_response(status_method_not_allowed())
      .append_header_date_field()
      .append_header("Allow", allow_field_value(methods))
      .done();
}

}  // namespace restws::router::detail
