// Cross-node cost of the Redis bridge: two restws servers ("nodes", each with its own hub and
// bridge) in this process and a redis-server on loopback (started here, no persistence).
//
//   latency     one message at a time, published on A's hub: how long until A's own WebSocket
//               client has it (local delivery) and until B's client has it (through Redis)
//   throughput  messages per second from A's hub to B's client through Redis, at most --window
//               in flight (so that none is lost to max_pending_bytes)
//
// Every loop is bounded in count and in time (--seconds per phase); every read has a timeout.
// Usage: redis_bridge_bench [--samples N] [--messages N] [--size BYTES] [--window N] [--seconds T]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "integration/redis/redis_server.hpp"
#include "integration/ws_test_client.hpp"
#include "restws/all.hpp"
#include "restws/pubsub/redis_bridge.hpp"
#include "restws/websocket/websocket.hpp"

namespace {

namespace rws = restws::websocket::basic;
using clock_type = std::chrono::steady_clock;
using traits_t = restws::default_traits_t;

struct options_t {
  int samples = 2000;
  int messages = 50000;
  std::size_t size = 64;
  int window = 256;
  int seconds = 30;
};

options_t parse(int argc, char** argv) {
  options_t o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const long v = std::strtol(argv[i + 1], nullptr, 10);
    if (k == "--samples") o.samples = static_cast<int>(v);
    if (k == "--messages") o.messages = static_cast<int>(v);
    if (k == "--size") o.size = static_cast<std::size_t>(v);
    if (k == "--window") o.window = static_cast<int>(v);
    if (k == "--seconds") o.seconds = static_cast<int>(v);
  }
  return o;
}

// A server whose every WebSocket subscribes to topic "bench" at once.
class node_t {
 public:
  explicit node_t(std::uint16_t redis_port) {
    restws::pubsub::redis_bridge_settings_t s;
    s.port = redis_port;
    s.log = [](std::string_view) {};
    bridge = restws::pubsub::make_redis_bridge(std::move(s));
    hub->set_bridge(bridge);
    rws::ws_settings_t ws;
    ws.keep_open = true;
    server_ = std::make_unique<restws::http_server_t<traits_t>>(
        restws::on_thread_pool<traits_t>(1)
            .port(0)
            .address("127.0.0.1")
            .topics(hub)
            .request_handler([ws](restws::request_handle_t req) {
              auto wsh = rws::upgrade<traits_t>(
                  *req, rws::activation_t::immediate,
                  [](rws::ws_handle_t, rws::message_handle_t) {}, ws);
              wsh->subscribe("bench");
              return restws::request_accepted();
            }));
    server_->open();
  }
  ~node_t() { server_->close(); }
  std::uint16_t port() const { return server_->port(); }

  rws::topic_hub_handle_t hub = rws::topic_hub_t::make();
  std::shared_ptr<restws::pubsub::redis_bridge_t> bridge;

 private:
  std::unique_ptr<restws::http_server_t<traits_t>> server_;
};

template <typename P>
bool wait_until(P pred, std::chrono::seconds bound) {
  const auto deadline = clock_type::now() + bound;
  while (!pred()) {
    if (clock_type::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  return true;
}

std::unique_ptr<restws::testing::ws_test_client_t> client(const node_t& n) {
  auto c = std::make_unique<restws::testing::ws_test_client_t>(n.port());
  if (!c->connected() || c->handshake("/bench").find(" 101 ") == std::string::npos) return nullptr;
  return c;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  const options_t o = parse(argc, argv);
  restws::testing::redis_server_t redis;
  if (!redis.start()) {
    std::fprintf(stderr, "redis_bridge_bench: %s\n", redis.error().c_str());
    return 1;
  }
  node_t a{redis.port()};
  node_t b{redis.port()};
  auto ca = client(a);
  auto cb = client(b);
  const auto linked = [&] {
    return a.bridge->stats().connected && b.bridge->stats().channels == 1 &&
           a.bridge->stats().channels == 1;
  };
  if (!ca || !cb || !wait_until(linked, std::chrono::seconds{10})) {
    std::fprintf(stderr, "redis_bridge_bench: the nodes did not link up\n");
    return 1;
  }
  const std::string payload(o.size, 'x');
  const std::chrono::seconds bound{o.seconds};

  // ---- latency: one message in flight -----------------------------------------------------------
  std::vector<double> local, cross;
  const auto latency_end = clock_type::now() + bound;
  for (int i = 0; i < o.samples && clock_type::now() < latency_end; ++i) {
    const auto t0 = clock_type::now();
    a.hub->publish("bench", payload);
    if (!ca->read_frame(std::chrono::seconds{5})) break;
    local.push_back(micros(clock_type::now() - t0));
    if (!cb->read_frame(std::chrono::seconds{5})) break;
    cross.push_back(micros(clock_type::now() - t0));
  }

  // ---- throughput: A's hub to B's client, a bounded window in flight
  // ------------------------------
  ca.reset();  // A keeps no local subscriber: what is measured is the bridge
  wait_until([&] { return a.hub->subscriber_count("bench") == 0; }, std::chrono::seconds{5});
  const auto lost_before = a.bridge->stats().lost;
  int sent = 0, received = 0;
  const auto t0 = clock_type::now();
  const auto throughput_end = t0 + bound;
  while (received < o.messages && clock_type::now() < throughput_end) {
    while (sent < o.messages && sent - received < o.window) {
      a.hub->publish("bench", payload);
      ++sent;
    }
    if (!cb->read_frame(std::chrono::seconds{5})) break;
    ++received;
  }
  const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  const auto lost = a.bridge->stats().lost - lost_before;

  std::printf("| measure | value |\n|---|---|\n");
  std::printf("| payload | %zu B |\n", o.size);
  std::printf("| local delivery p50 / p99 (%zu samples) | %.0f / %.0f us |\n", local.size(),
              percentile(local, 0.5), percentile(local, 0.99));
  std::printf("| cross-node delivery p50 / p99 | %.0f / %.0f us |\n", percentile(cross, 0.5),
              percentile(cross, 0.99));
  std::printf("| added by the bridge p50 | %.0f us |\n",
              percentile(cross, 0.5) - percentile(local, 0.5));
  std::printf("| cross-node throughput (window %d) | %.0f msg/s (%d in %.2f s, %llu lost) |\n",
              o.window, received / seconds, received, seconds,
              static_cast<unsigned long long>(lost));
  return received == o.messages && lost == 0 ? 0 : 2;
}
