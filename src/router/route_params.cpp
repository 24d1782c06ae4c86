#include "restws/router/route_params.hpp"

#include <stdexcept>

namespace restws::router {

route_params_t::span_t route_params_t::store(std::string_view s) {
  const span_t span{buf_.size(), s.size()};
  buf_.append(s);
  return span;
}

void route_params_t::set_match(std::string_view m) { match_ = store(m); }

void route_params_t::add_named(std::string_view name, std::string_view value) {
  const auto n = store(name);
  named_.push_back({n, store(value)});
}

void route_params_t::add_indexed(std::string_view value) { indexed_.push_back(store(value)); }

const route_params_t::named_t* route_params_t::find(std::string_view name) const noexcept {
  for (const auto& p : named_)
    if (view(p.name) == name) return &p;
  return nullptr;
}

std::string_view route_params_t::operator[](std::string_view name) const {
  if (const auto* p = find(name)) return view(p->value);
  throw std::out_of_range{"route parameter not found: " + std::string{name}};
}

std::string_view route_params_t::operator[](std::size_t index) const {
  if (index < indexed_.size()) return view(indexed_[index]);
  throw std::out_of_range{"route parameter index out of range: " + std::to_string(index)};
}

std::optional<std::string_view> route_params_t::get_param(std::string_view name) const noexcept {
  if (const auto* p = find(name)) return view(p->value);
  return std::nullopt;
}

}  // namespace restws::router
