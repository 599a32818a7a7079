#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "net/startup_error.hpp"

namespace kelisim::net {

namespace ssl = boost::asio::ssl;

namespace {

// Mozilla's "intermediate" TLS 1.2 list without the finite-field DHE suites: ECDHE only.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

void require_readable(const std::filesystem::path& file, const char* what) {
  std::ifstream probe(file, std::ios::binary);
  if (!probe) throw startup_error(std::string("cannot read ") + what + " " + file.string() + ": " + std::strerror(errno));
}

std::string openssl_reason(const boost::system::error_code& ec) {
  // OpenSSL's reason string is more useful than asio's generic message.
  if (const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()))) return reason;
  return ec.message();
}

}  // namespace

ssl::context make_server_tls_context(const std::filesystem::path& certificate_chain,
                                     const std::filesystem::path& private_key) {
  require_readable(certificate_chain, "TLS certificate");
  require_readable(private_key, "TLS private key");

  ssl::context context(ssl::context::tls_server);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                      ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_options(context.native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  // Idle connections are the common case (people reading); let OpenSSL free its ~34 KB of
  // read/write buffers between records instead of holding them per connection.
  SSL_CTX_set_mode(context.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(context.native_handle(), tls12_ciphers) != 1)
    throw startup_error("cannot configure TLS cipher suites");

  boost::system::error_code ec;
  context.use_certificate_chain_file(certificate_chain.string(), ec);
  if (ec) throw startup_error("invalid TLS certificate " + certificate_chain.string() + ": " + openssl_reason(ec));
  context.use_private_key_file(private_key.string(), ssl::context::pem, ec);
  if (ec) throw startup_error("invalid TLS private key " + private_key.string() + ": " + openssl_reason(ec));
  if (SSL_CTX_check_private_key(context.native_handle()) != 1)
    throw startup_error("TLS private key " + private_key.string() + " does not match certificate " +
                        certificate_chain.string());
  return context;
}

}  // namespace kelisim::net
