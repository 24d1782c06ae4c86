// ws_load --fanout: the window, one subscriber's check of its stream, the options, and whole
// runs against a small in-process fan-out server (a faithful one, and ones that lose or
// misorder a message, or send the publisher its own messages: each must fail the run).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "fanout.hpp"
#include "fanout_check.hpp"
#include "handshake.hpp"
#include "options.hpp"

namespace ws_load {
namespace {

std::vector<unsigned char> server_frame(std::span<const unsigned char> payload,
                                        unsigned char opcode = 0x2) {
  std::vector<unsigned char> out{static_cast<unsigned char>(0x80 | opcode)};
  if (payload.size() < 126) {
    out.push_back(static_cast<unsigned char>(payload.size()));
  } else {
    out.push_back(126);
    out.push_back(static_cast<unsigned char>(payload.size() >> 8));
    out.push_back(static_cast<unsigned char>(payload.size()));
  }
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// The publisher's message k as a server frame.
std::vector<unsigned char> published(outgoing_message& m, std::uint64_t k) {
  m.set_sequence(k);
  return server_frame(m.payload());
}

TEST(ws_load_fanout_window, lets_a_window_of_messages_go_then_waits_for_the_slowest) {
  fanout_window w(2, 3);
  EXPECT_TRUE(w.may_send(0));
  EXPECT_TRUE(w.may_send(2));
  EXPECT_FALSE(w.may_send(3));
  w.delivered(0);
  EXPECT_FALSE(w.may_send(3));  // one of two subscribers has message 0
  w.delivered(0);
  EXPECT_EQ(w.complete(), 1u);
  EXPECT_TRUE(w.may_send(3));
  EXPECT_FALSE(w.may_send(4));
}

TEST(ws_load_fanout_window, completes_messages_in_order_as_subscribers_catch_up) {
  fanout_window w(2, 4);
  for (std::uint64_t k = 0; k < 3; ++k) w.delivered(k);  // the fast subscriber
  EXPECT_EQ(w.complete(), 0u);
  for (std::uint64_t k = 0; k < 3; ++k) w.delivered(k);
  EXPECT_EQ(w.complete(), 3u);
  for (std::uint64_t k = 3; k < 1000; ++k) {  // slots are reused around the ring
    w.delivered(k);
    w.delivered(k);
  }
  EXPECT_EQ(w.complete(), 1000u);
}

TEST(ws_load_fanout_subscriber, takes_messages_in_order_split_anywhere) {
  outgoing_message sender(100, {1, 2, 3, 4}, 7), reference(100, {}, 7);
  std::vector<unsigned char> stream;
  for (std::uint64_t k = 0; k < 5; ++k) {
    const auto f = published(sender, k);
    stream.insert(stream.end(), f.begin(), f.end());
  }
  const auto ping = server_frame({}, 0x9);
  stream.insert(stream.begin() + 102, ping.begin(), ping.end());  // between messages 0 and 1
  fanout_subscriber s(reference);
  std::vector<std::uint64_t> got;
  for (std::size_t at = 0; at < stream.size(); at += 7) {
    const std::size_t n = std::min<std::size_t>(7, stream.size() - at);
    ASSERT_EQ(s.consume({stream.data() + at, n}, [&](std::uint64_t k) { got.push_back(k); }),
              fanout_subscriber::result::ok);
  }
  EXPECT_EQ(got, (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(s.received(), 5u);
}

TEST(ws_load_fanout_subscriber, calls_a_skipped_message_a_mismatch) {
  outgoing_message sender(100, {1, 2, 3, 4}, 7), reference(100, {}, 7);
  fanout_subscriber s(reference);
  auto first = published(sender, 0), third = published(sender, 2);
  int calls = 0;
  EXPECT_EQ(s.consume(first, [&](std::uint64_t) { ++calls; }), fanout_subscriber::result::ok);
  EXPECT_EQ(s.consume(third, [&](std::uint64_t) { ++calls; }), fanout_subscriber::result::mismatch);
  EXPECT_EQ(calls, 1);
}

TEST(ws_load_fanout_subscriber, calls_other_bytes_text_or_close_what_they_are) {
  outgoing_message sender(100, {1, 2, 3, 4}, 7), reference(100, {}, 7), other(100, {}, 8);
  auto none = [](std::uint64_t) {};
  EXPECT_EQ(fanout_subscriber(reference).consume(published(other, 0), none),
            fanout_subscriber::result::mismatch);
  sender.set_sequence(0);
  EXPECT_EQ(fanout_subscriber(reference).consume(server_frame(sender.payload(), 0x1), none),
            fanout_subscriber::result::mismatch);
  const std::vector<unsigned char> close{0x88, 0x02, 0x03, 0xE8};
  EXPECT_EQ(fanout_subscriber(reference).consume(close, none),
            fanout_subscriber::result::closed_by_server);
}

std::optional<options> parse(std::vector<const char*> args, std::string& error) {
  std::vector<char*> argv{const_cast<char*>("ws_load")};
  for (const char* arg : args) argv.push_back(const_cast<char*>(arg));
  return parse_options(static_cast<int>(argv.size()), argv.data(), error);
}

TEST(ws_load_fanout_options, reads_subscribers_and_window) {
  std::string error;
  const auto opts = parse({"--fanout", "1000", "--fanout-window", "8", "--size", "100"}, error);
  ASSERT_TRUE(opts) << error;
  EXPECT_EQ(opts->fanout, 1000u);
  EXPECT_EQ(opts->fanout_window, 8u);
  EXPECT_EQ(parse({}, error)->fanout, 0u);
  EXPECT_EQ(parse({}, error)->fanout_window, 32u);
}

TEST(ws_load_fanout_options, refuses_zero_and_other_modes) {
  for (const auto& args :
       std::vector<std::vector<const char*>>{{"--fanout", "0"},
                                             {"--fanout-window", "0"},
                                             {"--fanout", "10", "--idle"},
                                             {"--fanout", "10", "--flood"},
                                             {"--fanout", "10", "--tls"},
                                             {"--fanout", "10", "--deflate"},
                                             {"--fanout", "10", "--handshakes"}}) {
    std::string error;
    EXPECT_FALSE(parse(args, error)) << args.back();
    EXPECT_FALSE(error.empty());
  }
}

// ---- whole runs against an in-process server -------------------------------------------------

// How the test server treats message k for subscriber i: what it sends instead (nothing, or
// the publisher's frames as they are).
enum class fault { none, drop_last_for_one, swap_two_for_one, echo_to_publisher };

bool read_request(int fd, std::string& key) {
  std::string in;
  char c;
  while (in.find("\r\n\r\n") == std::string::npos) {
    if (::recv(fd, &c, 1, 0) != 1) return false;
    in += c;
  }
  const auto at = in.find("Sec-WebSocket-Key: ");
  if (at == std::string::npos) return false;
  key = in.substr(at + 19, in.find("\r\n", at) - at - 19);
  return true;
}

void send_all(int fd, const std::vector<unsigned char>& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// Accepts `subscribers` + 1 WebSockets (the last one publishes), forwards each message the
// publisher sends to every subscriber (with `f` applied), until the publisher goes.
class fanout_test_server {
 public:
  fanout_test_server(std::size_t subscribers, std::uint64_t messages, fault f)
      : subscribers_(subscribers), messages_(messages), fault_(f) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listener_, 64), 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &size);
    address_ = a;
    thread_ = std::thread([this] { serve(); });
  }
  ~fanout_test_server() {
    thread_.join();
    ::close(listener_);
  }
  const sockaddr_in& address() const { return address_; }

 private:
  void serve() {
    std::vector<int> fds;
    for (std::size_t i = 0; i <= subscribers_; ++i) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      std::string key;
      if (fd < 0 || !read_request(fd, key)) return;
      const std::string answer =
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: " +
          expected_accept(key) + "\r\n\r\n";
      ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
      fds.push_back(fd);
    }
    const int publisher = fds.back();
    fds.pop_back();
    std::vector<unsigned char> held;  // swap_two_for_one: message 1 waits for message 2
    for (std::uint64_t k = 0;; ++k) {
      unsigned char head[6];  // the client's frames: 100 bytes, masked (2 + 4 bytes of header)
      if (::recv(publisher, head, sizeof head, MSG_WAITALL) != sizeof head) break;
      std::vector<unsigned char> payload(head[1] & 0x7F);
      if (::recv(publisher, payload.data(), payload.size(), MSG_WAITALL) !=
          static_cast<ssize_t>(payload.size())) {
        break;
      }
      for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= head[2 + i % 4];
      const auto frame = server_frame(payload);
      for (std::size_t i = 0; i < fds.size(); ++i) {
        const bool chosen = i == fds.size() / 2;
        if (chosen && fault_ == fault::drop_last_for_one && k + 1 == messages_) continue;
        if (chosen && fault_ == fault::swap_two_for_one && k == 1) {
          held = frame;
          continue;
        }
        send_all(fds[i], frame);
        if (chosen && fault_ == fault::swap_two_for_one && k == 2) send_all(fds[i], held);
      }
      if (fault_ == fault::echo_to_publisher) send_all(publisher, frame);
    }
    for (int fd : fds) ::close(fd);
    ::close(publisher);
  }

  std::size_t subscribers_;
  std::uint64_t messages_;
  fault fault_;
  int listener_ = -1;
  sockaddr_in address_{};
  std::thread thread_;
};

volatile std::sig_atomic_t not_interrupted = 0;

int run_against(fault f, std::size_t subscribers, std::uint64_t messages) {
  fanout_test_server server(subscribers, messages, f);
  options opts;
  opts.fanout = subscribers;
  opts.fanout_window = 4;
  opts.size = 100;
  opts.max_messages = messages;
  opts.seconds = 20;
  opts.port = ntohs(server.address().sin_port);
  return run_fanout(opts, server.address(), not_interrupted);
}

TEST(ws_load_fanout_run, succeeds_when_every_subscriber_gets_every_message) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_against(fault::none, 20, 200), 0);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("summary mode=fanout subscribers=20 established=21"), std::string::npos)
      << out;
  EXPECT_NE(out.find(" published=200 complete=200 deliveries=4000 "), std::string::npos) << out;
  EXPECT_NE(out.find(" lost=0 mismatches=0 errors=0 "), std::string::npos) << out;
}

TEST(ws_load_fanout_run, fails_when_a_subscriber_misses_the_last_message) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_against(fault::drop_last_for_one, 10, 50), 1);  // after a 2 s stall
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find(" deliveries=499 "), std::string::npos) << out;
  EXPECT_NE(out.find(" expected_deliveries=500 lost=1 "), std::string::npos) << out;
}

TEST(ws_load_fanout_run, fails_when_a_subscriber_gets_messages_out_of_order) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_against(fault::swap_two_for_one, 10, 50), 1);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find(" mismatches=1 "), std::string::npos) << out;
}

TEST(ws_load_fanout_run, fails_when_the_publisher_gets_its_own_messages) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_against(fault::echo_to_publisher, 5, 50), 1);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(out.find(" publisher_received_bytes=0 "), std::string::npos) << out;
}

}  // namespace
}  // namespace ws_load
