#pragma once
#include <filesystem>

#include <boost/asio/ssl/context.hpp>

namespace kelisim::net {

// A server TLS context: TLS 1.2 and 1.3 only, forward-secret (ECDHE) AEAD ciphers for 1.2, the
// certificate chain and private key from PEM files. Throws startup_error with a one-line reason
// ("cannot read TLS certificate certs/x.pem: No such file or directory").
boost::asio::ssl::context make_server_tls_context(const std::filesystem::path& certificate_chain,
                                                  const std::filesystem::path& private_key);

}  // namespace kelisim::net
