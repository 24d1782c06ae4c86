#include "tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>

namespace ws_load {
namespace {

// OpenSSL's queued errors of this thread as one line (the queue is left empty).
std::string take_errors() {
  std::string text;
  bool looks_plain = false;
  while (const unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof line);
    if (!text.empty()) text += "; ";
    text += line;
    const int reason = ERR_GET_REASON(code);
    looks_plain = looks_plain || reason == SSL_R_WRONG_VERSION_NUMBER ||
                  reason == SSL_R_HTTP_REQUEST || reason == SSL_R_PACKET_LENGTH_TOO_LONG;
  }
  if (looks_plain) text += " (is it a server without TLS?)";
  return text;
}

}  // namespace

tls_context::tls_context(bool release_buffers) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) {
    error_ = "SSL_CTX_new: " + take_errors();
    return;
  }
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);
  // The server's FIN without close_notify ends the session as close_notify would (a WebSocket
  // server may close TCP once the close frames are exchanged).
  SSL_CTX_set_options(ctx_, SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Writes behave as send(2): they return after each whole record and may be resumed from the
  // next unsent byte, wherever the buffer is.
  long mode = SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
  if (release_buffers) mode |= SSL_MODE_RELEASE_BUFFERS;
  SSL_CTX_set_mode(ctx_, mode);
  static constexpr unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  if (SSL_CTX_set_alpn_protos(ctx_, alpn, sizeof alpn) != 0) {  // 0 is success here
    error_ = "SSL_CTX_set_alpn_protos: " + take_errors();
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
  }
}

tls_context::~tls_context() { SSL_CTX_free(ctx_); }

tls_session::tls_session(const tls_context& context, int fd, const std::string& server_name) {
  ssl_ = SSL_new(context.native());
  const bool made = ssl_ != nullptr && SSL_set_fd(ssl_, fd) == 1 &&
                    (server_name.empty() || SSL_set_tlsext_host_name(ssl_, server_name.c_str()));
  if (!made) {
    error_ = "cannot make a TLS session: " + take_errors();
    SSL_free(ssl_);
    ssl_ = nullptr;
    return;
  }
  SSL_set_connect_state(ssl_);
}

tls_session::~tls_session() { SSL_free(ssl_); }

tls_status tls_session::handshake() { return outcome(SSL_connect(ssl_)); }

tls_status tls_session::read(void* data, std::size_t size, std::size_t& got) {
  got = 0;
  return outcome(SSL_read_ex(ssl_, data, size, &got));
}

tls_status tls_session::write(const void* data, std::size_t size, std::size_t& put) {
  put = 0;
  return outcome(SSL_write_ex(ssl_, data, size, &put));
}

bool tls_session::has_pending() const { return SSL_has_pending(ssl_) == 1; }

void tls_session::shutdown() {
  if (SSL_is_init_finished(ssl_)) (void)SSL_shutdown(ssl_);
  ERR_clear_error();
}

std::string tls_session::description() const {
  return std::string(SSL_get_version(ssl_)) + "/" + SSL_get_cipher_name(ssl_);
}

tls_status tls_session::outcome(int rc) {
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_NONE:
      return last_ = tls_status::done;
    case SSL_ERROR_WANT_READ:
      return last_ = tls_status::want_read;
    case SSL_ERROR_WANT_WRITE:
      return last_ = tls_status::want_write;
    case SSL_ERROR_ZERO_RETURN:
      return last_ = tls_status::closed;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        system_error_ = saved_errno;
        error_ = saved_errno != 0 ? std::strerror(saved_errno) : "end of stream";
        return last_ = tls_status::failed;
      }
      [[fallthrough]];
    default:
      system_error_ = 0;
      error_ = take_errors();
      if (error_.empty()) error_ = "TLS error";
      return last_ = tls_status::failed;
  }
}

}  // namespace ws_load
