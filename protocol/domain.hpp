#pragma once
// Vocabulary shared by every layer: identities, roles, modes, time.
// Plain types only: the room engine includes this and must stay free of I/O and libraries.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kelisim::protocol {

using participant_id = std::string;  // equals the invite id the participant joined with
using caucus_id = std::string;       // "c1", "c2", ... assigned by the engine in opening order
using room_id = std::string;
using seq_t = std::int64_t;          // room-wide event position, from 1
using time_ms = std::int64_t;        // milliseconds since the Unix epoch, UTC

// Fixed actor ids for events no participant caused.
inline constexpr std::string_view system_actor = "system";  // timers (turn expiry)
inline constexpr std::string_view admin_actor = "admin";    // administrator actions (create, close, revoke)

enum class role { mediator, party, advisor, interpreter, observer };
enum class turn_mode { open, moderated, round };
// scheduled -> lobby -> in_session <-> paused -> ended
enum class room_phase { scheduled, lobby, in_session, paused, ended };
enum class presence_state { lobby, admitted, removed };
enum class floor_release_reason { yielded, revoked, expired };

// Limits that are part of the protocol contract (see PROTOCOL.md).
inline constexpr std::size_t max_text_code_points = 8000;
inline constexpr std::size_t max_frame_bytes = 64 * 1024;
inline constexpr std::size_t max_command_id_length = 64;
inline constexpr std::size_t max_name_code_points = 100;
inline constexpr std::size_t max_title_code_points = 200;
inline constexpr std::size_t max_rules_code_points = 8000;
inline constexpr std::size_t max_caucus_members = 64;
inline constexpr int max_turn_seconds = 3600;
inline constexpr int protocol_version = 1;
// Decoder limits (see PROTOCOL.md): JSON nesting of a frame, free-text reasons, round order length.
inline constexpr int max_json_depth = 8;
inline constexpr std::size_t max_reason_code_points = 1000;
inline constexpr std::size_t max_turn_order_length = 64;

std::string_view to_string(role r) noexcept;
std::string_view to_string(turn_mode m) noexcept;
std::string_view to_string(room_phase p) noexcept;
std::string_view to_string(presence_state s) noexcept;
std::string_view to_string(floor_release_reason r) noexcept;
std::optional<role> role_from_string(std::string_view s) noexcept;
std::optional<turn_mode> turn_mode_from_string(std::string_view s) noexcept;
std::optional<room_phase> room_phase_from_string(std::string_view s) noexcept;
std::optional<presence_state> presence_state_from_string(std::string_view s) noexcept;
std::optional<floor_release_reason> floor_release_reason_from_string(std::string_view s) noexcept;

}  // namespace kelisim::protocol
