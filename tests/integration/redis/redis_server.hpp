#pragma once
// A real redis-server for the bridge's tests: on 127.0.0.1 and a free port, no persistence,
// started, stopped, restarted (same port), paused (SIGSTOP) and resumed by the test. Every wait
// is bounded. A missing binary is a failure the test reports (start() returns false and says
// why), never a silent skip. Also a small synchronous client (hiredis) to ask Redis what it sees.

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace restws::testing {

class redis_server_t {
 public:
  /// Reserves a free loopback port (the kernel's choice); nothing runs yet.
  redis_server_t() : port_{free_port()} {}
  ~redis_server_t() { stop(); }
  redis_server_t(const redis_server_t&) = delete;
  redis_server_t& operator=(const redis_server_t&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& error() const { return error_; }

  /// Starts redis-server and waits (bounded) until it answers PING. False, with error(), if the
  /// binary is missing or it does not come up.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
    const std::string binary = RESTWS_TEST_REDIS_SERVER;
    if (::access(binary.c_str(), X_OK) != 0) {
      error_ = "redis-server not found at " + binary +
               ": install it (Debian package redis-server; scripts/deps.sh does it)";
      return false;
    }
    const std::string port = std::to_string(port_);
    std::vector<std::string> args{
        binary, "--port",       port, "--bind",      "127.0.0.1", "--save",
        "",     "--appendonly", "no", "--daemonize", "no",        "--dir",
        "/tmp", "--logfile",    "",   "--loglevel",  "warning"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    // Not the test's sockets: a client socket shared with redis-server would stay open (no FIN)
    // when the test closes it.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      error_ = "cannot start " + binary;
      return false;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        error_ = "redis-server exited at start (port " + port + " taken?)";
        return false;
      }
      if (command({"PING"}) == "PONG") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{5});  // polling its port
    }
    error_ = "redis-server did not answer PING on port " + port;
    return false;
  }

  /// Stops it (SIGTERM, then SIGKILL if it does not exit within the bound) and reaps it.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);  // a paused server cannot act on SIGTERM
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{2});
    }
    pid_ = -1;
  }

  void pause() { ::kill(pid_, SIGSTOP); }
  void resume() { ::kill(pid_, SIGCONT); }

  /// Sends one command on a fresh connection (1 s timeouts) and returns a string reply, the
  /// number of an integer reply, the elements of an array joined by '\n' (sorted), or "" on
  /// failure.
  std::string command(const std::vector<std::string>& args) const {
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeval{1, 0});
    if (c == nullptr) return {};
    std::unique_ptr<redisContext, void (*)(redisContext*)> guard{c, redisFree};
    if (c->err != 0 || redisSetTimeout(c, timeval{1, 0}) != REDIS_OK) return {};
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (r == nullptr) return {};
    std::unique_ptr<redisReply, void (*)(void*)> reply{r, freeReplyObject};
    switch (r->type) {
      case REDIS_REPLY_STRING:
      case REDIS_REPLY_STATUS:
        return std::string{r->str, r->len};
      case REDIS_REPLY_INTEGER:
        return std::to_string(r->integer);
      case REDIS_REPLY_ARRAY: {
        std::vector<std::string> items;
        for (std::size_t i = 0; i < r->elements; ++i) {
          const redisReply* e = r->element[i];
          items.push_back(e->type == REDIS_REPLY_INTEGER ? std::to_string(e->integer)
                                                         : std::string{e->str, e->len});
        }
        if (args.size() >= 2 && args[1] == "CHANNELS") std::sort(items.begin(), items.end());
        std::string joined;
        for (const auto& i : items) joined += (joined.empty() ? "" : "\n") + i;
        return joined;
      }
      default:
        return {};
    }
  }

  /// PUBSUB CHANNELS `pattern`: the channels someone is subscribed to, sorted, '\n'-joined.
  std::string channels(const std::string& pattern = "*") const {
    return command({"PUBSUB", "CHANNELS", pattern});
  }

 private:
  static std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
    ::close(fd);
    return port;
  }

  std::uint16_t port_;
  pid_t pid_ = -1;
  std::string error_;
};

}  // namespace restws::testing
