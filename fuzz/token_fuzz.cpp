// Invite token verification under hostile input. Three kinds of input, chosen by the first byte:
//  0: the bytes are a token as given;
//  1: the bytes are edits (flip, replace, insert, erase, truncate) applied to a genuine token;
//  2: the bytes are claims, signed by a wrong key and by the right one.
// Properties: verify never crashes or throws; a token is accepted only if it carries exactly the
// claims of a token the real signer issued (whatever bytes changed, the identity cannot); a wrong
// key's token is refused as unauthorized; an expired answer is given only for a genuine token;
// the signer's own tokens verify back to the claims it signed (exp in whole seconds).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/invite_token.hpp"

namespace {

using namespace kelisim;
using auth::invite_claims;
using protocol::error_code;

constexpr protocol::time_ms now = 1'790'000'000'000;

bool same(const invite_claims& a, const invite_claims& b) {
  return a.room == b.room && a.invite_id == b.invite_id && a.as == b.as && a.side == b.side &&
         a.name == b.name && a.expires_at == b.expires_at;
}

[[noreturn]] void broken(const char* what, std::string_view token) {
  std::fprintf(stderr, "token property broken: %s\n  token: %.*s\n", what,
               static_cast<int>(token.size()), token.data());
  std::abort();
}

struct genuine {
  invite_claims claims;
  std::string token;
};

const auth::invite_signer& signer() {
  static const auth::invite_signer s(std::string("kelisim fuzz signing key, 32+ bytes long"));
  return s;
}
const auth::invite_signer& wrong_signer() {
  static const auth::invite_signer s(std::string("kelisim fuzz WRONG signing key, 32+ bytes"));
  return s;
}

const std::vector<genuine>& issued() {
  static const std::vector<genuine> tokens = [] {
    std::vector<invite_claims> claims{
        {"r_room1", "inv_m1", protocol::role::mediator, std::nullopt, "Мира", now + 3'600'000},
        {"r_room1", "inv_a1", protocol::role::party, "A", "Айгүл", now + 86'400'000},
        {"r_room1", "inv_o1", protocol::role::observer, std::nullopt, "Observer", now - 1'000},
        {"r_room2", "inv_b1", protocol::role::party, "B", "Борис", now + 60'000}};
    std::vector<genuine> out;
    for (auto& c : claims) out.push_back({c, signer().issue(c)});
    return out;
  }();
  return tokens;
}

// The only acceptable outcomes: refused, or exactly a genuine token's claims (expired ones never).
void check_verdict(std::string_view token) {
  const auto verdict = signer().verify(token, now);
  if (const auto* claims = std::get_if<invite_claims>(&verdict)) {
    for (const auto& g : issued())
      if (same(*claims, g.claims)) {
        if (g.claims.expires_at <= now) broken("an expired token was accepted", token);
        return;
      }
    broken("accepted claims that no genuine token carries", token);
  }
  const auto code = std::get<error_code>(verdict);
  if (code == error_code::token_expired) {
    // Expiry is checked after the signature: only a genuine, expired token may say so.
    for (const auto& g : issued())
      if (g.token == token && g.claims.expires_at <= now) return;
    broken("token_expired for something that is not a genuine expired token", token);
  }
  if (code != error_code::unauthorized) broken("a refusal other than unauthorized/token_expired", token);
}

void mutate_genuine(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return;
  const auto& original = issued()[data[0] % issued().size()];
  std::string token = original.token;
  for (std::size_t i = 1; i + 2 < size && !token.empty(); i += 3) {
    const std::size_t at = (static_cast<std::size_t>(data[i + 1]) << 8 | data[i + 2]) % token.size();
    switch (data[i] % 5) {
      case 0: token[at] = static_cast<char>(token[at] ^ (1u << (data[i + 2] % 8))); break;  // one bit
      case 1: token[at] = static_cast<char>(data[i + 2]); break;
      case 2: token.insert(at, 1, static_cast<char>(data[i + 2])); break;
      case 3: token.erase(at, 1); break;
      default: token.resize(at); break;  // truncated
    }
  }
  check_verdict(token);
}

void sign_claims(const std::uint8_t* data, std::size_t size) {
  // Claims from the input: strings cut at 0x00 bytes, a role, a side, an expiry offset.
  std::vector<std::string> fields(4);
  std::size_t field = 0;
  std::size_t i = 0;
  for (; i < size && field < fields.size(); ++i) {
    if (data[i] == 0) ++field;
    else fields[field].push_back(static_cast<char>(data[i]));
  }
  const std::uint8_t extra = i < size ? data[i] : 0;
  invite_claims claims{fields[0], fields[1], static_cast<protocol::role>(extra % 5),
                       (extra & 0x10) ? std::optional<std::string>(fields[3]) : std::nullopt, fields[2],
                       now + (static_cast<protocol::time_ms>(extra) - 100) * 60'000};
  std::string forged, real;
  try {
    forged = wrong_signer().issue(claims);
    real = signer().issue(claims);
  } catch (const std::exception&) {
    // issue() is only ever given claims the admin API validated (UTF-8 text); it may refuse others.
    return;
  }
  if (!std::holds_alternative<error_code>(signer().verify(forged, now)) ||
      std::get<error_code>(signer().verify(forged, now)) != error_code::unauthorized)
    broken("a token signed with a wrong key was not refused as unauthorized", forged);
  const auto verdict = signer().verify(real, now);
  if (claims.room.empty() || claims.invite_id.empty()) {
    if (!std::holds_alternative<error_code>(verdict)) broken("a token without room or invite accepted", real);
    return;
  }
  const invite_claims expected{claims.room, claims.invite_id, claims.as, claims.side, claims.name,
                               claims.expires_at / 1000 * 1000};
  if (expected.expires_at <= now) {
    if (!std::holds_alternative<error_code>(verdict) || std::get<error_code>(verdict) != error_code::token_expired)
      broken("an expired genuine token not token_expired", real);
    return;
  }
  const auto* back = std::get_if<invite_claims>(&verdict);
  if (!back || !same(*back, expected)) broken("a genuine token does not verify to its claims", real);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  switch (data[0] % 3) {
    case 0: check_verdict(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1)); break;
    case 1: mutate_genuine(data + 1, size - 1); break;
    default: sign_claims(data + 1, size - 1); break;
  }
  return 0;
}
