#include "tests/support/forged_token.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace kelisim::test {

std::string base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string hs256_jws(const nlohmann::json& header, const nlohmann::json& claims, const std::string& key) {
  const std::string input = base64url(header.dump()) + "." + base64url(claims.dump());
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(), &size);
  return input + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac.data()), size));
}

}  // namespace kelisim::test
