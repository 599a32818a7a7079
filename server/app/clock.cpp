#include "app/clock.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace kelisim::app {

std::string random_id(std::string_view prefix, std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(prefix);
  for (const unsigned char b : raw) {
    id.push_back(hex[b >> 4]);
    id.push_back(hex[b & 0x0F]);
  }
  return id;
}

}  // namespace kelisim::app
