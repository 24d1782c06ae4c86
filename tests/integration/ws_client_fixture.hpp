#pragma once
// The client side of the client tests: an io_context on its own thread, async_connect() made
// synchronous for the test, and an inbox of what the client's handler received.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include "restws/websocket/client.hpp"
#include "restws/websocket/message.hpp"

namespace restws::testing {

namespace rwc = restws::websocket::basic;

struct received_t {
  rwc::opcode_t opcode;
  std::string payload;
  bool fin = true;
};

/// What the client's message handler got, in order; waits are bounded.
struct inbox_t {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<received_t> messages;

  void push(received_t m) {
    std::lock_guard lock{mutex};
    messages.push_back(std::move(m));
    changed.notify_all();
  }
  std::optional<received_t> pop(std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
    std::unique_lock lock{mutex};
    if (!changed.wait_for(lock, timeout, [&] { return !messages.empty(); })) return std::nullopt;
    auto m = std::move(messages.front());
    messages.pop_front();
    return m;
  }
};

class client_runner_t {
 public:
  client_runner_t() : thread_{[this] { io.run(); }} {}
  ~client_runner_t() {
    work_.reset();
    io.stop();
    thread_.join();
  }

  struct result_t {
    std::error_code ec;
    rwc::ws_handle_t ws;
  };

  /// Connects and waits (bounded) for the outcome; messages go to `inbox`.
  result_t connect(const std::string& url, std::shared_ptr<inbox_t> inbox,
                   rwc::client_settings_t settings = {}) {
    auto promise = std::make_shared<std::promise<result_t>>();
    auto future = promise->get_future();
    rwc::async_connect(
        io, url,
        [inbox](rwc::ws_handle_t, rwc::message_handle_t m) {
          inbox->push(
              {m->opcode(), std::string{m->payload()}, m->final_flag() == rwc::final_frame});
        },
        [promise](const std::error_code& ec, rwc::ws_handle_t ws) {
          promise->set_value({ec, std::move(ws)});
        },
        std::move(settings));
    if (future.wait_for(std::chrono::seconds{20}) != std::future_status::ready) {
      ADD_FAILURE() << "async_connect did not complete";
      return {std::make_error_code(std::errc::timed_out), nullptr};
    }
    return future.get();
  }

  asio::io_context io;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io);
  std::thread thread_;
};

}  // namespace restws::testing
