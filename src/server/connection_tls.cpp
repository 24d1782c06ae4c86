#include <unistd.h>

#include "connection.hpp"
#include "tls_transport.hpp"

// The TLS side of a connection (transport.hpp does its reads and writes): the session's start,
// the handshake deadline and what the log says when TLS ends a connection.

namespace restws::detail {

void connection_t::start_tls(std::shared_ptr<const tls_contexts_t> contexts) {
  tls_ = tls_transport_t::make(std::move(contexts));
  tls_handshake_deadline_ = clock_t::now() + config_.tls_handshake_timelimit;
  if (tls_) return;
  reactor_.logger().error(
      [&] { return "connection [" + std::to_string(id_) + "]: cannot start TLS (out of memory)"; });
  ::close(fd_);
  fd_ = -1;
}

bool connection_t::check_tls_handshake() {
  if (tls_handshake_done(*tls_)) {
    tls_handshake_deadline_ = never;
    return true;
  }
  reactor_.logger().warn([&] {
    return "connection " + std::to_string(id_) + " [" + remote_.address().to_string() +
           "]: TLS handshake not completed within tls_handshake_timelimit, closing";
  });
  close_now();
  return false;
}

void connection_t::log_tls_end(int err) {
  if (err == 0 && tls_handshake_done(*tls_)) return;  // an ordinary end
  reactor_.logger().warn([&] {
    std::string s =
        "connection " + std::to_string(id_) + " [" + remote_.address().to_string() + "]: TLS ";
    if (err == EPROTO) return s + "failed: " + tls_error(*tls_) + ", closing";
    s += tls_handshake_done(*tls_) ? "connection " : "handshake ";
    if (err == 0) return s + "ended by the peer before it was complete";
    return s + "lost: " + std::error_code{err, std::system_category()}.message();
  });
}

}  // namespace restws::detail
