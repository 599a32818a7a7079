#pragma once
// Stable error codes of protocol v1. The snake_case names are a wire contract:
// clients switch on them, so never rename one; add new ones at the end.
#include <optional>
#include <string_view>

namespace kelisim::protocol {

enum class error_code {
  bad_message,
  unknown_type,
  invalid_field,
  unauthorized,
  token_expired,
  token_revoked,
  forbidden,
  not_admitted,
  not_your_turn,
  muted,
  not_a_member,
  room_paused,
  room_ended,
  rate_limited,
  too_large,
  unsupported_version,
  conflict,
  internal,
  not_found,
};

constexpr std::string_view to_string(error_code code) noexcept {
  switch (code) {
    case error_code::bad_message: return "bad_message";
    case error_code::unknown_type: return "unknown_type";
    case error_code::invalid_field: return "invalid_field";
    case error_code::unauthorized: return "unauthorized";
    case error_code::token_expired: return "token_expired";
    case error_code::token_revoked: return "token_revoked";
    case error_code::forbidden: return "forbidden";
    case error_code::not_admitted: return "not_admitted";
    case error_code::not_your_turn: return "not_your_turn";
    case error_code::muted: return "muted";
    case error_code::not_a_member: return "not_a_member";
    case error_code::room_paused: return "room_paused";
    case error_code::room_ended: return "room_ended";
    case error_code::rate_limited: return "rate_limited";
    case error_code::too_large: return "too_large";
    case error_code::unsupported_version: return "unsupported_version";
    case error_code::conflict: return "conflict";
    case error_code::internal: return "internal";
    case error_code::not_found: return "not_found";
  }
  return "internal";
}

std::optional<error_code> error_code_from_string(std::string_view name) noexcept;

}  // namespace kelisim::protocol
