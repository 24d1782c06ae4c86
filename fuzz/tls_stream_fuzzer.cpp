// libFuzzer: bytes from a hostile client into the server side of a TLS session (tls_stream_t,
// the sans-IO core under https and wss), in chunks the input chooses. Half the inputs start
// after a genuine ClientHello from an OpenSSL client, so that the fuzzer reaches the server's
// later handshake states and its record layer, not only the first record header.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <asio/ssl/context.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../tests/support/test_pki.hpp"
#include "restws/server/logger.hpp"
#include "server/tls_contexts.hpp"
#include "tls/tls_stream.hpp"

namespace {

using restws::detail::tls_contexts_t;
using restws::detail::tls_stream_t;

struct fixture_t {
  std::shared_ptr<asio::ssl::context> context;
  std::unique_ptr<tls_contexts_t> contexts;
  std::string client_hello;

  fixture_t() {
    const restws::testing::test_pki_t pki;
    const auto pem = pki.issue("localhost", "DNS:localhost");
    restws::testing::temp_dir_t dir;
    context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    context->use_certificate_chain_file(dir.write("c.pem", pem.cert));
    context->use_private_key_file(dir.write("k.pem", pem.key), asio::ssl::context::pem);
    restws::null_logger_t logger;
    contexts = std::make_unique<tls_contexts_t>(
        context, std::vector<restws::detail::tls_server_name_t>{}, logger);
    // One ClientHello, made once.
    SSL_CTX* cctx = SSL_CTX_new(TLS_client_method());
    SSL* c = SSL_new(cctx);
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(c, in, out);
    SSL_set_tlsext_host_name(c, "localhost");
    SSL_connect(c);
    char buf[4096];
    int n;
    while ((n = BIO_read(out, buf, sizeof buf)) > 0) client_hello.append(buf, n);
    SSL_free(c);
    SSL_CTX_free(cctx);
    ERR_clear_error();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fixture_t fixture;
  if (size < 2) return 0;
  const bool hello_first = data[0] & 1;
  const std::size_t chunk = 1 + data[1] % 64;
  data += 2;
  size -= 2;
  SSL* ssl = SSL_new(fixture.contexts->default_context());
  tls_stream_t stream{ssl};
  std::vector<char> out(1 + chunk * 13);
  std::string output;
  if (hello_first)
    stream.read({fixture.client_hello.data(), fixture.client_hello.size()}, out, output);
  for (std::size_t at = 0; at < size && !stream.failed(); at += chunk) {
    const std::size_t n = std::min(chunk, size - at);
    const auto r = stream.read({reinterpret_cast<const char*>(data + at), n}, out, output);
    if (r.status == restws::detail::tls_status_t::closed) break;
    while (stream.has_pending_input() && !stream.failed()) stream.read({}, out, output);
  }
  if (stream.handshake_done()) stream.write({"HTTP/1.1 200 OK\r\n\r\n", 19}, output);
  stream.shutdown(output);
  ERR_clear_error();
  return 0;
}
