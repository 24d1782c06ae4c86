#pragma once
// A small blocking WebSocket test client over POSIX sockets: opening handshake, masked frames
// out, frames in. Every wait is bounded (poll with a timeout), so a broken server fails the test
// instead of hanging it.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../support/tls_client.hpp"
#include "restws/websocket/protocol/frame_header.hpp"
#include "restws/websocket/protocol/frame_writer.hpp"
#include "restws/websocket/protocol/opcode.hpp"

namespace restws::testing {

using namespace std::chrono_literals;
namespace wsp = restws::websocket::protocol;

struct ws_frame_t {
  bool fin = true;
  bool rsv1 = false;
  wsp::opcode_t opcode = wsp::opcode_t::text_frame;
  std::string payload;

  /// Close frames: the code (1005 if none).
  int close_code() const {
    if (payload.size() < 2) return 1005;
    return (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
  }
};

class ws_test_client_t {
 public:
  static constexpr std::string_view sample_key = "dGhlIHNhbXBsZSBub25jZQ==";

  /// Connects to 127.0.0.1:port. A `receive_buffer` (bytes) caps the socket's receive buffer,
  /// so that a server writing to a client that does not read soon finds its socket full.
  explicit ws_test_client_t(std::uint16_t port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0)
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~ws_test_client_t() {
    if (ssl_) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }

  /// Speaks TLS from now on (wss): the handshake with `ctx` as `server_name`. False (and
  /// tls_error() says why) if it fails.
  bool start_tls(SSL_CTX* ctx, const std::string& server_name = "localhost") {
    ssl_ = tls_connect(fd_, ctx, server_name, tls_error_);
    return ssl_ != nullptr;
  }
  const std::string& tls_error() const { return tls_error_; }
  SSL* ssl() const { return ssl_; }
  ws_test_client_t(const ws_test_client_t&) = delete;
  ws_test_client_t& operator=(const ws_test_client_t&) = delete;

  bool connected() const { return fd_ >= 0; }
  /// Half-closes: sends our FIN, still reads.
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  /// Sends an upgrade request for `path` and reads the response head; returns it ("" on
  /// timeout). Bytes after the head stay buffered for read_frame().
  std::string handshake(std::string_view path = "/chat", std::string_view version = "13",
                        std::string_view extra_fields = "") {
    std::string req = "GET " + std::string{path} +
                      " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: " +
                      std::string{sample_key} +
                      "\r\nSec-WebSocket-Version: " + std::string{version} + "\r\n" +
                      std::string{extra_fields} + "\r\n";
    if (!send_raw(req)) return {};
    return read_head();
  }

  /// Reads until CRLFCRLF; returns the head, or "" on timeout/EOF.
  std::string read_head(std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto end = in_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::string head = in_.substr(0, end + 4);
        in_.erase(0, end + 4);
        return head;
      }
      if (!fill(deadline)) return {};
    }
  }

  /// Reads exactly `n` bytes (after what read_head() left); "" on timeout or EOF.
  std::string read_bytes(std::size_t n, std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (in_.size() < n)
      if (!fill(deadline)) return {};
    std::string out = in_.substr(0, n);
    in_.erase(0, n);
    return out;
  }

  bool send_raw(std::string_view data) {
    if (ssl_) return send_tls(data, 3s) == data.size();
    while (!data.empty()) {
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Sends as much of `data` as the peer takes, waiting at most `patience` each time the socket
  /// is full; returns the bytes sent (all of them unless the peer stopped taking them).
  std::size_t send_until_blocked(std::string_view data, std::chrono::milliseconds patience) {
    if (ssl_) return send_tls(data, patience);
    std::size_t sent = 0;
    while (sent < data.size()) {
      const auto n =
          ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break;
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(patience.count())) <= 0) break;  // still full
    }
    return sent;
  }

  /// Sends one masked frame.
  bool send_frame(wsp::opcode_t opcode, std::string_view payload, bool fin = true) {
    return send_raw(encode(opcode, payload, fin));
  }

  /// The bytes of one masked client frame.
  static std::string encode(wsp::opcode_t opcode, std::string_view payload, bool fin = true) {
    std::string out(wsp::frame_size(payload.size(), true), '\0');
    const wsp::mask_key_t key{std::byte{0x37}, std::byte{0xfa}, std::byte{0x21}, std::byte{0x3d}};
    wsp::write_client_frame(
        std::as_writable_bytes(std::span{out.data(), out.size()}),
        fin ? wsp::final_frame_flag_t::final_frame : wsp::final_frame_flag_t::not_final_frame,
        opcode, std::as_bytes(std::span{payload.data(), payload.size()}), key);
    return out;
  }

  /// Reads one frame (unmasked, as a server sends); nullopt on timeout or EOF.
  std::optional<ws_frame_t> read_frame(std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto bytes = std::as_bytes(std::span{in_.data(), in_.size()});
      const auto h = wsp::parse_frame_header(bytes);
      if (h.status == wsp::header_parse_status_t::complete &&
          in_.size() >= h.header_size + h.header.payload_length) {
        ws_frame_t f;
        f.fin = h.header.fin;
        f.rsv1 = h.header.rsv1;
        f.opcode = h.header.opcode;
        f.payload = in_.substr(h.header_size, h.header.payload_length);
        in_.erase(0, h.header_size + h.header.payload_length);
        return f;
      }
      if (!fill(deadline)) return std::nullopt;
    }
  }

  /// True if the server closes TCP (EOF or reset) within `timeout`, all data before it dropped.
  bool wait_for_eof(std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      in_.clear();
      if (!fill(deadline)) return eof_;
    }
  }

  /// Closes our sending side (FIN).
  void shutdown_send() { ::shutdown(fd_, SHUT_WR); }
  /// Closes with a reset (RST, not FIN): SO_LINGER with a zero time, then close.
  void reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd_);
    fd_ = -1;
  }

 private:
  // SSL_write until all is sent, waiting at most `patience` each time the socket is full.
  std::size_t send_tls(std::string_view data, std::chrono::milliseconds patience) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const int n = SSL_write(ssl_, data.data() + sent,
                              static_cast<int>(std::min<std::size_t>(data.size() - sent, 1 << 20)));
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
        continue;
      }
      const int e = SSL_get_error(ssl_, n);
      ERR_clear_error();
      if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) break;
      pollfd p{fd_, static_cast<short>(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
      if (::poll(&p, 1, static_cast<int>(patience.count())) <= 0) break;
    }
    return sent;
  }

  // Reads what is available into in_; false on timeout or EOF (eof_ tells which).
  bool fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    char buf[65536];
    if (ssl_) {
      for (;;) {
        const int n = SSL_read(ssl_, buf, sizeof buf);
        if (n > 0) {
          in_.append(buf, static_cast<std::size_t>(n));
          return true;
        }
        const int e = SSL_get_error(ssl_, n);
        ERR_clear_error();
        if (e != SSL_ERROR_WANT_READ) {
          eof_ = true;  // close_notify, a TCP end, or a TLS error
          return false;
        }
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (wait.count() <= 0 || ::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
      }
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    in_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string tls_error_;
  std::string in_;
  bool eof_ = false;
};

}  // namespace restws::testing
