// HTTP over TLS on loopback: real handshakes from an OpenSSL client, every bad input the issue
// names, SNI, reload, mutual TLS.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <thread>

#include "tls_test_server.hpp"
#include "ws_test_client.hpp"

namespace restws::testing {
namespace {

request_handling_status_t hello(const request_handle_t& req) {
  std::string body = "hello " + std::string{req->header().request_target()};
  if (const tls_info_t* t = req->tls())
    body += " " + t->version + " alpn=" + t->alpn + " sni=" + t->server_name +
            " peer=" + t->peer_subject;
  return req->create_response().append_header("Content-Type", "text/plain").set_body(body).done();
}

std::string get_request(const std::string& target, bool close = false) {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n";
}

/// Reads one response (Content-Length framed); returns its body, "" on failure.
std::string read_response(ws_test_client_t& c) {
  const std::string head = c.read_head();
  const auto at = head.find("Content-Length: ");
  if (head.rfind("HTTP/1.1 200", 0) != 0 || at == std::string::npos) return {};
  return c.read_bytes(std::stoul(head.substr(at + 16)));
}

struct https_test : ::testing::Test {
  tls_files_t files;
  tls_client_context_t client{files.pki.ca_pem()};
};

TEST_F(https_test, serves_get_over_tls13_with_keep_alive_and_alpn) {
  tls_test_server_t server{tls_settings_with(files, hello)};
  ws_test_client_t c{server.port()};
  ASSERT_TRUE(c.start_tls(client.get())) << c.tls_error();
  EXPECT_STREQ(SSL_get_version(c.ssl()), "TLSv1.3");
  ASSERT_TRUE(c.send_raw(get_request("/a")));
  EXPECT_EQ(read_response(c), "hello /a TLSv1.3 alpn=http/1.1 sni=localhost peer=");
  ASSERT_TRUE(c.send_raw(get_request("/b")));  // the same connection
  EXPECT_EQ(read_response(c), "hello /b TLSv1.3 alpn=http/1.1 sni=localhost peer=");
}

TEST_F(https_test, answers_pipelined_requests_in_order) {
  auto settings = tls_settings_with(files, hello);
  settings.max_pipelined_requests(4);
  tls_test_server_t server{settings};
  ws_test_client_t c{server.port()};
  ASSERT_TRUE(c.start_tls(client.get())) << c.tls_error();
  ASSERT_TRUE(c.send_raw(get_request("/1") + get_request("/2") + get_request("/3", true)));
  EXPECT_EQ(read_response(c).substr(0, 8), "hello /1");
  EXPECT_EQ(read_response(c).substr(0, 8), "hello /2");
  EXPECT_EQ(read_response(c).substr(0, 8), "hello /3");
  EXPECT_TRUE(c.wait_for_eof());
}

TEST_F(https_test, serves_tls12) {
  tls_client_context_t tls12{files.pki.ca_pem(), TLS1_2_VERSION};
  tls_test_server_t server{tls_settings_with(files, hello)};
  ws_test_client_t c{server.port()};
  ASSERT_TRUE(c.start_tls(tls12.get())) << c.tls_error();
  ASSERT_TRUE(c.send_raw(get_request("/x")));
  EXPECT_EQ(read_response(c), "hello /x TLSv1.2 alpn=http/1.1 sni=localhost peer=");
  EXPECT_NE(std::string{SSL_get_cipher_name(c.ssl())}.find("GCM"), std::string::npos);
}

TEST_F(https_test, sends_a_large_response_through_a_full_socket) {
  const std::string big(3 * 1024 * 1024, 'z');
  tls_test_server_t server{tls_settings_with(files, [&](const request_handle_t& req) {
    return req->create_response().set_body(big).done();
  })};
  ws_test_client_t c{server.port(), 16 * 1024};  // a small receive buffer: the server blocks
  ASSERT_TRUE(c.start_tls(client.get())) << c.tls_error();
  ASSERT_TRUE(c.send_raw(get_request("/big")));
  EXPECT_EQ(read_response(c), big);
}

// ---- bad input: each is logged and dropped, and the server goes on serving ----------------

void expect_still_serving(tls_test_server_t& server, tls_client_context_t& client) {
  ws_test_client_t c{server.port()};
  ASSERT_TRUE(c.start_tls(client.get())) << c.tls_error();
  ASSERT_TRUE(c.send_raw(get_request("/ok")));
  EXPECT_EQ(read_response(c).substr(0, 9), "hello /ok");
}

TEST_F(https_test, drops_plain_http_sent_to_the_tls_port) {
  tls_test_server_t server{tls_settings_with(files, hello)};
  ws_test_client_t c{server.port()};
  ASSERT_TRUE(c.send_raw(get_request("/")));
  EXPECT_TRUE(c.wait_for_eof());
  EXPECT_TRUE(server.log->wait_for("TLS failed", 3s));
  EXPECT_TRUE(server.log->contains("http request"));
  expect_still_serving(server, client);
}

TEST_F(https_test, drops_garbage_records) {
  tls_test_server_t server{tls_settings_with(files, hello)};
  ws_test_client_t c{server.port()};
  ASSERT_TRUE(c.send_raw(std::string("\x16\x03\x01\x00\x05garbagegarbage", 19)));
  EXPECT_TRUE(c.wait_for_eof());
  EXPECT_TRUE(server.log->wait_for("TLS failed", 3s));
  expect_still_serving(server, client);
}

TEST_F(https_test, logs_a_truncated_handshake) {
  tls_test_server_t server{tls_settings_with(files, hello)};
  {
    ws_test_client_t c{server.port()};
    // The first bytes of a ClientHello record, then the client goes away.
    ASSERT_TRUE(c.send_raw(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
    c.shutdown_send();
    EXPECT_TRUE(c.wait_for_eof());
  }
  EXPECT_TRUE(server.log->wait_for("TLS handshake ended by the peer", 3s));
  expect_still_serving(server, client);
}

TEST_F(https_test, logs_a_reset_mid_handshake) {
  tls_test_server_t server{tls_settings_with(files, hello)};
  {
    ws_test_client_t c{server.port()};
    ASSERT_TRUE(c.send_raw(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
    c.reset();
  }
  EXPECT_TRUE(server.log->wait_for("TLS handshake lost", 3s));
  expect_still_serving(server, client);
}

TEST_F(https_test, drops_a_client_that_never_finishes_its_handshake) {
  auto settings = tls_settings_with(files, hello);
  settings.tls_handshake_timelimit(std::chrono::milliseconds{200});
  tls_test_server_t server{settings};
  ws_test_client_t silent{server.port()};
  ws_test_client_t slow{server.port()};
  ASSERT_TRUE(slow.send_raw(std::string("\x16\x03\x01\x02\x00\x01", 6)));  // and no more
  EXPECT_TRUE(silent.wait_for_eof(3s));
  EXPECT_TRUE(slow.wait_for_eof(3s));
  EXPECT_TRUE(server.log->wait_for("TLS handshake not completed within", 3s));
  expect_still_serving(server, client);
}

TEST_F(https_test, refuses_clients_below_tls12) {
  tls_test_server_t server{tls_settings_with(files, hello)};
  tls_client_context_t old{files.pki.ca_pem(), TLS1_1_VERSION};
  SSL_CTX_set_min_proto_version(old.get(), TLS1_VERSION);
  SSL_CTX_set_security_level(old.get(), 0);
  ws_test_client_t c{server.port()};
  EXPECT_FALSE(c.start_tls(old.get()));
  EXPECT_TRUE(server.log->wait_for("TLS failed", 3s));
}

// ---- certificates: SNI, reload, mutual TLS ------------------------------------------------

TEST_F(https_test, picks_the_certificate_by_server_name) {
  auto settings = tls_settings_with(files, hello);
  settings.tls_server_name("a.test", files.context_for("a.test", "a"));
  settings.tls_server_name("*.b.test", files.context_for("*.b.test", "b"));
  tls_test_server_t server{settings};
  const auto cn_for = [&](const std::string& name) {
    ws_test_client_t c{server.port()};
    std::string cn;
    if (!c.start_tls(client.get(), name)) return "failed: " + c.tls_error();
    return peer_common_name(c.ssl());
  };
  EXPECT_EQ(cn_for("a.test"), "a.test");
  EXPECT_EQ(cn_for("A.TEST"), "a.test");
  EXPECT_EQ(cn_for("x.b.test"), "*.b.test");
  EXPECT_EQ(cn_for("localhost"), "localhost");  // no match: the default
  {
    ws_test_client_t c{server.port()};  // no SNI at all: the default, and a request works
    tls_client_context_t lax{files.pki.ca_pem()};
    SSL_CTX_set_verify(lax.get(), SSL_VERIFY_NONE, nullptr);
    ASSERT_TRUE(c.start_tls(lax.get(), ""));
    EXPECT_EQ(peer_common_name(c.ssl()), "localhost");
    ASSERT_TRUE(c.send_raw(get_request("/n")));
    EXPECT_EQ(read_response(c).substr(0, 8), "hello /n");
  }
}

TEST_F(https_test, reload_gives_new_connections_the_new_certificate) {
  tls_test_server_t server{tls_settings_with(files, hello)};
  ws_test_client_t before{server.port()};
  ASSERT_TRUE(before.start_tls(client.get())) << before.tls_error();
  const pem_pair_t next = files.pki.issue("localhost", "DNS:localhost", false, "reloaded");
  server.server().reload_tls(std::make_shared<asio::ssl::context>(make_tls_context(
      files.dir.write("next.pem", next.cert), files.dir.write("next.key", next.key))));
  ws_test_client_t after{server.port()};
  ASSERT_TRUE(after.start_tls(client.get())) << after.tls_error();
  const auto org = [](SSL* ssl) {
    X509* cert = SSL_get1_peer_certificate(ssl);
    char o[64] = "";
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_organizationName, o, sizeof o);
    X509_free(cert);
    return std::string{o};
  };
  EXPECT_EQ(org(before.ssl()), "");
  EXPECT_EQ(org(after.ssl()), "reloaded");
  // The connection from before keeps its session and goes on working.
  ASSERT_TRUE(before.send_raw(get_request("/old")));
  EXPECT_EQ(read_response(before).substr(0, 10), "hello /old");
  ASSERT_TRUE(after.send_raw(get_request("/new")));
  EXPECT_EQ(read_response(after).substr(0, 10), "hello /new");
}

TEST_F(https_test, reload_without_tls_is_a_logic_error) {
  auto settings = settings_with(echo_target);
  http_server_t<test_traits_t> server{settings.port(0).address("127.0.0.1")};
  EXPECT_THROW(server.reload_tls(nullptr), std::logic_error);
}

TEST_F(https_test, mutual_tls_accepts_a_client_the_ca_signed_and_shows_its_subject) {
  auto context = make_tls_context(files.cert, files.key);
  verify_client_certificates(context, files.dir.write("clients-ca.pem", files.pki.ca_pem()));
  auto settings = on_this_thread<tls_test_traits_t>();
  settings.request_handler(hello).tls_context(std::move(context));
  tls_test_server_t server{settings};

  tls_client_context_t alice{files.pki.ca_pem()};
  alice.use_certificate(files.pki.issue("alice", "", true, "restws-test"));
  ws_test_client_t c{server.port()};
  ASSERT_TRUE(c.start_tls(alice.get())) << c.tls_error();
  ASSERT_TRUE(c.send_raw(get_request("/me")));
  EXPECT_EQ(read_response(c),
            "hello /me TLSv1.3 alpn=http/1.1 sni=localhost peer=CN=alice,O=restws-test");
}

TEST_F(https_test, mutual_tls_refuses_a_client_without_certificate_or_from_another_ca) {
  auto context = make_tls_context(files.cert, files.key);
  verify_client_certificates(context, files.dir.write("clients-ca.pem", files.pki.ca_pem()));
  auto settings = on_this_thread<tls_test_traits_t>();
  settings.request_handler(hello).tls_context(std::move(context));
  tls_test_server_t server{settings};

  const auto refused = [&](tls_client_context_t& ctx) {
    ws_test_client_t c{server.port()};
    // TLS 1.3: the client's handshake may end before the server checks its certificate; the
    // refusal then shows on the first exchange.
    if (!c.start_tls(ctx.get())) return true;
    c.send_raw(get_request("/"));
    return c.read_head().empty();
  };
  tls_client_context_t nobody{files.pki.ca_pem()};
  EXPECT_TRUE(refused(nobody));
  test_pki_t other{"another CA"};
  tls_client_context_t rogue{files.pki.ca_pem()};
  rogue.use_certificate(other.issue("mallory", "", true));
  EXPECT_TRUE(refused(rogue));
  EXPECT_TRUE(server.log->wait_for("TLS failed", 3s));
}

TEST_F(https_test, make_tls_context_names_a_missing_file) {
  try {
    (void)make_tls_context("/nonexistent/chain.pem", files.key);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string{e.what()}.find("/nonexistent/chain.pem"), std::string::npos);
  }
  const pem_pair_t other = files.pki.issue("other", "DNS:other");
  EXPECT_THROW((void)make_tls_context(files.cert, files.dir.write("other.key", other.key)),
               std::system_error);
}

}  // namespace
}  // namespace restws::testing
