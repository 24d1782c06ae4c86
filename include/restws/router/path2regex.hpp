#pragma once
// Route patterns of the express router, compiled to an ECMAScript regular expression, with the
// rules of Express's path-to-regexp 1.x (as RESTinio's path2regex):
//   "/users/:id"          named parameter, one path segment ([^/]+?)
//   "/users/:id(\\d+)"    named parameter with a regex constraint
//   "/users/:id?"         optional parameter (its leading '/' is optional too)
//   "/files/:path*"       zero or more segments;   "/files/:path+"  one or more
//   "/(\\d+)"             unnamed group: an indexed parameter (params[0], params[1], ...)
//   "/static/*"           wildcard: an indexed parameter matching anything (.*)
//   "\\:"                 a backslash makes the next character literal
// Capturing groups inside a constraint are made non-capturing, so parameter numbering never
// depends on the constraint's text.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace restws::router {

/// How a route pattern matches (path-to-regexp's options, RESTinio's defaults).
struct path2regex_options_t {
  bool sensitive = false;  ///< case-sensitive match (default: case-insensitive, as RESTinio)
  bool strict = false;     ///< if false, a trailing '/' in the path is optional
  bool ending = true;      ///< if false, the route matches a prefix ending at a '/' or the end
};

/// One parameter of a route, in capture-group order.
struct route_param_key_t {
  std::string name;       ///< empty for indexed (unnamed) parameters
  std::size_t index = 0;  ///< position among the indexed parameters (unnamed only)
  bool optional = false;
};

struct compiled_route_t {
  std::string regex;  ///< ECMAScript pattern; capture group i+1 is keys[i]
  std::vector<route_param_key_t> keys;
  /// For a route without parameters matched to the end (options.ending): the path it matches
  /// (its literal text, without the trailing '/' unless options.strict). The route then matches
  /// exactly what literal_route_matches() accepts, which is what `regex` matches, without a regex.
  std::optional<std::string> literal;
};

/// Whether `path` matches a literal route (compiled_route_t::literal) compiled with `options`:
/// equal to it (ASCII case-insensitively unless options.sensitive), or, unless options.strict,
/// equal to it followed by one '/'.
bool literal_route_matches(std::string_view literal, std::string_view path,
                           const path2regex_options_t& options) noexcept;

/// Compiles a route pattern. Throws std::invalid_argument on an unbalanced '(' / ')' or an empty
/// group, at registration time. Pure function, thread-safe.
compiled_route_t path2regex(std::string_view route, const path2regex_options_t& options = {});

}  // namespace restws::router
