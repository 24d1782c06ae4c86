// hello: the smallest restws server.
//   GET /             -> 200 "Hello, World!" (text/plain)
//   GET /hello/:name  -> 200 "Hello, <name>!"
// Usage: hello [--port N] [--address A] [--threads N] [--io-uring on|off|auto]
//              (defaults 8080, localhost, 1, auto: server_settings_t::io_uring)

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include <restws/all.hpp>

namespace {

namespace rr = restws::router;
using router_t = rr::express_router_t<>;

std::unique_ptr<router_t> make_router() {
  auto router = std::make_unique<router_t>();
  router->http_get("/", [](auto req, auto) {
    return req->create_response()
        .append_header("Content-Type", "text/plain")
        .append_header_date_field()
        .set_body("Hello, World!")
        .done();
  });
  router->http_get("/hello/:name", [](auto req, auto params) {
    return req->create_response()
        .append_header("Content-Type", "text/plain")
        .append_header_date_field()
        .set_body("Hello, " + std::string{params["name"]} + "!")
        .done();
  });
  return router;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned port = 8080;
  std::string address = "localhost";
  std::size_t threads = 1;
  auto io_uring = restws::io_uring_mode_t::automatic;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view opt = argv[i];
    if (opt == "--port") {
      port = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
    } else if (opt == "--address") {
      address = argv[i + 1];
    } else if (opt == "--threads") {
      threads = std::strtoul(argv[i + 1], nullptr, 10);
    } else if (opt == "--io-uring" && std::string_view{argv[i + 1]} == "on") {
      io_uring = restws::io_uring_mode_t::on;
    } else if (opt == "--io-uring" && std::string_view{argv[i + 1]} == "off") {
      io_uring = restws::io_uring_mode_t::off;
    } else if (opt == "--io-uring" && std::string_view{argv[i + 1]} == "auto") {
      io_uring = restws::io_uring_mode_t::automatic;
    } else {
      std::cerr << "usage: hello [--port N] [--address A] [--threads N] [--io-uring on|off|auto]\n";
      return 2;
    }
  }
  try {
    using traits_t =
        restws::traits_t<restws::asio_timer_manager_t, restws::shared_ostream_logger_t, router_t>;
    restws::run(restws::on_thread_pool<traits_t>(threads)
                    .port(static_cast<std::uint16_t>(port))
                    .address(address)
                    .io_uring(io_uring)
                    .request_handler(make_router()));
  } catch (const std::exception& ex) {
    std::cerr << "Error: " << ex.what() << std::endl;
    return 1;
  }
  return 0;
}
