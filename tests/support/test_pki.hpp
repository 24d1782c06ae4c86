#pragma once
// Certificates made at test time with OpenSSL's API (no key is committed): a CA, and leaf
// certificates it (or another CA) signs, as PEM strings or files in a temporary directory.
// EC P-256 keys: each takes well under a millisecond.

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace restws::testing {

struct pem_pair_t {
  std::string cert;  ///< PEM certificate (a chain: leaf, then its CA, for servers)
  std::string key;   ///< PEM private key
};

class test_pki_t {
 public:
  /// A self-signed CA named `name`.
  explicit test_pki_t(const std::string& name = "restws test CA") {
    ca_key_.reset(EVP_EC_gen("P-256"));
    ca_.reset(make(name, ca_key_.get(), nullptr, ca_key_.get(), "", true, false));
  }

  /// A certificate for `subject_cn` with subjectAltName `sans` ("DNS:localhost,IP:127.0.0.1"),
  /// signed by this CA; `client`: for client authentication. `org`: an O= entry if not empty.
  pem_pair_t issue(const std::string& subject_cn, const std::string& sans, bool client = false,
                   const std::string& org = "") const {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_EC_gen("P-256"), EVP_PKEY_free};
    std::unique_ptr<X509, decltype(&X509_free)> cert{
        make(subject_cn, key.get(), ca_.get(), ca_key_.get(), sans, false, client, org), X509_free};
    return {to_pem(cert.get()) + ca_pem(), key_pem(key.get())};
  }
  std::string ca_pem() const { return to_pem(ca_.get()); }

 private:
  struct key_free_t {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };
  struct x509_free_t {
    void operator()(X509* x) const { X509_free(x); }
  };

  static X509* make(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                    const std::string& sans, bool ca, bool client, const std::string& org = "") {
    static long serial = 1000;
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 7 * 24 * 3600);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    if (!org.empty())
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
    auto add = [&](int nid, const std::string& value) {
      if (X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str())) {
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
      }
    };
    add(NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (ca) add(NID_key_usage, "critical,keyCertSign,cRLSign");
    if (!ca) add(NID_ext_key_usage, client ? "clientAuth" : "serverAuth");
    if (!sans.empty()) add(NID_subject_alt_name, sans);
    if (X509_sign(x, issuer_key, EVP_sha256()) == 0) throw std::runtime_error{"X509_sign"};
    return x;
  }
  static std::string to_pem(X509* x) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    return drain(b);
  }
  static std::string key_pem(EVP_PKEY* k) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
    return drain(b);
  }
  static std::string drain(BIO* b) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    std::string s{data, static_cast<std::size_t>(n)};
    BIO_free(b);
    return s;
  }

  std::unique_ptr<EVP_PKEY, key_free_t> ca_key_;
  std::unique_ptr<X509, x509_free_t> ca_;
};

/// A temporary directory, removed with its files at the end of the test.
class temp_dir_t {
 public:
  temp_dir_t() {
    std::string pattern = (std::filesystem::temp_directory_path() / "restws-tls-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error{"mkdtemp"};
    path_ = pattern;
  }
  ~temp_dir_t() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  /// Writes `content` to NAME in the directory; returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    const auto p = path_ / name;
    std::ofstream{p, std::ios::binary} << content;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace restws::testing
