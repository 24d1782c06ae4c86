#pragma once
// An owned, ordered list of header fields with case-insensitive lookup (RFC 9110 §5.1).
// Used for parsed requests, responses under construction, and upgrade() extra fields.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace restws::http {

/// ASCII case-insensitive comparison of field names.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// True if the comma-separated list `value` holds `token` (case-insensitive, OWS trimmed),
/// e.g. has_token("keep-alive, Upgrade", "upgrade").
bool has_token(std::string_view value, std::string_view token) noexcept;

struct header_field_t {
  std::string name;
  std::string value;
};

class http_header_fields_t {
 public:
  using container_t = std::vector<header_field_t>;

  http_header_fields_t() = default;
  http_header_fields_t(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

  /// Appends a field, keeping any earlier field of the same name (repeated fields are legal).
  void add_field(std::string name, std::string value);
  /// The same, copying from views straight into the new field.
  void emplace_field(std::string_view name, std::string_view value);
  /// Replaces every field of that name by one field with `value`.
  void set_field(std::string name, std::string value);
  /// Removes every field of that name; returns how many were removed.
  std::size_t remove_field(std::string_view name);

  bool has_field(std::string_view name) const noexcept;
  /// The first field of that name, if any.
  std::optional<std::string_view> opt_value_of(std::string_view name) const noexcept;
  /// The first field of that name, or `default_value`.
  std::string_view value_of(std::string_view name,
                            std::string_view default_value = {}) const noexcept;
  /// RESTinio's spelling: the first value or throws std::out_of_range.
  const std::string& get_field(std::string_view name) const;
  std::string get_field(std::string_view name, std::string_view default_value) const;
  /// Number of fields with that name.
  std::size_t count(std::string_view name) const noexcept;
  /// Calls f(value) for each field of that name, in order.
  template <typename F>
  void for_each_value_of(std::string_view name, F&& f) const {
    for (const auto& field : fields_)
      if (iequals(field.name, name)) f(std::string_view{field.value});
  }

  std::size_t fields_count() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  auto begin() const noexcept { return fields_.begin(); }
  auto end() const noexcept { return fields_.end(); }
  void clear() noexcept { fields_.clear(); }
  void reserve(std::size_t n) { fields_.reserve(n); }

 private:
  container_t fields_;
};

}  // namespace restws::http

namespace restws {
using http::http_header_fields_t;
}
