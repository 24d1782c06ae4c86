#pragma once
// Starts a restws server on 127.0.0.1, an ephemeral port, with a logger the test can read.

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "restws/all.hpp"

namespace restws::testing {

/// Log lines shared between the server's logger and the test.
struct log_store_t {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> lines;

  /// Waits (bounded) until some line contains `text`.
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, timeout, [&] {
      for (const auto& l : lines)
        if (l.find(text) != std::string::npos) return true;
      return false;
    });
  }

  /// True if some line contains `text`.
  bool contains(const std::string& text) {
    std::lock_guard lock{mutex};
    for (const auto& l : lines)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }

  /// The number of lines that contain `text`.
  std::size_t count(const std::string& text) {
    std::lock_guard lock{mutex};
    std::size_t n = 0;
    for (const auto& l : lines) n += l.find(text) != std::string::npos;
    return n;
  }
};

class capturing_logger_t final : public abstract_logger_t {
 public:
  explicit capturing_logger_t(std::shared_ptr<log_store_t> store = std::make_shared<log_store_t>())
      : store_{std::move(store)} {}
  bool enabled(log_level_t) const noexcept override { return true; }
  void log(log_level_t, std::string_view message) override {
    std::lock_guard lock{store_->mutex};
    store_->lines.emplace_back(message);
    store_->changed.notify_all();
  }

 private:
  std::shared_ptr<log_store_t> store_;
};

/// The HTTP connections' io_uring mode for this run: `on` where CTest sets
/// RESTWS_TEST_HTTP_IO_URING=1 (the http_io_uring.* tests), else `off`, so that neither run
/// depends on what a system call costs on the machine.
inline io_uring_mode_t http_io_uring_mode() {
  const char* v = std::getenv("RESTWS_TEST_HTTP_IO_URING");
  return v != nullptr && std::string_view{v} == "1" ? io_uring_mode_t::on : io_uring_mode_t::off;
}

using test_traits_t = traits_t<asio_timer_manager_t, capturing_logger_t>;
using test_settings_t = server_settings_t<test_traits_t>;

/// Settings with a handler; tests add their own limits and timeouts.
template <typename Handler>
test_settings_t settings_with(Handler&& h) {
  test_settings_t s = on_this_thread<test_traits_t>();
  s.request_handler(std::forward<Handler>(h));
  return s;
}

class test_server_t {
 public:
  explicit test_server_t(test_settings_t settings, const std::string& address = "127.0.0.1") {
    settings.port(0).address(address).logger(log).io_uring(http_io_uring_mode());
    server_ = std::make_unique<http_server_t<test_traits_t>>(settings);
    server_->open();
  }
  std::uint16_t port() const { return server_->port(); }
  void close() { server_->close(); }

  std::shared_ptr<log_store_t> log = std::make_shared<log_store_t>();

 private:
  std::unique_ptr<http_server_t<test_traits_t>> server_;
};

/// A handler answering 200 with the request target as body.
inline request_handling_status_t echo_target(const request_handle_t& req) {
  return req->create_response()
      .append_header("Content-Type", "text/plain")
      .set_body(std::string{req->header().request_target()})
      .done();
}

}  // namespace restws::testing
