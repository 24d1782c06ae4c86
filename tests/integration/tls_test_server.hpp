#pragma once
// A TLS server for the tests: test_server.hpp's, with TLS traits, certificates made at test
// time (test_pki.hpp) and written to a temporary directory.

#include <memory>
#include <string>

#include "../support/test_pki.hpp"
#include "../support/tls_client.hpp"
#include "restws/all.hpp"
#include "restws/tls.hpp"
#include "test_server.hpp"

namespace restws::testing {

using tls_test_traits_t = tls_traits_t<asio_timer_manager_t, capturing_logger_t>;
using tls_test_settings_t = server_settings_t<tls_test_traits_t>;

/// The test PKI and files: a localhost certificate (CN=localhost) the CA signs.
struct tls_files_t {
  test_pki_t pki;
  temp_dir_t dir;
  std::string cert;
  std::string key;
  tls_files_t() {
    const pem_pair_t pem = pki.issue("localhost", "DNS:localhost,IP:127.0.0.1");
    cert = dir.write("server.pem", pem.cert);
    key = dir.write("server.key", pem.key);
  }
  /// A context with another certificate of the same CA, for `cn` (also its SAN).
  asio::ssl::context context_for(const std::string& cn, const std::string& name) {
    const pem_pair_t pem = pki.issue(cn, "DNS:" + cn);
    return make_tls_context(dir.write(name + ".pem", pem.cert), dir.write(name + ".key", pem.key));
  }
};

template <typename Handler>
tls_test_settings_t tls_settings_with(tls_files_t& files, Handler&& h) {
  tls_test_settings_t s = on_this_thread<tls_test_traits_t>();
  s.request_handler(std::forward<Handler>(h));
  s.tls_context(make_tls_context(files.cert, files.key));
  return s;
}

class tls_test_server_t {
 public:
  explicit tls_test_server_t(tls_test_settings_t settings) {
    settings.port(0).address("127.0.0.1").logger(log);
    server_ = std::make_unique<http_server_t<tls_test_traits_t>>(settings);
    server_->open();
  }
  std::uint16_t port() const { return server_->port(); }
  http_server_t<tls_test_traits_t>& server() { return *server_; }

  std::shared_ptr<log_store_t> log = std::make_shared<log_store_t>();

 private:
  std::unique_ptr<http_server_t<tls_test_traits_t>> server_;
};

}  // namespace restws::testing
