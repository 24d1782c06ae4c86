// WebSocket echo peer for the benchmarks, written against Boost.Beast as its documentation
// suggests: one io_context on one thread, every text or binary message echoed as received (same
// opcode), any path, auto-fragment off, permessage-deflate declined unless --deflate (then
// accepted as restws's defaults: compLevel 1, memLevel 8, no context kept by the server,
// every message compressed).
// Usage: beast_ws_echo [--port N] [--address A] [--deflate]
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// One WebSocket: accept the upgrade, then read a message, write it back, repeat.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, bool deflate) : ws_(std::move(socket)), deflate_(deflate) {}

  void start() {
    ws_.auto_fragment(false);
    websocket::permessage_deflate pmd;
    pmd.server_enable = deflate_;
    pmd.compLevel = 1;
    pmd.memLevel = 8;
    pmd.server_no_context_takeover = true;
    ws_.set_option(pmd);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_message();
    });
  }

 private:
  void read_message() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return;  // closed by the peer, or a protocol error Beast already answered
    ws_.text(ws_.got_text());
    ws_.async_write(buffer_.data(),
                    [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                      self->on_write(write_ec);
                    });
  }

  void on_write(beast::error_code ec) {
    if (ec) return;
    buffer_.consume(buffer_.size());
    read_message();
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  bool deflate_;
};

void accept_next(tcp::acceptor& acceptor, bool deflate) {
  acceptor.async_accept([&acceptor, deflate](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<session>(std::move(socket), deflate)->start();
    }
    accept_next(acceptor, deflate);
  });
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 9001;
  std::string address = "127.0.0.1";
  bool deflate = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = static_cast<unsigned short>(std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--address") == 0 && i + 1 < argc) {
      address = argv[++i];
    } else if (std::strcmp(argv[i], "--deflate") == 0) {
      deflate = true;
    } else {
      std::cerr << "usage: " << argv[0] << " [--port N] [--address A] [--deflate]\n";
      return 2;
    }
  }
  try {
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    const tcp::endpoint endpoint{net::ip::make_address(address), port};
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    accept_next(acceptor, deflate);
    net::signal_set signals{ioc, SIGINT, SIGTERM};
    signals.async_wait([&ioc](beast::error_code, int) { ioc.stop(); });
    std::cout << "beast_ws_echo listening on " << address << ":" << port << std::endl;
    ioc.run();
  } catch (const std::exception& ex) {
    std::cerr << "beast_ws_echo: " << ex.what() << "\n";
    return 1;
  }
  return 0;
}
