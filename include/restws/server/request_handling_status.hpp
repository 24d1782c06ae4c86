#pragma once
// What a request handler returns: whether it took charge of the request.

#include <cstdint>

namespace restws {

enum class request_handling_status_t : std::uint8_t { accepted, rejected };
constexpr request_handling_status_t request_accepted() noexcept {
  return request_handling_status_t::accepted;
}
constexpr request_handling_status_t request_rejected() noexcept {
  return request_handling_status_t::rejected;
}

}  // namespace restws
