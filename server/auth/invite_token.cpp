#include "server/auth/invite_token.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <jwt/jwt.hpp>
#include <stdexcept>
#include <system_error>

namespace kelisim::auth {
namespace {

using protocol::error_code;
using json = nlohmann::json;

constexpr std::size_t min_key_bytes = 32;
constexpr std::size_t signing_key_bytes = 32;
// Far above any real invite; refuse before decoding anything larger.
constexpr std::size_t max_token_bytes = 4096;

bool is_base64url(std::string_view part) noexcept {
  // Unpadded base64url: a length of 1 mod 4 cannot be produced by any byte string.
  if (part.empty() || part.size() % 4 == 1) return false;
  for (const char c : part) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string base64url(const unsigned char* data, std::size_t size) {
  std::string encoded = jwt::base64_encode(reinterpret_cast<const char*>(data), size);
  encoded.resize(jwt::base64_uri_encode(encoded.data(), encoded.size()));
  return encoded;
}

// HMAC-SHA256 of the signing input, base64url without padding (as it appears in a JWS).
std::optional<std::string> hs256_signature(const std::string& key, std::string_view signing_input) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac.data(),
           &mac_size) == nullptr ||
      mac_size != 32)
    return std::nullopt;
  return base64url(mac.data(), mac_size);
}

// Decodes one base64url part into a JSON object; nullopt if it is not exactly that.
std::optional<json> decode_object(std::string_view part) {
  const std::string text = jwt::base64_uri_decode(part.data(), part.size());
  // The decoder is lenient; re-encoding must give the same text, or the part was not canonical.
  if (base64url(reinterpret_cast<const unsigned char*>(text.data()), text.size()) != part) return std::nullopt;
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

const json* member(const json& object, const char* name) {
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> nonempty_string(const json& object, const char* name) {
  const json* value = member(object, name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  auto s = value->get<std::string>();
  if (s.empty()) return std::nullopt;
  return s;
}

std::variant<invite_claims, error_code> check(std::string_view token, const std::string& key,
                                              protocol::time_ms now) {
  if (token.empty() || token.size() > max_token_bytes) return error_code::unauthorized;
  const auto first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return error_code::unauthorized;
  const auto second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos)
    return error_code::unauthorized;
  const auto header_part = token.substr(0, first_dot);
  const auto payload_part = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const auto signature_part = token.substr(second_dot + 1);
  if (!is_base64url(header_part) || !is_base64url(payload_part) || !is_base64url(signature_part))
    return error_code::unauthorized;

  // HS256 only: "none", HS512, RS256 (a public key used as an HMAC secret) ... are all refused.
  const auto header = decode_object(header_part);
  if (!header) return error_code::unauthorized;
  const json* alg = member(*header, "alg");
  if (alg == nullptr || !alg->is_string() || alg->get<std::string>() != "HS256") return error_code::unauthorized;
  if (const json* typ = member(*header, "typ"); typ != nullptr && (!typ->is_string() || typ->get<std::string>() != "JWT"))
    return error_code::unauthorized;
  // Extensions we do not understand must not be ignored (RFC 7515 §4.1.11).
  if (member(*header, "crit") != nullptr) return error_code::unauthorized;

  // cpp-jwt compares signatures with ==, which leaks timing: compare ourselves, constant-time.
  const auto expected = hs256_signature(key, token.substr(0, second_dot));
  if (!expected || expected->size() != signature_part.size() ||
      CRYPTO_memcmp(expected->data(), signature_part.data(), expected->size()) != 0)
    return error_code::unauthorized;

  const auto claims = decode_object(payload_part);
  if (!claims) return error_code::unauthorized;
  invite_claims out;
  auto room = nonempty_string(*claims, "room");
  auto invite_id = nonempty_string(*claims, "iid");
  auto role_name = nonempty_string(*claims, "role");
  const json* name = member(*claims, "name");
  const json* side = member(*claims, "side");
  const json* exp = member(*claims, "exp");
  if (!room || !invite_id || !role_name || name == nullptr || !name->is_string() || side == nullptr ||
      !(side->is_null() || side->is_string()) || exp == nullptr || !exp->is_number_integer())
    return error_code::unauthorized;
  const auto as = protocol::role_from_string(*role_name);
  if (!as) return error_code::unauthorized;
  const auto exp_seconds = exp->get<std::int64_t>();
  // Out of range for milliseconds: not a token we issued.
  if (exp_seconds < 0 || exp_seconds > std::numeric_limits<protocol::time_ms>::max() / 1000)
    return error_code::unauthorized;

  out.room = std::move(*room);
  out.invite_id = std::move(*invite_id);
  out.as = *as;
  if (side->is_string()) out.side = side->get<std::string>();
  out.name = name->get<std::string>();
  out.expires_at = exp_seconds * 1000;
  if (now >= out.expires_at) return error_code::token_expired;
  return out;
}

}  // namespace

invite_signer::invite_signer(std::string key) : key_(std::move(key)) {
  if (key_.size() < min_key_bytes)
    throw std::invalid_argument("invite signing key must be at least 32 bytes, got " + std::to_string(key_.size()));
}

std::string invite_signer::issue(const invite_claims& claims) const {
  using namespace jwt::params;
  jwt::jwt_object token{algorithm("HS256"), secret(key_)};
  token.add_claim("room", claims.room)
      .add_claim("iid", claims.invite_id)
      .add_claim("role", std::string(protocol::to_string(claims.as)))
      .add_claim("side", claims.side ? json(*claims.side) : json(nullptr))
      .add_claim("name", claims.name)
      // JWT "exp" is in seconds: sub-second precision of expires_at is dropped (rounded down).
      .add_claim("exp", claims.expires_at / 1000);
  return token.signature();
}

std::variant<invite_claims, protocol::error_code> invite_signer::verify(std::string_view token,
                                                                       protocol::time_ms now) const {
  try {
    return check(token, key_, now);
  } catch (...) {
    // Nothing in a token may take the server down: anything unexpected is just a refusal.
    return error_code::unauthorized;
  }
}

std::string load_or_create_signing_key(const std::filesystem::path& data_dir) {
  const auto path = data_dir / "signing-key";
  const auto fail = [&](const std::string& why) -> std::runtime_error {
    return std::runtime_error("signing key " + path.string() + ": " + why);
  };

  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string key(signing_key_bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
      ::close(fd);
      ::unlink(path.c_str());
      throw fail("OpenSSL could not generate random bytes");
    }
    std::size_t written = 0;
    while (written < key.size()) {
      const auto n = ::write(fd, key.data() + written, key.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const std::string reason = std::strerror(errno);
        ::close(fd);
        ::unlink(path.c_str());
        throw fail("cannot write: " + reason);
      }
      written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
      const std::string reason = std::strerror(errno);
      ::unlink(path.c_str());
      throw fail("cannot write: " + reason);
    }
    return key;
  }
  if (errno != EEXIST) throw fail(std::string("cannot create: ") + std::strerror(errno));

  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fail(std::string("cannot read: ") + std::strerror(errno));
  struct stat info{};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw fail("not a regular file");
  }
  if (info.st_size != static_cast<off_t>(signing_key_bytes)) {
    ::close(fd);
    throw fail("expected " + std::to_string(signing_key_bytes) + " bytes, found " + std::to_string(info.st_size) +
               " (remove it to generate a new key; existing invites stop working)");
  }
  std::string key(signing_key_bytes, '\0');
  std::size_t read_bytes = 0;
  while (read_bytes < key.size()) {
    const auto n = ::read(fd, key.data() + read_bytes, key.size() - read_bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw fail("cannot read");
    }
    read_bytes += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return key;
}

bool equal_secrets(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    // Same work as a real comparison, so a wrong length is not answered faster than wrong content.
    static_cast<void>(CRYPTO_memcmp(a.data(), a.data(), a.size()));
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace kelisim::auth
