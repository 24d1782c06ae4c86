#pragma once
// route_params_t: the parameters an express route extracted from a request path.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "restws/router/cast_to.hpp"

namespace restws::router {

/// Named (":id") and indexed ("(\\d+)", "*") parameters of a matched route, owned (values are
/// percent-decoded, see percent_encoding.hpp). Copyable and movable; the views it returns stay
/// valid while the object lives and is not modified. Thread-safety: const use from any thread.
class route_params_t {
 public:
  route_params_t() = default;

  /// The whole part of the (normalised) path the route matched.
  std::string_view match() const noexcept { return view(match_); }

  /// Value of a named parameter. Throws std::out_of_range if the route has no such parameter or
  /// it was an optional one absent from the path.
  std::string_view operator[](std::string_view name) const;
  /// Value of the i-th indexed parameter (unnamed groups and '*', left to right; an optional one
  /// that did not match is empty). Throws std::out_of_range if i >= indexed_parameters_size().
  std::string_view operator[](std::size_t index) const;

  bool has(std::string_view name) const noexcept { return find(name) != nullptr; }
  /// Value of a named parameter, or nullopt.
  std::optional<std::string_view> get_param(std::string_view name) const noexcept;

  /// cast_to<T>(params[name]): throws as operator[] and cast_to do.
  template <typename T>
  T get(std::string_view name) const {
    return cast_to<T>((*this)[name]);
  }
  template <typename T>
  T get(std::size_t index) const {
    return cast_to<T>((*this)[index]);
  }

  std::size_t named_parameters_size() const noexcept { return named_.size(); }
  std::size_t indexed_parameters_size() const noexcept { return indexed_.size(); }

  // Filled by the router.
  void set_match(std::string_view m);
  void add_named(std::string_view name, std::string_view value);
  void add_indexed(std::string_view value);

 private:
  struct span_t {
    std::size_t offset = 0;
    std::size_t size = 0;
  };
  struct named_t {
    span_t name;
    span_t value;
  };
  std::string_view view(span_t s) const noexcept {
    return std::string_view{buf_}.substr(s.offset, s.size);
  }
  span_t store(std::string_view s);
  const named_t* find(std::string_view name) const noexcept;

  std::string buf_;
  span_t match_;
  std::vector<named_t> named_;
  std::vector<span_t> indexed_;
};

/// RESTinio's free spelling: cast_to<T>(params[name]).
template <typename T>
T get(const route_params_t& params, std::string_view name) {
  return params.get<T>(name);
}

}  // namespace restws::router

namespace restws {
using router::route_params_t;
}
