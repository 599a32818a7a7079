#include "tests/support/test_certificate.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <string>

namespace kelisim::test {
namespace {

template <auto Free>
struct openssl_deleter {
  template <class T>
  void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO_free_all>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, openssl_deleter<X509_EXTENSION_free>>;

[[noreturn]] void fail(const std::string& what) {
  std::array<char, 256> reason{};
  ERR_error_string_n(ERR_get_error(), reason.data(), reason.size());
  throw std::runtime_error("test certificate: " + what + ": " + reason.data());
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ext_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail(std::string("extension ") + value);
}

void write_pem(const std::filesystem::path& file, auto&& write) {
  bio_ptr out(BIO_new_file(file.c_str(), "w"));
  if (!out) fail("cannot open " + file.string());
  if (write(out.get()) != 1) fail("cannot write " + file.string());
}

}  // namespace

test_certificate make_test_certificate(const std::filesystem::path& dir) {
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key) fail("EC P-256 key generation");

  x509_ptr cert(X509_new());
  if (!cert) fail("X509_new");
  X509_set_version(cert.get(), X509_VERSION_3);
  std::array<unsigned char, 16> serial_bytes{};
  if (RAND_bytes(serial_bytes.data(), static_cast<int>(serial_bytes.size())) != 1) fail("serial");
  serial_bytes[0] &= 0x7f;  // a positive serial
  BIGNUM* serial = BN_bin2bn(serial_bytes.data(), static_cast<int>(serial_bytes.size()), nullptr);
  if (serial == nullptr || BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) == nullptr) {
    BN_free(serial);
    fail("serial");
  }
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 2L * 24 * 3600);
  if (X509_set_pubkey(cert.get(), key.get()) != 1) fail("public key");

  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Kelisim tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  if (X509_set_issuer_name(cert.get(), name) != 1) fail("issuer");

  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("signing");

  test_certificate out{dir / "cert.pem", dir / "key.pem"};
  write_pem(out.cert_file, [&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
  write_pem(out.key_file, [&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  ::chmod(out.key_file.c_str(), 0600);
  return out;
}

}  // namespace kelisim::test
