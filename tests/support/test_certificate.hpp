#pragma once
// A throwaway TLS identity for tests: an EC P-256 key and a self-signed certificate for
// 127.0.0.1 / localhost, valid from an hour ago for two days. Clients in tests do not verify it.
#include <filesystem>

namespace kelisim::test {

struct test_certificate {
  std::filesystem::path cert_file;  // PEM certificate
  std::filesystem::path key_file;   // PEM private key (PKCS#8), mode 0600
};

// Writes cert.pem and key.pem into `dir` (which must exist). Throws std::runtime_error with
// OpenSSL's reason on failure.
test_certificate make_test_certificate(const std::filesystem::path& dir);

}  // namespace kelisim::test
