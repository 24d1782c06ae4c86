#pragma once
// A small blocking HTTP test client over POSIX sockets. Every wait is bounded by a timeout
// (poll), so a broken server fails the test instead of hanging it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace restws::testing {

using namespace std::chrono_literals;

struct http_response_t {
  int status = 0;
  std::string head;  ///< status line and fields, with the final CRLFCRLF
  std::multimap<std::string, std::string> fields;  ///< names lower-cased
  std::string body;                                ///< decoded (de-chunked)

  std::string field(const std::string& lower_name) const {
    const auto it = fields.find(lower_name);
    return it == fields.end() ? std::string{} : it->second;
  }
  bool has_field(const std::string& lower_name) const { return fields.count(lower_name) != 0; }
};

class test_client_t {
 public:
  /// Connects to host:port (an IPv4 or IPv6 literal). connected() tells whether it worked.
  explicit test_client_t(std::uint16_t port, const std::string& host = "127.0.0.1") {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (host.find(':') != std::string::npos) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(port);
      if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1) return;
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(port);
      if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) return;
      len = sizeof *a;
    }
    fd_ = ::socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~test_client_t() {
    if (fd_ >= 0) ::close(fd_);
  }
  test_client_t(const test_client_t&) = delete;
  test_client_t& operator=(const test_client_t&) = delete;

  bool connected() const { return fd_ >= 0; }

  /// Sends all of `data`; false on error (e.g. the server closed).
  bool send(std::string_view data) {
    while (!data.empty()) {
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  /// Reads one response (an interim 1xx one too). nullopt on timeout, close or garbage.
  /// `head_only`: the response to a HEAD request (no body whatever the fields say).
  std::optional<http_response_t> read_response(std::chrono::milliseconds timeout = 5s,
                                               bool head_only = false) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(deadline)) return std::nullopt;
    http_response_t r;
    r.head = buffer_.substr(0, head_end + 4);
    if (r.head.compare(0, 9, "HTTP/1.1 ") != 0 && r.head.compare(0, 9, "HTTP/1.0 ") != 0)
      return std::nullopt;
    r.status = std::atoi(r.head.c_str() + 9);
    std::size_t pos = r.head.find("\r\n") + 2;
    while (pos < head_end) {
      const auto eol = r.head.find("\r\n", pos);
      const auto line = r.head.substr(pos, eol - pos);
      const auto colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.fields.emplace(name, value);
      pos = eol + 2;
    }
    buffer_.erase(0, head_end + 4);
    if (head_only || r.status < 200 || r.status == 204 || r.status == 304) return r;
    if (r.has_field("content-length")) {
      const auto n = std::stoul(r.field("content-length"));
      while (buffer_.size() < n)
        if (!fill(deadline)) return std::nullopt;
      r.body = buffer_.substr(0, n);
      buffer_.erase(0, n);
    } else if (r.field("transfer-encoding") == "chunked") {
      for (;;) {
        std::size_t eol;
        while ((eol = buffer_.find("\r\n")) == std::string::npos)
          if (!fill(deadline)) return std::nullopt;
        const auto size = std::stoul(buffer_.substr(0, eol), nullptr, 16);
        while (buffer_.size() < eol + 2 + size + 2)
          if (!fill(deadline)) return std::nullopt;
        r.body += buffer_.substr(eol + 2, size);
        buffer_.erase(0, eol + 2 + size + 2);
        if (size == 0) break;  // no trailers from our server
      }
    } else {  // delimited by close
      while (fill(deadline)) {
      }
      r.body = std::move(buffer_);
      buffer_.clear();
    }
    return r;
  }

  /// Waits until the server closes the connection (EOF or reset). Bytes received meanwhile are
  /// kept in buffered(). False on timeout.
  bool wait_closed(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fill(deadline)) {
    }
    return closed_;
  }

  /// True if nothing arrives within `quiet` (and the connection is still open).
  bool stays_silent(std::chrono::milliseconds quiet) {
    const auto before = buffer_.size();
    fill(std::chrono::steady_clock::now() + quiet);
    return buffer_.size() == before && !closed_;
  }

  /// Bytes received but not yet consumed by read_response().
  const std::string& buffered() const { return buffer_; }
  bool closed() const { return closed_; }

 private:
  // One recv, waiting at most until deadline. False on timeout, EOF or error.
  bool fill(std::chrono::steady_clock::time_point deadline) {
    if (closed_ || fd_ < 0) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[16384];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool closed_ = false;
  std::string buffer_;
};

}  // namespace restws::testing
