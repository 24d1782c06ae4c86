#include "restws/http/header_fields.hpp"

#include <algorithm>
#include <stdexcept>

namespace restws::http {
namespace {

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    // Otherwise equal only as the two cases of one ASCII letter (they differ in bit 0x20).
    const auto l = static_cast<unsigned char>(x | 0x20);
    if ((x ^ y) != 0x20 || l < 'a' || l > 'z') return false;
  }
  return true;
}

bool has_token(std::string_view value, std::string_view token) noexcept {
  while (!value.empty()) {
    const auto comma = value.find(',');
    const auto item = trim(value.substr(0, comma));
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

http_header_fields_t::http_header_fields_t(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  fields_.reserve(fields.size());
  for (const auto& [n, v] : fields) fields_.push_back({std::string{n}, std::string{v}});
}

void http_header_fields_t::add_field(std::string name, std::string value) {
  auto& field = fields_.emplace_back();  // no parenthesised aggregate init: clang 14 builds fuzz/
  field.name = std::move(name);
  field.value = std::move(value);
}

void http_header_fields_t::emplace_field(std::string_view name, std::string_view value) {
  auto& field = fields_.emplace_back();
  field.name.assign(name);
  field.value.assign(value);
}

void http_header_fields_t::set_field(std::string name, std::string value) {
  remove_field(name);
  add_field(std::move(name), std::move(value));
}

std::size_t http_header_fields_t::remove_field(std::string_view name) {
  return std::erase_if(fields_, [&](const header_field_t& f) { return iequals(f.name, name); });
}

bool http_header_fields_t::has_field(std::string_view name) const noexcept {
  return opt_value_of(name).has_value();
}

std::optional<std::string_view> http_header_fields_t::opt_value_of(
    std::string_view name) const noexcept {
  for (const auto& f : fields_)
    if (iequals(f.name, name)) return std::string_view{f.value};
  return std::nullopt;
}

std::string_view http_header_fields_t::value_of(std::string_view name,
                                                std::string_view default_value) const noexcept {
  return opt_value_of(name).value_or(default_value);
}

const std::string& http_header_fields_t::get_field(std::string_view name) const {
  for (const auto& f : fields_)
    if (iequals(f.name, name)) return f.value;
  throw std::out_of_range{"header field not found: " + std::string{name}};
}

std::string http_header_fields_t::get_field(std::string_view name,
                                            std::string_view default_value) const {
  return std::string{value_of(name, default_value)};
}

std::size_t http_header_fields_t::count(std::string_view name) const noexcept {
  return static_cast<std::size_t>(
      std::count_if(fields_.begin(), fields_.end(),
                    [&](const header_field_t& f) { return iequals(f.name, name); }));
}

}  // namespace restws::http
