#include "tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace restws::detail {

BIO_METHOD* tls_stream_t::bio_method() {
  // One method for every session of the process; never freed (OpenSSL may use it until exit).
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "restws stream");
    if (m) {
      BIO_meth_set_read(m, &tls_stream_t::bio_read);
      BIO_meth_set_write(m, &tls_stream_t::bio_write);
      BIO_meth_set_ctrl(m, &tls_stream_t::bio_ctrl);
    }
    return m;
  }();
  return method;
}

int tls_stream_t::bio_read(BIO* bio, char* data, int size) {
  auto* self = static_cast<tls_stream_t*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (self->in_.empty()) {
    BIO_set_retry_read(bio);  // SSL_ERROR_WANT_READ: the caller brings more
    return -1;
  }
  const std::size_t n = std::min(self->in_.size(), static_cast<std::size_t>(size));
  std::memcpy(data, self->in_.data(), n);
  self->in_ = self->in_.subspan(n);
  return static_cast<int>(n);
}

int tls_stream_t::bio_write(BIO* bio, const char* data, int size) {
  auto* self = static_cast<tls_stream_t*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (!self->out_) return -1;  // not inside a call: cannot happen (every call sets an output)
  self->out_->append(data, static_cast<std::size_t>(size));
  return size;  // everything is taken: SSL_ERROR_WANT_WRITE never happens
}

long tls_stream_t::bio_ctrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

tls_stream_t::tls_stream_t(SSL* ssl) noexcept : ssl_{ssl} {
  BIO_METHOD* const method = bio_method();
  BIO* const bio = method ? BIO_new(method) : nullptr;
  if (!bio) {
    failed_ = true;
    error_ = "cannot make a BIO (out of memory)";
    return;
  }
  BIO_set_data(bio, this);
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_, bio, bio);  // one reference, owned by the SSL from now on
  SSL_set_accept_state(ssl_);
}

tls_stream_t::~tls_stream_t() { SSL_free(ssl_); }

void tls_stream_t::keep_rest() noexcept {
  if (!kept_.empty() && in_.data() >= kept_.data() && in_.data() <= kept_.data() + kept_.size()) {
    kept_.erase(0, static_cast<std::size_t>(in_.data() - kept_.data()));
  } else {
    kept_.assign(in_.data(), in_.size());
  }
  if (kept_.empty() && kept_.capacity() > 256) std::string{}.swap(kept_);  // idle: no buffer
  in_ = {};
}

void tls_stream_t::set_failed(int ssl_error) {
  failed_ = true;
  char reason[256];
  if (const unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, reason, sizeof reason);
    error_ = reason;
  } else if (ssl_error == SSL_ERROR_SYSCALL || ssl_error == SSL_ERROR_SSL) {
    error_ = "protocol error";
  } else {
    error_ = "SSL error " + std::to_string(ssl_error);
  }
  ERR_clear_error();  // the queue is the thread's: the next connection must not see this
}

tls_stream_t::read_result_t tls_stream_t::read(std::span<const char> input, std::span<char> out,
                                               std::string& output) {
  if (failed_) return {0, tls_status_t::failed};
  if (!input.empty() && !kept_.empty()) {
    kept_.append(input.data(), input.size());
    in_ = kept_;
  } else if (!input.empty()) {
    in_ = input;
  } else {
    in_ = kept_;
  }
  out_ = &output;
  std::size_t total = 0;
  tls_status_t status = tls_status_t::ok;
  while (total < out.size()) {
    const int n = SSL_read(ssl_, out.data() + total,
                           static_cast<int>(std::min<std::size_t>(out.size() - total, INT_MAX)));
    if (n > 0) {
      total += static_cast<std::size_t>(n);
      continue;
    }
    const int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      status = tls_status_t::want_input;
    } else if (e == SSL_ERROR_ZERO_RETURN) {
      status = tls_status_t::closed;
    } else {
      set_failed(e);
      status = tls_status_t::failed;
    }
    break;
  }
  out_ = nullptr;
  keep_rest();
  return {total, total > 0 ? tls_status_t::ok : status};
}

bool tls_stream_t::write(std::span<const char> plain, std::string& output) {
  if (failed_ || shut_down_) return false;
  out_ = &output;
  in_ = {};
  bool ok = true;
  while (!plain.empty()) {
    const std::size_t chunk = std::min<std::size_t>(plain.size(), INT_MAX);
    const int n = SSL_write(ssl_, plain.data(), static_cast<int>(chunk));
    if (n <= 0) {
      set_failed(SSL_get_error(ssl_, n));
      ok = false;
      break;
    }
    plain = plain.subspan(static_cast<std::size_t>(n));
  }
  out_ = nullptr;
  return ok;
}

void tls_stream_t::shutdown(std::string& output) {
  if (failed_ || shut_down_) return;
  shut_down_ = true;
  if (!SSL_is_init_finished(ssl_)) return;  // no session to close
  out_ = &output;
  in_ = {};
  SSL_shutdown(ssl_);  // sends close_notify; the peer's is not awaited (the TCP close follows)
  ERR_clear_error();
  out_ = nullptr;
}

bool tls_stream_t::has_pending_input() const noexcept {
  // Not SSL_has_pending(): it also counts a partial record, which needs more input first.
  // Without read-ahead OpenSSL takes one record at a time from the BIO, so complete records not
  // yet decrypted wait in kept_.
  return !kept_.empty() || SSL_pending(ssl_) > 0;
}

bool tls_stream_t::handshake_done() const noexcept { return SSL_is_init_finished(ssl_) == 1; }

}  // namespace restws::detail
