#include <stdexcept>

#include "restws/server/connection_handoff.hpp"
#include "restws/server/request.hpp"

namespace restws {

http_request_header_t::http_request_header_t(http::method_t method, std::string target,
                                             unsigned major, unsigned minor,
                                             http_header_fields_t fields,
                                             http_connection_header_t connection)
    : method_{method},
      target_{std::move(target)},
      major_{major},
      minor_{minor},
      fields_{std::move(fields)},
      connection_{connection} {}

std::string_view http_request_header_t::path() const noexcept {
  const std::string_view t{target_};
  return t.substr(0, t.find_first_of("?#"));
}

std::string_view http_request_header_t::query() const noexcept {
  std::string_view t{target_};
  const auto q = t.find('?');
  if (q == std::string_view::npos) return {};
  t.remove_prefix(q + 1);
  return t.substr(0, t.find('#'));
}

void response_sink_t::write_whole_response(request_id_t id, std::string_view head,
                                           std::string_view body, bool close_connection) {
  response_part_t part;
  if (body.size() <= small_body_size) {
    part.head.reserve(head.size() + body.size());
    part.head.append(head).append(body);
  } else {
    part.head.assign(head);
    part.body.assign(body);
  }
  part.close_connection = close_connection;
  write_response(id, std::move(part));
}

connection_handoff_t response_sink_t::take_connection(request_id_t) {
  throw std::logic_error{"restws: this request's connection cannot be handed off (no socket)"};
}

connection_handoff_t take_connection(request_t& req) {
  return req.sink().take_connection(req.request_id());
}

}  // namespace restws
