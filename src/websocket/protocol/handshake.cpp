#include "restws/websocket/protocol/handshake.hpp"

#include <stdexcept>

#include "restws/websocket/protocol/base64.hpp"
#include "restws/websocket/protocol/sha1.hpp"

namespace restws::websocket::protocol {
namespace {

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool any_field_has_token(const http::http_header_fields_t& fields, std::string_view name,
                         std::string_view token) noexcept {
  bool found = false;
  fields.for_each_value_of(
      name, [&](std::string_view value) { found = found || http::has_token(value, token); });
  return found;
}

bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  if (name.empty()) throw std::invalid_argument{"empty HTTP field name"};
  for (const char c : name)
    if (!is_tchar(c)) throw std::invalid_argument{"invalid HTTP field name: " + std::string{name}};
  if (value.find_first_of(std::string_view{"\r\n\0", 3}) != std::string_view::npos)
    throw std::invalid_argument{"CR, LF or NUL in the value of HTTP field " + std::string{name}};
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

std::string sec_websocket_accept(std::string_view key) {
  sha1_t hash;
  hash.update(key);
  hash.update(websocket_guid);
  const sha1_digest_t digest = hash.finish();
  return base64_encode(digest);
}

int http_status(upgrade_check_t result) noexcept {
  switch (result) {
    case upgrade_check_t::ok:
      return 101;
    case upgrade_check_t::unsupported_version:
      return 426;
    default:
      return 400;
  }
}

std::string_view describe(upgrade_check_t result) noexcept {
  switch (result) {
    case upgrade_check_t::ok:
      return "valid WebSocket upgrade request";
    case upgrade_check_t::not_get:
      return "WebSocket upgrade must use GET";
    case upgrade_check_t::http_version_too_old:
      return "WebSocket upgrade needs HTTP/1.1";
    case upgrade_check_t::missing_upgrade_websocket:
      return "no 'websocket' in Upgrade";
    case upgrade_check_t::missing_connection_upgrade:
      return "no 'upgrade' in Connection";
    case upgrade_check_t::unsupported_version:
      return "Sec-WebSocket-Version is not 13";
    case upgrade_check_t::bad_key:
      return "Sec-WebSocket-Key missing, repeated or not 16 bytes";
  }
  return "unknown upgrade check result";
}

upgrade_check_t check_upgrade_request(http::method_t method, unsigned http_major,
                                      unsigned http_minor,
                                      const http::http_header_fields_t& fields) noexcept {
  if (method != http::method_t::get) return upgrade_check_t::not_get;
  if (http_major < 1 || (http_major == 1 && http_minor < 1))
    return upgrade_check_t::http_version_too_old;
  if (!any_field_has_token(fields, "Upgrade", "websocket"))
    return upgrade_check_t::missing_upgrade_websocket;
  if (!any_field_has_token(fields, "Connection", "upgrade"))
    return upgrade_check_t::missing_connection_upgrade;

  if (fields.count("Sec-WebSocket-Version") != 1 ||
      trim_ows(fields.value_of("Sec-WebSocket-Version")) != websocket_version)
    return upgrade_check_t::unsupported_version;

  if (fields.count("Sec-WebSocket-Key") != 1) return upgrade_check_t::bad_key;
  if (base64_decoded_size(trim_ows(fields.value_of("Sec-WebSocket-Key"))) != 16u)
    return upgrade_check_t::bad_key;
  return upgrade_check_t::ok;
}

std::string switching_protocols_head(std::string_view accept, std::string_view protocol,
                                     const http::http_header_fields_t& extra_fields) {
  std::string out;
  out.reserve(160);
  out.append("HTTP/1.1 101 Switching Protocols\r\n");
  append_field(out, "Upgrade", "websocket");
  append_field(out, "Connection", "Upgrade");
  if (!accept.empty()) append_field(out, "Sec-WebSocket-Accept", accept);
  if (!protocol.empty()) append_field(out, "Sec-WebSocket-Protocol", protocol);
  for (const auto& f : extra_fields) {
    const bool written = http::iequals(f.name, "Upgrade") || http::iequals(f.name, "Connection") ||
                         (!accept.empty() && http::iequals(f.name, "Sec-WebSocket-Accept")) ||
                         (!protocol.empty() && http::iequals(f.name, "Sec-WebSocket-Protocol"));
    if (!written) append_field(out, f.name, f.value);
  }
  out.append("\r\n");
  return out;
}

std::string upgrade_rejection_response(upgrade_check_t result) {
  std::string out;
  if (result == upgrade_check_t::unsupported_version) {
    out.append("HTTP/1.1 426 Upgrade Required\r\n");
    append_field(out, "Upgrade", "websocket");
    append_field(out, "Sec-WebSocket-Version", websocket_version);
  } else {
    out.append("HTTP/1.1 400 Bad Request\r\n");
  }
  append_field(out, "Content-Length", "0");
  append_field(out, "Connection", "close");
  out.append("\r\n");
  return out;
}

}  // namespace restws::websocket::protocol
