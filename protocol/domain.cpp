#include "protocol/domain.hpp"

#include <array>
#include <utility>

#include "protocol/commands.hpp"
#include "protocol/error_code.hpp"
#include "protocol/events.hpp"

namespace kelisim::protocol {
namespace {

// One table per enum: the wire names in declaration order, read both ways.
constexpr std::array role_names{"mediator", "party", "advisor", "interpreter", "observer"};
constexpr std::array turn_mode_names{"open", "moderated", "round"};
constexpr std::array room_phase_names{"scheduled", "lobby", "in_session", "paused", "ended"};
constexpr std::array presence_state_names{"lobby", "admitted", "removed"};
constexpr std::array floor_release_reason_names{"yielded", "revoked", "expired"};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<const char*, N>& names, Enum value) noexcept {
  const auto index = static_cast<std::size_t>(value);
  return index < N ? names[index] : "";
}

template <typename Enum, std::size_t N>
std::optional<Enum> parse(const std::array<const char*, N>& names, std::string_view s) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    if (s == names[i]) return static_cast<Enum>(i);
  return std::nullopt;
}

}  // namespace

std::string_view to_string(role r) noexcept { return name_of(role_names, r); }
std::string_view to_string(turn_mode m) noexcept { return name_of(turn_mode_names, m); }
std::string_view to_string(room_phase p) noexcept { return name_of(room_phase_names, p); }
std::string_view to_string(presence_state s) noexcept { return name_of(presence_state_names, s); }
std::string_view to_string(floor_release_reason r) noexcept {
  return name_of(floor_release_reason_names, r);
}

std::optional<role> role_from_string(std::string_view s) noexcept {
  return parse<role>(role_names, s);
}
std::optional<turn_mode> turn_mode_from_string(std::string_view s) noexcept {
  return parse<turn_mode>(turn_mode_names, s);
}
std::optional<room_phase> room_phase_from_string(std::string_view s) noexcept {
  return parse<room_phase>(room_phase_names, s);
}
std::optional<presence_state> presence_state_from_string(std::string_view s) noexcept {
  return parse<presence_state>(presence_state_names, s);
}
std::optional<floor_release_reason> floor_release_reason_from_string(std::string_view s) noexcept {
  return parse<floor_release_reason>(floor_release_reason_names, s);
}

std::optional<error_code> error_code_from_string(std::string_view name) noexcept {
  for (int i = 0; i <= static_cast<int>(error_code::not_found); ++i) {
    const auto code = static_cast<error_code>(i);
    if (to_string(code) == name) return code;
  }
  return std::nullopt;
}

namespace {
// Variant alternative index -> wire name, in the order of the variant declarations.
constexpr std::array command_names{
    "accept_rules", "say", "raise_hand", "lower_hand", "yield_floor", "signal_mediator", "admit",
    "deny", "grant_floor", "revoke_floor", "set_turn_mode", "open_caucus", "close_caucus",
    "join_caucus", "leave_caucus", "mute", "unmute", "remove", "pause", "resume", "end_session",
    "draft_agreement", "sign_agreement",
    // internal commands have no wire name
    "", "", "", "", ""};
static_assert(command_names.size() == std::variant_size_v<command>);

constexpr std::array event_kinds{
    "room_created", "joined_lobby", "rules_accepted", "admitted", "denied", "message",
    "hand_raised", "hand_lowered", "floor_granted", "floor_released", "turn_mode_changed",
    "caucus_opened", "caucus_closed", "caucus_joined", "caucus_left", "mediator_signalled",
    "muted", "unmuted", "removed", "paused", "resumed", "session_ended", "agreement_drafted",
    "agreement_signed", "agreement_voided"};
static_assert(event_kinds.size() == std::variant_size_v<event_body>);
}  // namespace

std::string_view command_name(const command& c) noexcept { return command_names[c.index()]; }
std::string_view event_kind(const event_body& body) noexcept { return event_kinds[body.index()]; }

}  // namespace kelisim::protocol
