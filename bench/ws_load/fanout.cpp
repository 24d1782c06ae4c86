#include "fanout.hpp"

#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fanout_check.hpp"
#include "handshake.hpp"
#include "proc_stats.hpp"

namespace ws_load {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::uint64_t payload_seed = 0xFA17;
// A run whose deliveries stop for this long has lost some: it ends (and fails) then.
constexpr auto stall_limit = std::chrono::seconds(2);

struct peer {
  int fd = -1;
  std::string early;  // bytes that came with the upgrade answer (frames already)
};

double seconds_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A blocking connect and upgrade, each step bounded by `timeout` seconds; then non-blocking.
// Returns the socket, or -1 with `reason` set.
int open_websocket(const options& opts, const sockaddr_in& server, std::mt19937_64& rng,
                   std::string& early, std::string& reason) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    reason = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(opts.connect_timeout);
  limit.tv_usec = static_cast<suseconds_t>(std::fmod(opts.connect_timeout, 1.0) * 1e6);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto fail = [&](std::string why) {
    reason = std::move(why);
    ::close(fd);
    return -1;
  };
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
    return fail(std::string("connect: ") + std::strerror(errno));
  }
  const std::string key = make_websocket_key(rng);
  const std::string request = make_upgrade_request(opts.host, opts.port, opts.path, key);
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return fail(std::string("sending the upgrade request: ") + std::strerror(errno));
  }
  const std::string accept = expected_accept(key);
  std::string answer;
  std::array<char, 4096> buffer{};
  while (true) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n <= 0) {
      return fail(n == 0 ? "closed by the server during the upgrade"
                         : std::string("reading the upgrade answer: ") + std::strerror(errno));
    }
    answer.append(buffer.data(), static_cast<std::size_t>(n));
    std::size_t header_size = 0;
    std::string why;
    const auto status = check_upgrade_response(answer, accept, header_size, why);
    if (status == handshake_status::rejected) return fail("upgrade refused: " + why);
    if (status == handshake_status::accepted) {
      early = answer.substr(header_size);
      break;
    }
  }
  const timeval none{};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  return fd;
}

// The run's state: connections, what the publisher has sent, what the subscribers got.
class fanout_run {
 public:
  fanout_run(const options& opts, const volatile std::sig_atomic_t& interrupted)
      : opts_(opts),
        interrupted_(interrupted),
        window_(opts.fanout, opts.fanout_window),
        reference_(opts.size, {}, payload_seed),
        message_(opts.size, {0x12, 0x34, 0x56, 0x78}, payload_seed) {}
  ~fanout_run() {
    for (auto& p : subscribers_) {
      if (p.fd >= 0) ::close(p.fd);
    }
    if (publisher_.fd >= 0) ::close(publisher_.fd);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }

  int run(const sockaddr_in& server);

 private:
  bool connect_all(const sockaddr_in& server);
  void fail(const std::string& what);
  bool watch(int fd, std::uint64_t id);
  void publish_what_the_window_allows();
  void on_subscriber(std::size_t index);
  void on_publisher();
  void measure();
  int report(double elapsed, std::optional<double> cpu_seconds);

  const options& opts_;
  const volatile std::sig_atomic_t& interrupted_;
  fanout_window window_;
  outgoing_message reference_;  // what subscribers compare with
  outgoing_message message_;    // what the publisher sends (masked)
  std::vector<peer> subscribers_;
  std::vector<fanout_subscriber> checks_;
  peer publisher_;
  int epoll_fd_ = -1;
  std::vector<unsigned char> out_;  // the publisher's frames not yet taken by its socket
  std::size_t out_sent_ = 0;
  std::vector<unsigned char> read_buffer_ = std::vector<unsigned char>(256 * 1024);
  std::uint64_t published_ = 0;
  bool publishing_ = true;  // until --max-messages or --seconds
  std::uint64_t deliveries_ = 0;
  std::uint64_t mismatches_ = 0, errors_ = 0, handshake_failures_ = 0, publisher_received_ = 0;
  std::size_t established_ = 0;
  std::size_t done_subscribers_ = 0;  // failed ones: they get nothing more
  std::uint64_t reported_ = 0;
  clock_type::time_point last_progress_;
};

void fanout_run::fail(const std::string& what) {
  if (reported_++ < 3) std::fprintf(stderr, "ws_load: %s\n", what.c_str());
}

bool fanout_run::watch(int fd, std::uint64_t id) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = id;
  return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

// The subscribers first, then the publisher: every subscriber is open (and, subscribing in its
// open handler, subscribed) before the first message.
bool fanout_run::connect_all(const sockaddr_in& server) {
  std::mt19937_64 rng(std::random_device{}());
  const auto deadline =
      clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                              std::chrono::duration<double>(opts_.connect_timeout));
  subscribers_.resize(opts_.fanout);
  checks_.assign(opts_.fanout, fanout_subscriber{reference_});
  for (std::size_t i = 0; i <= opts_.fanout; ++i) {
    peer& p = i < opts_.fanout ? subscribers_[i] : publisher_;
    std::string reason;
    if (clock_type::now() >= deadline || interrupted_) {
      reason = "not established within --connect-timeout";
    } else {
      p.fd = open_websocket(opts_, server, rng, p.early, reason);
    }
    if (p.fd < 0) {
      ++handshake_failures_;
      fail("connection " + std::to_string(i) + ": " + reason);
      continue;
    }
    ++established_;
    if (!watch(p.fd, i)) {
      fail(std::string("epoll_ctl: ") + std::strerror(errno));
      return false;
    }
  }
  return handshake_failures_ == 0;
}

void fanout_run::publish_what_the_window_allows() {
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  }
  while (publishing_ && (opts_.max_messages == 0 || published_ < opts_.max_messages) &&
         window_.may_send(published_) && out_.size() < 64 * 1024) {
    message_.set_sequence(published_++);
    const auto frame = message_.frame();
    out_.insert(out_.end(), frame.begin(), frame.end());
  }
  while (out_sent_ < out_.size()) {
    const ssize_t n =
        ::send(publisher_.fd, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
    if (n > 0) {
      out_sent_ += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // the rest next turn
      ++errors_;
      fail(std::string("the publisher's send: ") + std::strerror(errno));
      return;
    }
  }
}

void fanout_run::on_subscriber(std::size_t index) {
  peer& p = subscribers_[index];
  if (p.fd < 0) return;
  auto done = [&](const std::string& what, std::uint64_t& counter) {
    ++counter;
    fail("subscriber " + std::to_string(index) + ": " + what + " (after " +
         std::to_string(checks_[index].received()) + " messages)");
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, p.fd, nullptr);
    ::close(p.fd);
    p.fd = -1;
    ++done_subscribers_;
  };
  auto delivered = [&](std::uint64_t sequence) {
    window_.delivered(sequence);
    ++deliveries_;
  };
  auto feed = [&](std::span<const unsigned char> bytes) {
    switch (checks_[index].consume(bytes, delivered)) {
      case fanout_subscriber::result::ok:
        return true;
      case fanout_subscriber::result::mismatch:
        done("a message lost, out of order or corrupted", mismatches_);
        return false;
      case fanout_subscriber::result::protocol_error:
        done("bad frame from the server", errors_);
        return false;
      case fanout_subscriber::result::closed_by_server:
        done("close frame from the server", errors_);
        return false;
    }
    return false;
  };
  if (!p.early.empty()) {
    const std::string early = std::move(p.early);
    p.early.clear();
    if (!feed({reinterpret_cast<const unsigned char*>(early.data()), early.size()})) return;
  }
  while (true) {
    const ssize_t n = ::recv(p.fd, read_buffer_.data(), read_buffer_.size(), MSG_DONTWAIT);
    if (n > 0) {
      if (!feed({read_buffer_.data(), static_cast<std::size_t>(n)})) return;
      if (static_cast<std::size_t>(n) < read_buffer_.size()) return;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      return done(n == 0 ? "closed by the server" : std::strerror(errno), errors_);
    }
  }
}

// The server must not send the publisher its own messages (ws_t::publish skips the sender).
void fanout_run::on_publisher() {
  while (true) {
    const ssize_t n = ::recv(publisher_.fd, read_buffer_.data(), read_buffer_.size(), MSG_DONTWAIT);
    if (n > 0) {
      publisher_received_ += static_cast<std::uint64_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      ++errors_;
      fail(std::string("publisher: ") + (n == 0 ? "closed by the server" : std::strerror(errno)));
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, publisher_.fd, nullptr);
      return;
    }
  }
}

// Publishes until --max-messages are sent or --seconds pass, then waits for what is in flight;
// ends when everything sent has reached every subscriber, when deliveries stall (something was
// lost), on a failure or a signal.
void fanout_run::measure() {
  const auto start = clock_type::now();
  const auto deadline = start + std::chrono::duration_cast<clock_type::duration>(
                                    std::chrono::duration<double>(opts_.seconds));
  last_progress_ = start;
  auto next_report = start + std::chrono::seconds(1);
  std::uint64_t last_deliveries = 0;
  int second = 0;
  for (std::size_t i = 0; i < subscribers_.size(); ++i) {
    if (!subscribers_[i].early.empty()) on_subscriber(i);
  }
  std::array<epoll_event, 512> events{};
  while (!interrupted_ && done_subscribers_ == 0 && errors_ == 0) {
    const auto now = clock_type::now();
    if (now >= deadline) publishing_ = false;
    if (opts_.max_messages != 0 && published_ >= opts_.max_messages) publishing_ = false;
    if (!publishing_ && window_.complete() >= published_ && out_sent_ == out_.size()) break;
    if (now - last_progress_ >= stall_limit) break;
    if (now >= next_report) {
      std::printf("second=%d deliveries_per_s=%llu published=%llu\n", ++second,
                  static_cast<unsigned long long>(deliveries_ - last_deliveries),
                  static_cast<unsigned long long>(published_));
      std::fflush(stdout);
      last_deliveries = deliveries_;
      next_report += std::chrono::seconds(1);
    }
    publish_what_the_window_allows();
    const int ready = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 10);
    const std::uint64_t before = deliveries_;
    for (int i = 0; i < ready; ++i) {
      const std::uint64_t id = events[i].data.u64;
      if (id == opts_.fanout) {
        on_publisher();
      } else {
        on_subscriber(static_cast<std::size_t>(id));
      }
    }
    if (deliveries_ != before) last_progress_ = clock_type::now();
  }
}

int fanout_run::run(const sockaddr_in& server) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    std::fprintf(stderr, "ws_load: epoll_create1: %s\n", std::strerror(errno));
    return 1;
  }
  const auto connect_start = clock_type::now();
  const bool connected = connect_all(server);
  std::printf("started established=%zu connect_seconds=%.3f\n", established_,
              seconds_between(connect_start, clock_type::now()));
  std::fflush(stdout);
  if (!connected) return report(0.0, std::nullopt);
  // Subscribing happens in the server's open handler, on the connection's thread; a hub that
  // tells its other threads of a new subscriber may take a moment longer: let it settle.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int pid = opts_.server_pid;
  const std::optional<double> cpu_start = pid ? process_cpu_seconds(pid) : std::nullopt;
  const auto start = clock_type::now();
  measure();
  const double elapsed = seconds_between(start, clock_type::now());
  const std::optional<double> cpu_end = pid ? process_cpu_seconds(pid) : std::nullopt;
  std::optional<double> cpu;
  if (cpu_start && cpu_end) {
    cpu = *cpu_end - *cpu_start;
  } else if (pid) {
    std::fprintf(stderr, "ws_load: cannot read /proc/%d\n", pid);
  }
  return report(elapsed, cpu);
}

std::string format(std::optional<double> value, int precision) {
  if (!value) return "na";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", precision, *value);
  return text;
}

int fanout_run::report(double elapsed, std::optional<double> cpu_seconds) {
  // Every message sent is owed to every subscriber: measure() waited for those in flight.
  const std::uint64_t expected = published_ * opts_.fanout;
  const std::uint64_t lost = expected - deliveries_;
  std::optional<double> us_per_delivery;
  if (cpu_seconds && deliveries_ > 0) {
    us_per_delivery = *cpu_seconds * 1e6 / static_cast<double>(deliveries_);
  }
  const int pid = opts_.server_pid;
  const std::uint64_t peak = pid ? process_memory_kib(pid, "VmHWM").value_or(0) : 0;
  std::printf(
      "summary mode=fanout subscribers=%zu established=%zu size=%zu window=%zu seconds=%.3f "
      "published=%llu complete=%llu deliveries=%llu deliveries_per_s=%.1f "
      "expected_deliveries=%llu lost=%llu mismatches=%llu errors=%llu handshake_failures=%llu "
      "publisher_received_bytes=%llu server_cpu_seconds=%s server_us_per_delivery=%s "
      "server_peak_rss_kib=%s\n",
      opts_.fanout, established_, opts_.size, opts_.fanout_window, elapsed,
      static_cast<unsigned long long>(published_),
      static_cast<unsigned long long>(window_.complete()),
      static_cast<unsigned long long>(deliveries_),
      elapsed > 0 ? static_cast<double>(deliveries_) / elapsed : 0.0,
      static_cast<unsigned long long>(expected), static_cast<unsigned long long>(lost),
      static_cast<unsigned long long>(mismatches_), static_cast<unsigned long long>(errors_),
      static_cast<unsigned long long>(handshake_failures_),
      static_cast<unsigned long long>(publisher_received_), format(cpu_seconds, 3).c_str(),
      format(us_per_delivery, 3).c_str(), peak ? std::to_string(peak).c_str() : "na");
  std::fflush(stdout);
  if (deliveries_ == 0) std::fprintf(stderr, "ws_load: no message was delivered\n");
  if (publisher_received_) {
    std::fprintf(stderr, "ws_load: the server sent the publisher %llu bytes (its own messages?)\n",
                 static_cast<unsigned long long>(publisher_received_));
  }
  if (lost != 0) {
    std::fprintf(stderr, "ws_load: %llu of %llu deliveries never arrived\n",
                 static_cast<unsigned long long>(lost), static_cast<unsigned long long>(expected));
  }
  const bool failed = handshake_failures_ != 0 || errors_ != 0 || mismatches_ != 0 ||
                      deliveries_ == 0 || publisher_received_ != 0 || lost != 0 || interrupted_;
  return failed ? 1 : 0;
}

}  // namespace

int run_fanout(const options& opts, const sockaddr_in& server,
               const volatile std::sig_atomic_t& interrupted) {
  fanout_run run(opts, interrupted);
  return run.run(server);
}

}  // namespace ws_load
