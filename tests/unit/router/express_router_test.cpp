#include "restws/router/express.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace restws::router {
namespace {

using router_t = express_router_t<>;

struct fixture_t {
  std::shared_ptr<recording_response_sink_t> sink = std::make_shared<recording_response_sink_t>();
  router_t router;
  std::string called;  ///< which handler ran
  route_params_t params;

  request_handle_t make(http::method_t method, std::string target) {
    return std::make_shared<request_t>(
        1,
        http_request_header_t{
            method, std::move(target), 1, 1, {}, http_connection_header_t::keep_alive},
        "", sink);
  }
  express_request_handler_t record(std::string name) {
    return [this, name](request_handle_t req, route_params_t p) {
      called = name;
      params = std::move(p);
      return req->create_response().set_body(name).done();
    };
  }
  request_handling_status_t run(http::method_t method, std::string target) {
    return router(make(method, std::move(target)));
  }
};

TEST(express_router, dispatches_by_method_and_path) {
  fixture_t f;
  f.router.http_get("/users", f.record("list"));
  f.router.http_post("/users", f.record("create"));
  EXPECT_EQ(f.run(http::method_t::post, "/users"), request_accepted());
  EXPECT_EQ(f.called, "create");
  EXPECT_EQ(f.run(http::method_t::get, "/users?page=2"), request_accepted());
  EXPECT_EQ(f.called, "list");
}

TEST(express_router, every_method_helper_registers_its_method) {
  fixture_t f;
  f.router.http_put("/r", f.record("put"));
  f.router.http_delete("/r", f.record("delete"));
  f.router.http_patch("/r", f.record("patch"));
  f.router.http_head("/r", f.record("head"));
  f.router.http_options("/r", f.record("options"));
  f.router.add_handler(http_method_trace(), "/r", f.record("trace"));
  for (const auto& [m, name] :
       {std::pair{http::method_t::put, "put"}, std::pair{http::method_t::delete_, "delete"},
        std::pair{http::method_t::patch, "patch"}, std::pair{http::method_t::head, "head"},
        std::pair{http::method_t::options, "options"}, std::pair{http::method_t::trace, "trace"}}) {
    f.run(m, "/r");
    EXPECT_EQ(f.called, name);
  }
}

TEST(express_router, first_registered_matching_route_wins) {
  fixture_t f;
  f.router.http_get("/users/me", f.record("me"));
  f.router.http_get("/users/:id", f.record("by_id"));
  f.run(http::method_t::get, "/users/me");
  EXPECT_EQ(f.called, "me");
  f.run(http::method_t::get, "/users/7");
  EXPECT_EQ(f.called, "by_id");
}

TEST(express_router, handler_result_is_returned_without_fall_through) {
  fixture_t f;
  f.router.http_get("/x", [](auto, auto) { return request_rejected(); });
  f.router.http_get("/x", f.record("second"));
  EXPECT_EQ(f.run(http::method_t::get, "/x"), request_rejected());
  EXPECT_EQ(f.called, "");
}

TEST(express_router, named_parameters_are_passed_to_the_handler) {
  fixture_t f;
  f.router.http_get("/users/:user/posts/:post", f.record("post"));
  f.run(http::method_t::get, "/users/bob/posts/12");
  EXPECT_EQ(f.params["user"], "bob");
  EXPECT_EQ(f.params.get<int>("post"), 12);
  EXPECT_EQ(restws::cast_to<int>(f.params["post"]), 12);
  EXPECT_EQ(f.params.match(), "/users/bob/posts/12");
}

TEST(express_router, regex_constraint_selects_the_route) {
  fixture_t f;
  f.router.http_get("/items/:id(\\d+)", f.record("numeric"));
  f.router.http_get("/items/:slug", f.record("slug"));
  f.run(http::method_t::get, "/items/123");
  EXPECT_EQ(f.called, "numeric");
  f.run(http::method_t::get, "/items/abc");
  EXPECT_EQ(f.called, "slug");
}

TEST(express_router, optional_parameter_is_absent_when_not_in_path) {
  fixture_t f;
  f.router.http_get("/users/:id?", f.record("users"));
  f.run(http::method_t::get, "/users");
  EXPECT_EQ(f.called, "users");
  EXPECT_FALSE(f.params.has("id"));
  f.run(http::method_t::get, "/users/5");
  EXPECT_EQ(f.params["id"], "5");
}

TEST(express_router, unnamed_groups_and_wildcard_are_indexed_parameters) {
  fixture_t f;
  f.router.http_get("/v(\\d+)/static/*", f.record("static"));
  f.run(http::method_t::get, "/v2/static/css/site.css");
  EXPECT_EQ(f.called, "static");
  ASSERT_EQ(f.params.indexed_parameters_size(), 2u);
  EXPECT_EQ(f.params[0], "2");
  EXPECT_EQ(f.params[1], "css/site.css");
}

TEST(express_router, parameter_values_are_percent_decoded) {
  fixture_t f;
  f.router.http_get("/files/:name", f.record("file"));
  f.run(http::method_t::get, "/files/a%2Fb%20c");
  EXPECT_EQ(f.called, "file");
  EXPECT_EQ(f.params["name"], "a/b c");
}

TEST(express_router, encoded_unreserved_characters_match_literal_routes) {
  fixture_t f;
  f.router.http_get("/users", f.record("users"));
  f.run(http::method_t::get, "/%75sers");
  EXPECT_EQ(f.called, "users");
}

TEST(express_router, encoded_slash_does_not_split_segments) {
  fixture_t f;
  f.router.http_get("/a/b", f.record("ab"));
  EXPECT_EQ(f.run(http::method_t::get, "/a%2Fb"), request_rejected());
  EXPECT_EQ(f.called, "");
}

TEST(express_router, malformed_percent_encoding_is_answered_400) {
  fixture_t f;
  f.router.http_get("/:x", f.record("x"));
  EXPECT_EQ(f.run(http::method_t::get, "/a%zz"), request_accepted());
  EXPECT_EQ(f.called, "");
  EXPECT_EQ(f.sink->output().substr(0, 24), "HTTP/1.1 400 Bad Request");
}

TEST(express_router, over_long_path_is_answered_414) {
  fixture_t f;
  f.router.http_get("/*", f.record("any"));
  f.run(http::method_t::get, "/" + std::string(std_regex_engine_t::max_input_size, 'a'));
  EXPECT_EQ(f.called, "");
  EXPECT_EQ(f.sink->output().substr(0, 25), "HTTP/1.1 414 URI Too Long");
  EXPECT_NE(f.sink->output().find("\r\nDate: "), std::string::npos);
}

TEST(express_router, path_of_absolute_form_target_is_routed) {
  fixture_t f;
  f.router.http_get("/x", f.record("x"));
  f.run(http::method_t::get, "http://example.com:8080/x?q");
  EXPECT_EQ(f.called, "x");
}

TEST(express_router, head_is_served_by_get_route_without_body) {
  fixture_t f;
  f.router.http_get("/page", f.record("get"));
  EXPECT_EQ(f.run(http::method_t::head, "/page"), request_accepted());
  EXPECT_EQ(f.called, "get");
  EXPECT_EQ(f.sink->output(), "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");
}

TEST(express_router, explicit_head_route_takes_precedence_over_get) {
  fixture_t f;
  f.router.http_get("/page", f.record("get"));
  f.router.http_head("/page", f.record("head"));
  f.run(http::method_t::head, "/page");
  EXPECT_EQ(f.called, "head");
}

TEST(express_router, path_matched_by_other_methods_is_answered_405_with_allow) {
  fixture_t f;
  f.router.http_post("/users/:id", f.record("post"));
  f.router.http_get("/users/:id", f.record("get"));
  f.router.http_delete("/users/:id(\\d+)", f.record("delete"));
  f.router.http_put("/other", f.record("put"));
  EXPECT_EQ(f.run(http::method_t::patch, "/users/1"), request_accepted());
  EXPECT_EQ(f.called, "");
  const std::string out = f.sink->output();
  EXPECT_EQ(out.substr(0, 32), "HTTP/1.1 405 Method Not Allowed\r");
  EXPECT_NE(out.find("\r\nDate: "), std::string::npos) << out;  // RFC 9110 §6.6.1
  EXPECT_NE(out.find("\r\nAllow: GET, HEAD, POST, DELETE\r\n"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\r\nContent-Length: 0\r\n\r\n")) << out;
}

TEST(express_router, allow_lists_only_methods_whose_routes_match_the_path) {
  fixture_t f;
  f.router.http_post("/users/:id", f.record("post"));
  f.router.http_delete("/users/:id(\\d+)", f.record("delete"));
  f.run(http::method_t::get, "/users/bob");
  EXPECT_NE(f.sink->output().find("Allow: POST\r\n"), std::string::npos) << f.sink->output();
}

TEST(express_router, unknown_method_on_a_routed_path_is_answered_501) {
  fixture_t f;
  f.router.http_get("/x", f.record("x"));
  f.run(http::method_t::unknown, "/x");
  EXPECT_EQ(f.sink->output().substr(0, 28), "HTTP/1.1 501 Not Implemented");
}

TEST(express_router, non_matched_request_goes_to_the_non_matched_handler) {
  fixture_t f;
  f.router.http_get("/x", f.record("x"));
  f.router.non_matched_request_handler([&](request_handle_t req) {
    f.called = "fallback";
    return req->create_response(status_not_found()).done();
  });
  EXPECT_EQ(f.run(http::method_t::get, "/nowhere"), request_accepted());
  EXPECT_EQ(f.called, "fallback");
  EXPECT_EQ(f.sink->output().substr(0, 22), "HTTP/1.1 404 Not Found");
}

TEST(express_router, non_matched_request_without_handler_is_rejected) {
  fixture_t f;
  f.router.http_get("/x", f.record("x"));
  EXPECT_EQ(f.run(http::method_t::get, "/y"), request_rejected());
  EXPECT_TRUE(f.sink->records().empty());
}

TEST(express_router, bad_route_pattern_throws_at_registration) {
  fixture_t f;
  EXPECT_THROW(f.router.http_get("/:id(\\d+", f.record("x")), std::invalid_argument);
  EXPECT_THROW(f.router.http_get("/:id([)", f.record("x")), std::invalid_argument);
}

TEST(express_router, routes_match_case_insensitively_by_default) {
  fixture_t f;
  f.router.http_get("/Users", f.record("users"));
  f.router.add_handler(http_method_get(), "/Exact", {.sensitive = true}, f.record("exact"));
  f.run(http::method_t::get, "/USERS");
  EXPECT_EQ(f.called, "users");
  EXPECT_EQ(f.run(http::method_t::get, "/exact"), request_rejected());
}

TEST(express_router, router_is_usable_as_a_unique_ptr_request_handler) {
  auto router = std::make_unique<router_t>();
  auto sink = std::make_shared<recording_response_sink_t>();
  router->http_get("/chat", [](auto req, auto) { return req->create_response().done(); });
  std::function<request_handling_status_t(request_handle_t)> handler =
      [r = std::shared_ptr<router_t>{std::move(router)}](request_handle_t req) {
        return (*r)(std::move(req));
      };
  auto req = std::make_shared<request_t>(
      1, http_request_header_t{http::method_t::get, "/chat", 1, 1, {}, {}}, "", sink);
  EXPECT_EQ(handler(req), request_accepted());
  EXPECT_TRUE(sink->completed());
}

}  // namespace
}  // namespace restws::router
