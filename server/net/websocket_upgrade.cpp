#include "net/websocket_upgrade.hpp"

#include <array>

#include <openssl/evp.h>

namespace kelisim::net {

namespace {
// RFC 6455 1.3: the server proves it read the key by hashing it with this GUID.
constexpr std::string_view accept_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

// A key is 16 random bytes in base64: 22 characters of the alphabet and "==".
bool well_formed_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (const char c : key.substr(0, 22))
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'))
      return false;
  return true;
}
}  // namespace

upgrade_refusal check_upgrade(const http::request<http::string_body>& request) {
  const auto version = request.find(http::field::sec_websocket_version);
  if (version == request.end() || version->value() != "13")
    return {http::status::upgrade_required, "WebSocket version 13 only"};
  const auto key = request.find(http::field::sec_websocket_key);
  if (key == request.end() || !well_formed_key(key->value()))
    return {http::status::bad_request, "missing or malformed Sec-WebSocket-Key"};
  return {};
}

std::string upgrade_response(std::string_view client_key) {
  std::string keyed(client_key);
  keyed.append(accept_guid);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  EVP_Digest(keyed.data(), keyed.size(), digest.data(), &digest_size, EVP_sha1(), nullptr);
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Server: kelisim\r\n"
      "Sec-WebSocket-Accept: ";
  response += base64(digest.data(), digest_size);
  response += "\r\n\r\n";
  return response;
}

}  // namespace kelisim::net
