#pragma once
// Commands: what someone asks a room to do. One struct per command; the variant is the catalogue.
// The wire decoder produces only the client commands; the internal ones come from the server itself.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/domain.hpp"

namespace kelisim::protocol::cmd {

// --- client commands (wire names in comments) ---
struct accept_rules {};                        // "accept_rules"
struct say {                                   // "say"
  std::string channel;                         // "joint" or a caucus id
  std::string text;
  bool shareable = false;                      // caucus only
  std::optional<seq_t> translates;             // interpreter: seq of the message rendered
};
struct raise_hand {};                          // "raise_hand"
struct lower_hand {};                          // "lower_hand"
struct yield_floor {};                         // "yield_floor"
struct signal_mediator { std::string text; };  // "signal_mediator" (text may be empty)
struct admit { participant_id participant; };  // "admit"
struct deny { participant_id participant; };   // "deny"
struct grant_floor { participant_id participant; };  // "grant_floor"
struct revoke_floor {};                        // "revoke_floor"
struct set_turn_mode {                         // "set_turn_mode"
  turn_mode mode = turn_mode::open;
  int turn_seconds = 0;                        // 0 = no limit
  std::optional<std::vector<participant_id>> order;  // round only; absent = default order
};
struct open_caucus {                           // "open_caucus"
  std::vector<participant_id> members;
  std::string title;
};
struct close_caucus { caucus_id caucus; };     // "close_caucus"
struct join_caucus { caucus_id caucus; };      // "join_caucus"
struct leave_caucus { caucus_id caucus; };     // "leave_caucus"
struct mute { participant_id participant; };   // "mute"
struct unmute { participant_id participant; }; // "unmute"
struct remove { participant_id participant; std::string reason; };  // "remove"
struct pause {};                               // "pause"
struct resume {};                              // "resume"
struct end_session {};                         // "end_session"
struct draft_agreement { std::string text; };  // "draft_agreement"
struct sign_agreement { int version = 0; };    // "sign_agreement"

// --- internal commands (never decoded from the wire) ---
// The administrator created the room; always the first event of a room.
struct create_room {
  std::string title;
  std::string language;  // "kk" | "ru" | "en"
  turn_mode mode = turn_mode::open;
  int turn_seconds = 0;
  std::string rules;     // ground rules shown in the lobby
};
// A token holder said hello for the first time: they enter (mediators admitted, others the lobby).
struct join { std::string name; role as = role::party; std::optional<std::string> side; };
// Time has passed: the shell calls this when the engine's next deadline is reached.
struct tick {};
// The administrator closed the room (same effect as end_session).
struct close_room {};
// The administrator revoked the invite of a participant who had joined.
struct revoke_participant { participant_id participant; };

}  // namespace kelisim::protocol::cmd

namespace kelisim::protocol {

using command = std::variant<
    cmd::accept_rules, cmd::say, cmd::raise_hand, cmd::lower_hand, cmd::yield_floor,
    cmd::signal_mediator, cmd::admit, cmd::deny, cmd::grant_floor, cmd::revoke_floor,
    cmd::set_turn_mode, cmd::open_caucus, cmd::close_caucus, cmd::join_caucus, cmd::leave_caucus,
    cmd::mute, cmd::unmute, cmd::remove, cmd::pause, cmd::resume, cmd::end_session,
    cmd::draft_agreement, cmd::sign_agreement,
    cmd::create_room, cmd::join, cmd::tick, cmd::close_room, cmd::revoke_participant>;

// Who issues a command. Participants act through their invite; the administrator and the
// server's own timers act as fixed ids (admin_actor, system_actor).
enum class actor_kind { participant, admin, system };
struct actor {
  actor_kind kind = actor_kind::participant;
  participant_id id;
};

// The wire name of a client command ("say", "admit", ...); internal commands have none ("").
std::string_view command_name(const command& c) noexcept;

}  // namespace kelisim::protocol
