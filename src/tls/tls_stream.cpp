#include "tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace restws::detail {

// What the current call on this thread gives the BIO: its input, and where output goes.
struct tls_stream_t::call_t {
  std::span<const char> in;
  std::string* out = nullptr;
};

namespace {

int bio_read(BIO* bio, char* data, int size) {
  auto* call = static_cast<tls_stream_t::call_t*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (call->in.empty()) {
    BIO_set_retry_read(bio);  // SSL_ERROR_WANT_READ: the caller brings more
    return -1;
  }
  const std::size_t n = std::min(call->in.size(), static_cast<std::size_t>(size));
  std::memcpy(data, call->in.data(), n);
  call->in = call->in.subspan(n);
  return static_cast<int>(n);
}

int bio_write(BIO* bio, const char* data, int size) {
  auto* call = static_cast<tls_stream_t::call_t*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (!call->out) return -1;  // not inside a call: cannot happen (every call sets an output)
  call->out->append(data, static_cast<std::size_t>(size));
  return size;  // everything is taken: SSL_ERROR_WANT_WRITE never happens
}

long bio_ctrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

BIO_METHOD* bio_method() {
  // One method for every session of the process; never freed (OpenSSL may use it until exit).
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "restws stream");
    if (m) {
      BIO_meth_set_read(m, &bio_read);
      BIO_meth_set_write(m, &bio_write);
      BIO_meth_set_ctrl(m, &bio_ctrl);
    }
    return m;
  }();
  return method;
}

// The thread's BIO (one reference held here, one per session using it: the last frees it).
struct thread_bio_t {
  BIO* bio = nullptr;
  thread_bio_t() {
    if (BIO_METHOD* m = bio_method()) bio = BIO_new(m);
    if (bio) BIO_set_init(bio, 1);
  }
  ~thread_bio_t() { BIO_free(bio); }
};

}  // namespace

tls_stream_t::tls_stream_t(SSL* ssl) noexcept : ssl_{ssl} {
  thread_local thread_bio_t shared;
  if (!shared.bio || BIO_up_ref(shared.bio) != 1) {
    failed_ = true;
    error_ = std::make_unique<std::string>("cannot make a BIO (out of memory)");
    return;
  }
  SSL_set_bio(ssl_, shared.bio, shared.bio);  // the reference just taken, owned by the SSL
  SSL_set_accept_state(ssl_);
}

tls_stream_t::~tls_stream_t() { SSL_free(ssl_); }

tls_stream_t::call_t& tls_stream_t::begin_call(std::span<const char> input,
                                               std::string& output) noexcept {
  thread_local call_t call;
  // The BIO is the one of the thread that made the session; its data is this thread's call,
  // so a session may move between threads (one call at a time).
  BIO_set_data(SSL_get_rbio(ssl_), &call);
  call.in = input;
  call.out = &output;
  return call;
}

void tls_stream_t::keep_rest(call_t& call) noexcept {
  const std::span<const char> rest = call.in;
  call.in = {};
  call.out = nullptr;
  try {
    if (!kept_.empty() && rest.data() >= kept_.data() &&
        rest.data() <= kept_.data() + kept_.size()) {
      kept_.erase_front(static_cast<std::size_t>(rest.data() - kept_.data()));
    } else {
      kept_.assign({rest.data(), rest.size()});
    }
  } catch (...) {  // out of memory: the session cannot go on
    kept_.clear();
    failed_ = true;
  }
}

void tls_stream_t::set_failed(int ssl_error) {
  failed_ = true;
  char reason[256];
  std::string what;
  if (const unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, reason, sizeof reason);
    what = reason;
  } else if (ssl_error == SSL_ERROR_SYSCALL || ssl_error == SSL_ERROR_SSL) {
    what = "protocol error";
  } else {
    what = "SSL error " + std::to_string(ssl_error);
  }
  error_ = std::make_unique<std::string>(std::move(what));
  ERR_clear_error();  // the queue is the thread's: the next connection must not see this
}

tls_stream_t::read_result_t tls_stream_t::read(std::span<const char> input, std::span<char> out,
                                               std::string& output) {
  if (failed_) return {0, tls_status_t::failed};
  std::span<const char> in = input;
  if (!input.empty() && !kept_.empty()) {
    kept_.append({input.data(), input.size()});
    in = {kept_.data(), kept_.size()};
  } else if (input.empty()) {
    in = {kept_.data(), kept_.size()};
  }
  call_t& call = begin_call(in, output);
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
  keep_rest(call);
  return {total, total > 0 ? tls_status_t::ok : status};
}

bool tls_stream_t::write(std::span<const char> plain, std::string& output) {
  if (failed_ || shut_down_) return false;
  call_t& call = begin_call({}, output);
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
  call.out = nullptr;
  return ok;
}

void tls_stream_t::shutdown(std::string& output) {
  if (failed_ || shut_down_) return;
  shut_down_ = true;
  if (!SSL_is_init_finished(ssl_)) return;  // no session to close
  call_t& call = begin_call({}, output);
  SSL_shutdown(ssl_);  // sends close_notify; the peer's is not awaited (the TCP close follows)
  ERR_clear_error();
  call.out = nullptr;
}

bool tls_stream_t::has_pending_input() const noexcept {
  // Not SSL_has_pending(): it also counts a partial record, which needs more input first.
  // Without read-ahead OpenSSL takes one record at a time from the BIO, so complete records not
  // yet decrypted wait in kept_.
  return !kept_.empty() || SSL_pending(ssl_) > 0;
}

bool tls_stream_t::handshake_done() const noexcept { return SSL_is_init_finished(ssl_) == 1; }

void tls_stream_t::set_connect_state() noexcept { SSL_set_connect_state(ssl_); }

}  // namespace restws::detail
