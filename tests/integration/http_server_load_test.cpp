// Bounded load: several clients on a thread pool, some answers from worker threads, and a stop
// in the middle. Nothing may crash, hang or answer out of order.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "test_client.hpp"
#include "test_server.hpp"

namespace restws::testing {
namespace {

// "/c/r/b", with "/async" for odd b: the path a request asks for and its answer echoes.
// Built with append (GCC 12 -O3 raises a false -Wrestrict on chains of operator+).
std::string path(int c, int r, int b) {
  std::string p;
  p.append("/").append(std::to_string(c)).append("/").append(std::to_string(r));
  p.append("/").append(std::to_string(b));
  if (b % 2) p.append("/async");
  return p;
}

TEST(http_server_load, clients_on_a_thread_pool_get_ordered_answers_until_stop) {
  auto settings = on_thread_pool<test_traits_t>(2);
  settings.max_pipelined_requests(4);
  settings.request_handler([](request_handle_t req) {
    if (req->header().path().ends_with("/async")) {
      std::thread{[req] { echo_target(req); }}.detach();
      return request_accepted();
    }
    return echo_target(req);
  });
  auto server = std::make_unique<test_server_t>(settings);
  const auto port = server->port();

  constexpr int clients = 4, rounds = 50, batch = 4;
  std::atomic<int> answered{0};
  std::mutex m;
  std::condition_variable progress;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      test_client_t client{port};
      for (int r = 0; r < rounds; ++r) {
        std::string requests;
        for (int b = 0; b < batch; ++b)
          requests.append("GET ").append(path(c, r, b)).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
        if (!client.send(requests)) return;
        for (int b = 0; b < batch; ++b) {
          auto resp = client.read_response(5s);
          if (!resp) return;  // the stop may close us between answers
          EXPECT_EQ(resp->body, path(c, r, b));
          ++answered;
          progress.notify_all();
        }
      }
    });
  }
  {  // stop once half the work is done (bounded wait)
    std::unique_lock lock{m};
    progress.wait_for(lock, 20s, [&] { return answered >= clients * rounds * batch / 2; });
  }
  server->close();
  for (auto& t : threads) t.join();
  EXPECT_GT(answered.load(), 0);
}

}  // namespace
}  // namespace restws::testing
