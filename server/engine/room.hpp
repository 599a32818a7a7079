#pragma once
// The room engine's whole public face: decide, apply, and the pure queries the shell needs.
// Pure: no I/O, no clock, no threads, no JSON, no Boost. Time comes in as `now`.
#include <optional>
#include <string>
#include <vector>

#include "engine/room_state.hpp"
#include "protocol/commands.hpp"
#include "protocol/error_code.hpp"
#include "protocol/events.hpp"
#include "protocol/snapshot.hpp"

namespace kelisim::engine {

// A refused command: a protocol error code, a human reason, and the offending field if any.
struct rejection {
  protocol::error_code code = protocol::error_code::forbidden;
  std::string reason;
  std::optional<std::string> field;
};

// What a command causes: events (seq numbered from last_seq(state)+1, ts = now), or a refusal.
// A command that is accepted always causes at least one event.
struct decision {
  std::vector<protocol::event> events;
  std::optional<rejection> refused;
  bool accepted() const noexcept { return !refused.has_value(); }
};

decision decide(const room_state& state, const protocol::command& command,
                const protocol::actor& who, protocol::time_ms now);

// The only way room state changes. Replaying a room's events from room_state{} rebuilds it.
void apply(room_state& state, const protocol::event& e);

// Seq of the last applied event (0 for an empty room).
protocol::seq_t last_seq(const room_state& state) noexcept;
protocol::room_phase phase(const room_state& state) noexcept;

// The earliest moment at which `decide(state, cmd::tick{}, system, t)` would cause events.
std::optional<protocol::time_ms> next_deadline(const room_state& state) noexcept;

// The participant as a viewer for may_see; nullopt if they never joined.
std::optional<protocol::viewer> viewer_of(const room_state& state,
                                          const protocol::participant_id& id);

// The snapshot this participant may see (online flags false; the shell fills presence).
// Talk-time figures are included for mediators only; caucuses only those the viewer may see.
protocol::room_snapshot view_for(const room_state& state, const protocol::participant_id& viewer);

// The administrator's overview: every participant, every open caucus, talk-time figures.
protocol::room_snapshot overview(const room_state& state);

}  // namespace kelisim::engine
