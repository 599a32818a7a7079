#pragma once
// Building invite-shaped tokens by hand, so tests can forge, alter and re-sign them the way an
// attacker would (the server's own signer is in server/auth).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kelisim::test {

// RFC 4648 base64url without padding, as JWT uses it.
std::string base64url(std::string_view bytes);
// header.claims.signature with an HMAC-SHA256 signature by `key`, whatever the header says.
std::string hs256_jws(const nlohmann::json& header, const nlohmann::json& claims, const std::string& key);

}  // namespace kelisim::test
