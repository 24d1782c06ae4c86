// The client against a scripted server (raw sockets on loopback): every bad response to the
// upgrade fails the connection with its own error; a server that never answers times out; a
// masked server frame fails the connection with 1002; each client frame has a fresh mask key.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/write.hpp>

#include "integration/ws_client_fixture.hpp"
#include "restws/websocket/protocol/handshake.hpp"

namespace restws::testing {
namespace {

namespace rws = restws::websocket::basic;
using opcode_t = rws::opcode_t;
using asio::ip::tcp;
using namespace std::chrono_literals;

/// One connection's script: gets the request's Sec-WebSocket-Key, the socket (blocking).
using script_t = std::function<void(const std::string& key, tcp::socket& socket)>;

/// Accepts one connection on a loopback port and runs `script` on it, on its own thread.
class scripted_server_t {
 public:
  explicit scripted_server_t(script_t script)
      : acceptor_{io_, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}},
        thread_{[this, script = std::move(script)] { run(script); }} {}
  ~scripted_server_t() {
    std::error_code ignored;
    acceptor_.close(ignored);
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/x"; }
  /// The request the client sent.
  std::string request() {
    std::lock_guard lock{mutex_};
    return request_;
  }

 private:
  void run(const script_t& script) {
    std::error_code ec;
    tcp::socket socket{io_};
    acceptor_.accept(socket, ec);
    if (ec) return;
    std::string buffer;
    asio::read_until(socket, asio::dynamic_buffer(buffer), "\r\n\r\n", ec);
    if (ec) return;
    {
      std::lock_guard lock{mutex_};
      request_ = buffer;
    }
    std::string key;
    const auto at = buffer.find("Sec-WebSocket-Key: ");
    if (at != std::string::npos) key = buffer.substr(at + 19, buffer.find("\r\n", at) - at - 19);
    script(key, socket);
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::mutex mutex_;
  std::string request_;
  std::thread thread_;
};

std::string good_101(const std::string& key, const std::string& extra = "") {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         restws::websocket::protocol::sec_websocket_accept(key) + "\r\n" + extra + "\r\n";
}

/// Writes `response` and waits for the client to close.
script_t answer(std::function<std::string(const std::string& key)> response) {
  return [response](const std::string& key, tcp::socket& socket) {
    std::error_code ec;
    asio::write(socket, asio::buffer(response(key)), ec);
    char c;
    while (!ec) socket.read_some(asio::buffer(&c, 1), ec);
  };
}

struct frame_t {
  std::uint8_t b0 = 0;
  bool masked = false;
  std::array<unsigned char, 4> key{};
  std::string payload;  ///< unmasked
};

/// Reads one (small) client frame.
std::optional<frame_t> read_client_frame(tcp::socket& socket) {
  std::error_code ec;
  unsigned char h[2];
  asio::read(socket, asio::buffer(h), ec);
  if (ec) return std::nullopt;
  frame_t f;
  f.b0 = h[0];
  f.masked = (h[1] & 0x80) != 0;
  std::size_t len = h[1] & 0x7f;
  if (len >= 126) return std::nullopt;  // the tests send small frames
  if (f.masked) asio::read(socket, asio::buffer(f.key), ec);
  f.payload.resize(len);
  asio::read(socket, asio::buffer(f.payload), ec);
  if (ec) return std::nullopt;
  if (f.masked)
    for (std::size_t i = 0; i < len; ++i)
      f.payload[i] = static_cast<char>(f.payload[i] ^ f.key[i % 4]);
  return f;
}

class ws_client_handshake : public ::testing::Test {
 protected:
  std::shared_ptr<inbox_t> inbox = std::make_shared<inbox_t>();
  client_runner_t client;
};

TEST_F(ws_client_handshake, sends_a_request_with_every_required_field) {
  scripted_server_t server{answer([](const std::string& key) { return good_101(key); })};
  rws::client_settings_t settings;
  settings.headers.add_field("Origin", "http://app.example");
  auto r = client.connect(server.url() + "?q=1", inbox, settings);
  ASSERT_FALSE(r.ec) << r.ec.message();
  const std::string req = server.request();
  EXPECT_EQ(req.substr(0, req.find("\r\n")), "GET /x?q=1 HTTP/1.1");
  EXPECT_NE(req.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(req.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(req.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(req.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
  EXPECT_NE(req.find("\r\nOrigin: http://app.example\r\n"), std::string::npos);
  r.ws->kill();
}

TEST_F(ws_client_handshake, keys_differ_from_connection_to_connection) {
  std::vector<std::string> keys;
  for (int i = 0; i < 3; ++i) {
    scripted_server_t server{answer([](const std::string& key) { return good_101(key); })};
    auto r = client.connect(server.url(), inbox);
    ASSERT_FALSE(r.ec) << r.ec.message();
    const std::string req = server.request();
    const auto at = req.find("Sec-WebSocket-Key: ") + 19;
    keys.push_back(req.substr(at, req.find("\r\n", at) - at));
    EXPECT_EQ(keys.back().size(), 24u);
    r.ws->kill();
  }
  EXPECT_NE(keys[0], keys[1]);
  EXPECT_NE(keys[1], keys[2]);
}

struct bad_response_t {
  const char* name;
  std::function<std::string(const std::string& key)> response;
  rws::client_error_t error;
};

class ws_client_bad_response : public ws_client_handshake,
                               public ::testing::WithParamInterface<bad_response_t> {};

TEST_P(ws_client_bad_response, fails_with_its_error) {
  scripted_server_t server{answer(GetParam().response)};
  rws::client_settings_t settings;
  settings.subprotocols = {"chat"};
  auto r = client.connect(server.url(), inbox, settings);
  EXPECT_EQ(r.ec, GetParam().error) << r.ec.message();
  EXPECT_FALSE(r.ws);
}

INSTANTIATE_TEST_SUITE_P(
    cases, ws_client_bad_response,
    ::testing::Values(
        bad_response_t{"status_200",
                       [](const std::string&) {
                         return std::string{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"};
                       },
                       rws::client_error_t::not_101},
        bad_response_t{"redirect",
                       [](const std::string&) {
                         return std::string{"HTTP/1.1 302 Found\r\nLocation: /y\r\n\r\n"};
                       },
                       rws::client_error_t::not_101},
        bad_response_t{"no_upgrade",
                       [](const std::string& key) {
                         std::string r = good_101(key);
                         r.erase(r.find("Upgrade: websocket\r\n"), 20);
                         return r;
                       },
                       rws::client_error_t::missing_upgrade},
        bad_response_t{"no_connection",
                       [](const std::string& key) {
                         std::string r = good_101(key);
                         r.erase(r.find("Connection: Upgrade\r\n"), 21);
                         return r;
                       },
                       rws::client_error_t::missing_connection},
        bad_response_t{"wrong_accept",
                       [](const std::string&) { return good_101("AAAAAAAAAAAAAAAAAAAAAA=="); },
                       rws::client_error_t::bad_accept},
        bad_response_t{"unoffered_subprotocol",
                       [](const std::string& key) {
                         return good_101(key, "Sec-WebSocket-Protocol: mqtt\r\n");
                       },
                       rws::client_error_t::unrequested_subprotocol},
        bad_response_t{"unoffered_extension",
                       [](const std::string& key) {
                         return good_101(key, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
                       },
                       rws::client_error_t::unrequested_extension},
        bad_response_t{"garbage",
                       [](const std::string&) { return std::string{"SSH-2.0-OpenSSH\r\n\r\n"}; },
                       rws::client_error_t::bad_response},
        bad_response_t{"head_too_large",
                       [](const std::string&) {
                         return "HTTP/1.1 101 x\r\nX: " + std::string(20000, 'a') + "\r\n\r\n";
                       },
                       rws::client_error_t::bad_response}),
    [](const auto& info) { return std::string{info.param.name}; });

TEST_F(ws_client_handshake, a_server_closing_mid_response_fails_the_handshake) {
  scripted_server_t server{[](const std::string&, tcp::socket& socket) {
    std::error_code ec;
    asio::write(socket, asio::buffer(std::string{"HTTP/1.1 101 Switching"}), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }};
  auto r = client.connect(server.url(), inbox);
  EXPECT_EQ(r.ec, rws::client_error_t::closed_in_handshake) << r.ec.message();
}

TEST_F(ws_client_handshake, a_server_that_never_answers_times_out) {
  std::promise<void> done;
  auto finished = done.get_future().share();
  scripted_server_t server{[finished](const std::string&, tcp::socket&) { finished.wait(); }};
  rws::client_settings_t settings;
  settings.handshake_timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = client.connect(server.url(), inbox, settings);
  done.set_value();
  EXPECT_EQ(r.ec, rws::client_error_t::handshake_timeout) << r.ec.message();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
}

TEST_F(ws_client_handshake, a_connect_that_does_not_complete_times_out) {
  // A listener whose accept queue is full (backlog 0, filled, never accepted): the kernel drops
  // further SYNs, so a connect to it hangs until our deadline.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {  // more than the queue holds: the later ones hang too
    const int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(f, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(f);
  }
  rws::client_settings_t settings;
  settings.connect_timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r =
      client.connect("ws://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/", inbox, settings);
  EXPECT_EQ(r.ec, rws::client_error_t::connect_timeout) << r.ec.message();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  for (int f : fillers) ::close(f);
  ::close(listener);
}

TEST_F(ws_client_handshake, frames_after_the_101_in_the_same_packet_are_delivered) {
  scripted_server_t server{answer([](const std::string& key) {
    return good_101(key) + std::string{
                               "\x81\x05"
                               "early",
                               7};
  })};
  auto r = client.connect(server.url(), inbox);
  ASSERT_FALSE(r.ec) << r.ec.message();
  auto m = inbox->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, "early");
  r.ws->kill();
}

TEST_F(ws_client_handshake, a_masked_server_frame_fails_the_connection_with_1002) {
  std::promise<std::optional<frame_t>> close_frame;
  auto got = close_frame.get_future();
  scripted_server_t server{[&close_frame](const std::string& key, tcp::socket& socket) {
    std::error_code ec;
    // "hi" masked with key 1,2,3,4: a server must not mask (RFC 6455 §5.1).
    const std::string frame{"\x81\x82\x01\x02\x03\x04\x69\x6b", 8};
    asio::write(socket, asio::buffer(good_101(key) + frame), ec);
    close_frame.set_value(read_client_frame(socket));
  }};
  auto r = client.connect(server.url(), inbox);
  ASSERT_FALSE(r.ec) << r.ec.message();
  ASSERT_EQ(got.wait_for(5s), std::future_status::ready);
  const auto f = got.get();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->b0, 0x88);  // FIN + close
  EXPECT_TRUE(f->masked);
  ASSERT_GE(f->payload.size(), 2u);
  EXPECT_EQ(f->payload.substr(0, 2), std::string("\x03\xea", 2));  // 1002
  auto m = inbox->pop();  // the handler learns of the failure; "hi" was never delivered
  ASSERT_TRUE(m);
  EXPECT_EQ(m->opcode, opcode_t::connection_close_frame);
}

TEST_F(ws_client_handshake, every_client_frame_is_masked_with_a_fresh_key) {
  std::promise<std::vector<frame_t>> frames;
  auto got = frames.get_future();
  scripted_server_t server{[&frames](const std::string& key, tcp::socket& socket) {
    std::error_code ec;
    asio::write(socket, asio::buffer(good_101(key)), ec);
    std::vector<frame_t> fs;
    for (int i = 0; i < 8; ++i)
      if (auto f = read_client_frame(socket)) fs.push_back(*f);
    frames.set_value(fs);
  }};
  auto r = client.connect(server.url(), inbox);
  ASSERT_FALSE(r.ec) << r.ec.message();
  for (int i = 0; i < 8; ++i)
    r.ws->send_message(rws::final_frame, opcode_t::text_frame, "same payload");
  ASSERT_EQ(got.wait_for(5s), std::future_status::ready);
  const auto fs = got.get();
  ASSERT_EQ(fs.size(), 8u);
  std::set<std::array<unsigned char, 4>> keys;
  for (const auto& f : fs) {
    EXPECT_TRUE(f.masked);
    EXPECT_EQ(f.payload, "same payload");  // unmasked with its key
    keys.insert(f.key);
  }
  EXPECT_EQ(keys.size(), 8u);
  r.ws->kill();
}

}  // namespace
}  // namespace restws::testing
