// The express router plugged in as the request handler, as in the seed's sample.

#include <gtest/gtest.h>

#include "test_client.hpp"
#include "test_server.hpp"

namespace restws::testing {
namespace {

using router_t = router::express_router_t<>;
using router_traits_t = traits_t<asio_timer_manager_t, capturing_logger_t, router_t>;

TEST(http_server_router, routes_with_parameters_over_a_socket) {
  auto r = std::make_unique<router_t>();
  r->http_get("/hello/:name", [](auto req, auto params) {
    return req->create_response().set_body("Hello, " + std::string{params["name"]} + "!").done();
  });
  auto settings = on_this_thread<router_traits_t>();
  settings.port(0).address("127.0.0.1").request_handler(std::move(r));
  http_server_t<router_traits_t> server{settings};
  server.open();
  test_client_t c{server.port()};
  ASSERT_TRUE(
      c.send("GET /hello/world HTTP/1.1\r\nHost: t\r\n\r\n"
             "GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto resp = c.read_response();
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->body, "Hello, world!");
  resp = c.read_response();
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 404);
}

}  // namespace
}  // namespace restws::testing
