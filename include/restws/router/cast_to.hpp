#pragma once
// restws::cast_to<T>(text): converts a route parameter (or any text) to a value, as RESTinio's
// cast_to. Supports integers, floating point, std::string and std::string_view.

#include <charconv>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace restws {

/// Converts all of `text` to T. Integers: optional '-' (signed types only) and decimal digits;
/// floating point: std::from_chars general format. Throws std::invalid_argument if `text` is not
/// entirely a number, std::out_of_range if it does not fit T.
template <typename T>
T cast_to(std::string_view text) {
  if constexpr (std::is_same_v<T, std::string>) {
    return std::string{text};
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return text;
  } else {
    static_assert(
        (std::is_integral_v<T> && !std::is_same_v<T, bool>) || std::is_floating_point_v<T>,
        "cast_to: unsupported type");
    T value{};
    const char* const end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec == std::errc::result_out_of_range)
      throw std::out_of_range{"cast_to: value out of range: " + std::string{text}};
    if (ec != std::errc{} || ptr != end || text.empty())
      throw std::invalid_argument{"cast_to: not a number: " + std::string{text}};
    return value;
  }
}

}  // namespace restws
