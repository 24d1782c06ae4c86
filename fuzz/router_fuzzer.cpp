// libFuzzer target for the express router's pure parts and dispatch.
//
// Byte 0 chooses the mode:
//  - even: the rest is a route pattern. path2regex must either throw std::invalid_argument or
//    produce a regex whose capture groups are exactly its parameters (if std::regex accepts it).
//  - odd: the rest is a request target dispatched to a fixed router (attacker-controlled path
//    against trusted routes): no crash, and every request gets a response or is rejected.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>

#include "restws/router/express.hpp"

namespace {

using namespace restws;

void check(bool ok) {
  if (!ok) std::abort();
}

void fuzz_pattern(std::string_view route) {
  router::compiled_route_t c;
  try {
    c = router::path2regex(route);
  } catch (const std::invalid_argument&) {
    return;
  }
  try {
    const std::regex re{c.regex, std::regex::ECMAScript};
    check(re.mark_count() == c.keys.size());
  } catch (const std::regex_error&) {
    // an invalid constraint written by the route's author: rejected at registration
  }
}

const router::express_router_t<>& fixed_router() {
  static const auto r = [] {
    auto router = std::make_unique<router::express_router_t<>>();
    const auto ok = [](request_handle_t req, router::route_params_t p) {
      std::string body;
      for (std::size_t i = 0; i < p.indexed_parameters_size(); ++i) body += p[i];
      for (const char* name : {"id", "name", "rest"})
        if (p.has(name)) body += p[name];
      return req->create_response().set_body(std::move(body)).done();
    };
    router->http_get("/users/:id(\\d+)", ok);
    router->http_get("/users/:name/posts/:id?", ok);
    router->http_post("/files/:rest*", ok);
    router->http_get("/v(\\d+)/static/*", ok);
    router->http_delete("/:name", ok);
    return router;
  }();
  return *r;
}

void fuzz_dispatch(std::string_view target, std::uint8_t method_byte) {
  auto sink = std::make_shared<recording_response_sink_t>();
  const auto method = static_cast<http::method_t>(method_byte % 10);
  auto req = std::make_shared<request_t>(
      1, http_request_header_t{method, std::string{target}, 1, 1, {}, {}}, "", sink);
  const auto st = fixed_router()(req);
  check(st == request_rejected() ? sink->records().empty() : sink->completed());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::string_view rest{reinterpret_cast<const char*>(data) + 2, size - 2};
  if (data[0] % 2 == 0)
    fuzz_pattern(rest);
  else
    fuzz_dispatch(rest, data[1]);
  return 0;
}
