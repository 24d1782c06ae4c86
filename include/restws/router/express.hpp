#pragma once
// express_router_t: RESTinio's express router. Routes are path patterns (path2regex.hpp) bound
// to a method and a handler `(request_handle_t, route_params_t) -> request_handling_status_t`;
// the router itself is a request handler `(request_handle_t) -> request_handling_status_t`, so
// `settings.request_handler(std::make_unique<express_router_t<>>())` works.
//
// Dispatch of a request (path = header().path(), i.e. the target without query; for an
// absolute-form target, its path part):
//  1. The path is normalised (percent_encoding.hpp); a malformed %-sequence is answered 400, a
//     path longer than Engine::max_input_size is answered 414.
//  2. The first route (in registration order) with the request's method whose pattern matches
//     gets the request; its result is returned (no fall-through to later routes).
//  3. HEAD: if no HEAD route matches, the first matching GET route serves it (RFC 9110 §9.3.2:
//     HEAD is GET without content; the response builder leaves the body out for HEAD).
//  4. If routes of other methods match the path: 405 Method Not Allowed with an Allow field
//     listing them (HEAD included whenever GET is); for a method the server does not know
//     (method_t::unknown) 501 Not Implemented instead (RFC 9110 §9.1).
//  5. Otherwise the non-matched handler, if set, else request_rejected() (the server answers 404).
//
// Thread-safety: register routes before the server runs; dispatch (operator()) is const and may
// run on several threads at once.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "restws/http/method.hpp"
#include "restws/http/status.hpp"
#include "restws/router/path2regex.hpp"
#include "restws/router/percent_encoding.hpp"
#include "restws/router/route_params.hpp"
#include "restws/router/std_regex_engine.hpp"
#include "restws/server/request.hpp"

namespace restws::router {

using express_request_handler_t =
    std::function<request_handling_status_t(request_handle_t, route_params_t)>;
using non_matched_request_handler_t = std::function<request_handling_status_t(request_handle_t)>;

namespace detail {

/// Bit of a method in an allowed-methods mask.
constexpr std::uint32_t method_bit(http::method_t m) noexcept {
  return std::uint32_t{1} << static_cast<unsigned>(m);
}
/// "GET, HEAD, POST" for a mask (enum order; HEAD added when GET is present).
std::string allow_field_value(std::uint32_t methods);
/// Sends a response with no body and returns request_accepted().
request_handling_status_t answer(const request_handle_t& req, http_status_line_t status);
/// Sends 405 with `Allow` and returns request_accepted().
request_handling_status_t answer_method_not_allowed(const request_handle_t& req,
                                                    std::uint32_t methods);
/// The path of an absolute-form target ("http://h:1/p" -> "/p", "http://h" -> "/", RFC 9112
/// §3.2.2); other paths unchanged.
std::string_view origin_path(std::string_view path) noexcept;
/// Fills `params` from the submatches (named: only those that matched; indexed: all, in order).
template <typename Engine>
void fill_params(route_params_t& params, std::string_view path,
                 const typename Engine::match_results_t& m,
                 const std::vector<route_param_key_t>& keys) {
  params.set_match(Engine::submatch(path, m, 0).value_or(std::string_view{}));
  std::string decoded;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto sm = Engine::submatch(path, m, i + 1);
    decoded.clear();
    if (sm) decode_percent_encoding(*sm, decoded);  // valid: the path was normalised
    if (!keys[i].name.empty()) {
      if (sm) params.add_named(keys[i].name, decoded);
    } else {
      params.add_indexed(decoded);
    }
  }
}

}  // namespace detail

template <typename Regex_Engine = std_regex_engine_t>
class express_router_t {
 public:
  express_router_t() = default;

  /// Adds a route for `method`. Throws std::invalid_argument on a malformed pattern.
  void add_handler(http_method_t method, std::string_view route,
                   express_request_handler_t handler) {
    add_handler(method, route, path2regex_options_t{}, std::move(handler));
  }
  /// Same, with path2regex options (case sensitivity, strict trailing slash, prefix match).
  void add_handler(http_method_t method, std::string_view route,
                   const path2regex_options_t& options, express_request_handler_t handler) {
    auto compiled = path2regex(route, options);
    entries_.push_back({method, Regex_Engine::compile_regex(compiled.regex, options.sensitive),
                        std::move(compiled.keys), std::move(compiled.literal), options,
                        std::move(handler)});
  }

  void http_get(std::string_view route, express_request_handler_t h) {
    add_handler(http::method_t::get, route, std::move(h));
  }
  void http_post(std::string_view route, express_request_handler_t h) {
    add_handler(http::method_t::post, route, std::move(h));
  }
  void http_put(std::string_view route, express_request_handler_t h) {
    add_handler(http::method_t::put, route, std::move(h));
  }
  void http_delete(std::string_view route, express_request_handler_t h) {
    add_handler(http::method_t::delete_, route, std::move(h));
  }
  void http_patch(std::string_view route, express_request_handler_t h) {
    add_handler(http::method_t::patch, route, std::move(h));
  }
  void http_head(std::string_view route, express_request_handler_t h) {
    add_handler(http::method_t::head, route, std::move(h));
  }
  void http_options(std::string_view route, express_request_handler_t h) {
    add_handler(http::method_t::options, route, std::move(h));
  }

  /// Handler for requests no route matches (by path). Without one they are rejected (404).
  void non_matched_request_handler(non_matched_request_handler_t h) { non_matched_ = std::move(h); }

  /// Dispatches a request as described at the top of this file. Exceptions from handlers
  /// propagate to the caller (the server answers 500).
  request_handling_status_t operator()(request_handle_t req) const {
    std::string path;
    if (!normalize_percent_encoding(detail::origin_path(req->header().path()), path))
      return detail::answer(req, status_bad_request());
    if (path.size() > Regex_Engine::max_input_size)
      return detail::answer(req, http::status_line(414));
    const auto method = req->header().method();
    typename Regex_Engine::match_results_t m;
    for (const auto& e : entries_)
      if (e.method == method && matches(e, path, m)) return call(e, std::move(req), path, m);
    if (method == http::method_t::head)
      for (const auto& e : entries_)
        if (e.method == http::method_t::get && matches(e, path, m))
          return call(e, std::move(req), path, m);
    std::uint32_t allowed = 0;
    for (const auto& e : entries_)
      if ((allowed & detail::method_bit(e.method)) == 0 && matches(e, path, m))
        allowed |= detail::method_bit(e.method);
    if (allowed != 0) {
      if (method == http::method_t::unknown) return detail::answer(req, status_not_implemented());
      return detail::answer_method_not_allowed(req, allowed);
    }
    if (non_matched_) return non_matched_(std::move(req));
    return request_rejected();
  }

 private:
  struct entry_t {
    http_method_t method;
    typename Regex_Engine::compiled_regex_t regex;
    std::vector<route_param_key_t> keys;
    std::optional<std::string> literal;  ///< a route without parameters: matched without regex
    path2regex_options_t options;
    express_request_handler_t handler;
  };

  static bool matches(const entry_t& e, std::string_view path,
                      typename Regex_Engine::match_results_t& m) {
    if (e.literal) return literal_route_matches(*e.literal, path, e.options);
    return Regex_Engine::try_match(path, e.regex, m);
  }

  static request_handling_status_t call(const entry_t& e, request_handle_t req,
                                        std::string_view path,
                                        const typename Regex_Engine::match_results_t& m) {
    route_params_t params;
    if (e.literal)
      params.set_match(path);  // the route matched the whole path
    else
      detail::fill_params<Regex_Engine>(params, path, m, e.keys);
    return e.handler(std::move(req), std::move(params));
  }

  std::vector<entry_t> entries_;
  non_matched_request_handler_t non_matched_;
};

}  // namespace restws::router
