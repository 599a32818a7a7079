#pragma once
// Events: what happened in a room. The event log is the truth: room state is a fold over it.
// One struct per kind; the variant is the catalogue. Field names follow the wire (PROTOCOL.md).
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/domain.hpp"

namespace kelisim::protocol::ev {

struct room_created {           // "room_created" — always seq 1
  std::string title;
  std::string language;
  turn_mode mode = turn_mode::open;
  int turn_seconds = 0;
  std::string rules;
};
struct joined_lobby {           // "joined_lobby" — mediators are admitted right after
  participant_id participant;
  std::string name;
  role as = role::party;        // wire field "role"
  std::optional<std::string> side;
};
struct rules_accepted { participant_id participant; };  // consent to rules + recording notice
struct admitted { participant_id participant; };
struct denied { participant_id participant; };
struct message {
  std::string channel;          // "joint" or a caucus id
  std::string text;
  bool shareable = false;
  std::optional<seq_t> translates;
};
struct hand_raised { participant_id participant; };
struct hand_lowered { participant_id participant; };
struct floor_granted {
  participant_id participant;
  std::optional<time_ms> deadline;  // when turns are timed
};
struct floor_released {
  participant_id participant;
  floor_release_reason reason = floor_release_reason::yielded;
};
struct turn_mode_changed {
  turn_mode mode = turn_mode::open;
  int turn_seconds = 0;
  std::vector<participant_id> order;  // round: the talking-piece order; empty otherwise
};
struct caucus_opened {
  caucus_id caucus;
  std::vector<participant_id> members;  // includes the opening mediator
  std::string title;
};
struct caucus_closed { caucus_id caucus; };
struct caucus_joined { caucus_id caucus; participant_id participant; };
struct caucus_left { caucus_id caucus; participant_id participant; };
struct mediator_signalled { std::string text; };  // actor is the one who signalled
struct muted { participant_id participant; };
struct unmuted { participant_id participant; };
struct removed { participant_id participant; std::string reason; };
struct paused {};
struct resumed {};
struct session_ended {};
struct agreement_drafted { int version = 0; std::string text; };
struct agreement_signed { int version = 0; participant_id participant; };
struct agreement_voided { int version = 0; participant_id participant; };  // one voided signature

}  // namespace kelisim::protocol::ev

namespace kelisim::protocol {

using event_body = std::variant<
    ev::room_created, ev::joined_lobby, ev::rules_accepted, ev::admitted, ev::denied,
    ev::message, ev::hand_raised, ev::hand_lowered, ev::floor_granted, ev::floor_released,
    ev::turn_mode_changed, ev::caucus_opened, ev::caucus_closed, ev::caucus_joined,
    ev::caucus_left, ev::mediator_signalled, ev::muted, ev::unmuted, ev::removed, ev::paused,
    ev::resumed, ev::session_ended, ev::agreement_drafted, ev::agreement_signed,
    ev::agreement_voided>;

// Who may see an event, fixed when the event is decided ("as of that event") and stored with it,
// so live fan-out, resume and export need no other state to apply the same rule.
enum class audience_scope {
  everyone,   // every participant who joined, lobby included (pause, resume, end)
  admitted,   // admitted participants (observers included) and mediators, plus `subject`
  mediators,  // mediators only, plus `subject` if set
  caucus,     // mediators and `members` (the caucus's members at that moment)
};
struct audience {
  audience_scope scope = audience_scope::admitted;
  caucus_id caucus;                     // caucus scope only
  std::vector<participant_id> members;  // caucus scope only
  participant_id subject;               // also sees it (e.g. the lobby participant being admitted)
};

struct event {
  seq_t seq = 0;
  time_ms ts = 0;
  participant_id actor;  // participant id, or admin_actor / system_actor
  audience to;
  event_body body;
};

// The wire name of an event kind ("message", "floor_granted", ...).
std::string_view event_kind(const event_body& body) noexcept;

// Who is looking: enough to apply the visibility rule without the room state.
struct viewer {
  participant_id id;
  role as = role::party;
  bool admitted = false;  // currently admitted (mediators always are)
};

// THE visibility rule. Live fan-out, resume and per-party export all call this and nothing else.
bool may_see(const viewer& who, const event& e) noexcept;

}  // namespace kelisim::protocol
