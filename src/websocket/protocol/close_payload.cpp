#include "restws/websocket/protocol/close_payload.hpp"

#include "restws/websocket/protocol/utf8_validator.hpp"

namespace restws::websocket::protocol {
namespace {

// Length of the longest prefix of `text` that is complete, valid UTF-8 and at most `limit` bytes.
std::size_t valid_utf8_prefix(std::string_view text, std::size_t limit) noexcept {
  utf8_validator_t v;
  std::size_t end = 0;  // end of the last complete character accepted
  const std::size_t n = text.size() < limit ? text.size() : limit;
  for (std::size_t i = 0; i < n; ++i) {
    if (!v.feed(text.substr(i, 1))) break;
    if (!v.in_sequence()) end = i + 1;
  }
  return end;
}

}  // namespace

std::string make_close_payload(status_code_t code, std::string_view reason) {
  std::string payload = status_code_to_bin(code);
  payload.append(reason.substr(0, valid_utf8_prefix(reason, max_close_reason_size)));
  return payload;
}

close_info_t parse_close_payload(std::string_view payload) noexcept {
  if (payload.size() < 2) return {};
  return {status_code_from_bin(payload), payload.substr(2)};
}

}  // namespace restws::websocket::protocol
