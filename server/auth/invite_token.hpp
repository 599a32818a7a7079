#pragma once
// Invite tokens: signed (HS256 JWT via cpp-jwt), expiring, bound to room + invite + role + side + name.
// Nobody chooses their own role: whoever holds the token is exactly what the administrator issued.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/domain.hpp"
#include "protocol/error_code.hpp"

namespace kelisim::auth {

struct invite_claims {
  protocol::room_id room;
  std::string invite_id;
  protocol::role as = protocol::role::party;
  std::optional<std::string> side;
  std::string name;
  protocol::time_ms expires_at = 0;
};

class invite_signer {
 public:
  explicit invite_signer(std::string key);  // raw secret bytes (>= 32)

  std::string issue(const invite_claims& claims) const;

  // Verifies signature (constant-time), algorithm (HS256 only), shape and expiry.
  // Garbage, forged or tampered -> unauthorized; expired -> token_expired.
  // Revocation and the room are the caller's checks (they need the store and the request).
  std::variant<invite_claims, protocol::error_code> verify(std::string_view token,
                                                           protocol::time_ms now) const;

 private:
  std::string key_;
};

// Reads <data_dir>/signing-key, or creates it (32 random bytes from OpenSSL, mode 0600).
// Throws std::runtime_error with a one-line reason if it cannot.
std::string load_or_create_signing_key(const std::filesystem::path& data_dir);

// Constant-time comparison for secrets (admin token).
bool equal_secrets(std::string_view a, std::string_view b) noexcept;

}  // namespace kelisim::auth
