#include "handshake.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace ws_load {
namespace {

constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t max_response_header = 8192;

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string make_websocket_key(std::mt19937_64& rng) {
  std::array<unsigned char, 16> bytes{};
  for (auto& byte : bytes) byte = static_cast<unsigned char>(rng());
  return base64(bytes.data(), bytes.size());
}

std::string expected_accept(std::string_view key) {
  std::string input(key);
  input += websocket_guid;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, EVP_sha1(), nullptr);
  return base64(digest.data(), digest_size);
}

std::string make_upgrade_request(std::string_view host, unsigned port, std::string_view path,
                                 std::string_view key, std::string_view extensions) {
  std::string request;
  request.reserve(256);
  request.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
  request.append(":").append(std::to_string(port));
  request.append(
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: ");
  request.append(key).append("\r\n");
  if (!extensions.empty())
    request.append("Sec-WebSocket-Extensions: ").append(extensions).append("\r\n");
  request.append("\r\n");
  return request;
}

handshake_status check_upgrade_response(std::string_view buffered, std::string_view accept,
                                        std::size_t& header_size, std::string& reason,
                                        std::string* extensions) {
  const auto end = buffered.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (buffered.size() <= max_response_header) return handshake_status::incomplete;
    reason = "response header over 8 KiB";
    return handshake_status::rejected;
  }
  header_size = end + 4;
  std::string_view header = buffered.substr(0, end + 2);
  const auto status_end = header.find("\r\n");
  const auto status_line = header.substr(0, status_end);
  if (status_line.substr(0, 13) != "HTTP/1.1 101 " && status_line != "HTTP/1.1 101") {
    reason = "status line: " + std::string(status_line);
    return handshake_status::rejected;
  }
  header.remove_prefix(status_end + 2);
  bool accept_ok = false;
  bool upgrade_ok = false;
  while (!header.empty()) {
    const auto line_end = header.find("\r\n");
    const auto line = header.substr(0, line_end);
    header.remove_prefix(line_end + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto name = trim(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    if (iequals(name, "sec-websocket-accept")) {
      accept_ok = value == accept;
      if (!accept_ok) reason = "wrong Sec-WebSocket-Accept: " + std::string(value);
    } else if (iequals(name, "upgrade")) {
      upgrade_ok = iequals(value, "websocket");
    } else if (iequals(name, "sec-websocket-extensions")) {
      if (extensions == nullptr) {
        reason = "extension not offered: " + std::string(value);
        return handshake_status::rejected;
      }
      if (!extensions->empty()) *extensions += ", ";
      *extensions += value;
    }
  }
  if (!upgrade_ok) {
    reason = "missing Upgrade: websocket";
    return handshake_status::rejected;
  }
  if (!accept_ok) {
    if (reason.empty()) reason = "missing Sec-WebSocket-Accept";
    return handshake_status::rejected;
  }
  return handshake_status::accepted;
}

}  // namespace ws_load
