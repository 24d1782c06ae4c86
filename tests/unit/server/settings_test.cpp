#include "restws/server/settings.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace restws {
namespace {

using namespace std::chrono_literals;

struct handler_object_t {
  int* calls;
  request_handling_status_t operator()(request_handle_t) const {
    ++*calls;
    return request_rejected();
  }
};

request_handle_t any_request() {
  return std::make_shared<request_t>(1, http_request_header_t{}, "",
                                     std::make_shared<recording_response_sink_t>());
}

TEST(settings, defaults_follow_the_design) {
  const auto s = on_this_thread();
  const auto& c = s.config();
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.address, "");
  EXPECT_EQ(c.buffer_size, 1024u);
  EXPECT_EQ(c.read_next_http_message_timelimit, std::chrono::steady_clock::duration{60s});
  EXPECT_EQ(c.write_http_response_timelimit, std::chrono::steady_clock::duration{5s});
  EXPECT_EQ(c.handle_request_timeout, std::chrono::steady_clock::duration{10s});
  EXPECT_EQ(c.max_pipelined_requests, 1u);
  EXPECT_EQ(c.limits.max_header_section, 16u * 1024);
  EXPECT_EQ(c.limits.max_body, 1024u * 1024);
  EXPECT_EQ(c.thread_count, 1u);
  EXPECT_EQ(on_thread_pool(4).config().thread_count, 4u);
}

TEST(settings, chained_setters_apply) {
  auto s = on_this_thread()
               .port(1234)
               .address("::1")
               .buffer_size(8192)
               .read_next_http_message_timelimit(2s)
               .write_http_response_timelimit(3s)
               .handle_request_timeout(std::chrono::milliseconds{250})
               .max_pipelined_requests(8)
               .max_body_size(10)
               .max_field_count(5)
               .max_header_section_size(100);
  const auto& c = s.config();
  EXPECT_EQ(c.port, 1234);
  EXPECT_EQ(c.address, "::1");
  EXPECT_EQ(c.buffer_size, 8192u);
  EXPECT_EQ(c.read_next_http_message_timelimit, std::chrono::steady_clock::duration{2s});
  EXPECT_EQ(c.handle_request_timeout, std::chrono::steady_clock::duration{250ms});
  EXPECT_EQ(c.max_pipelined_requests, 8u);
  EXPECT_EQ(c.limits.max_body, 10u);
  EXPECT_EQ(c.limits.max_field_count, 5u);
  EXPECT_EQ(c.limits.max_header_section, 100u);
}

TEST(settings, zero_pipelined_requests_means_one) {
  EXPECT_EQ(on_this_thread().max_pipelined_requests(0).config().max_pipelined_requests, 1u);
}

TEST(settings, request_handler_accepts_a_lambda) {
  int calls = 0;
  auto s = on_this_thread().request_handler([&](request_handle_t) {
    ++calls;
    return request_accepted();
  });
  EXPECT_EQ(s.config().handler(any_request()), request_accepted());
  EXPECT_EQ(calls, 1);
}

TEST(settings, request_handler_accepts_a_unique_ptr_to_a_handler_object) {
  int calls = 0;
  using traits = traits_t<asio_timer_manager_t, null_logger_t, handler_object_t>;
  auto s = on_this_thread<traits>().request_handler(
      std::make_unique<handler_object_t>(handler_object_t{&calls}));
  EXPECT_EQ(s.config().handler(any_request()), request_rejected());
  EXPECT_EQ(calls, 1);
}

TEST(settings, logger_is_built_from_the_traits_type) {
  std::ostringstream out;
  using traits = traits_t<asio_timer_manager_t, single_threaded_ostream_logger_t>;
  auto config = on_this_thread<traits>().logger(out).release_config();
  config.logger->warn([] { return std::string{"hello"}; });
  EXPECT_NE(out.str().find("[warn] hello"), std::string::npos);
}

TEST(settings, default_logger_is_created_when_none_given) {
  EXPECT_NE(on_this_thread().release_config().logger, nullptr);
}

TEST(logger, null_logger_never_builds_the_message) {
  null_logger_t l;
  bool built = false;
  l.error([&] {
    built = true;
    return std::string{};
  });
  EXPECT_FALSE(built);
}

}  // namespace
}  // namespace restws
