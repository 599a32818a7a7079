// decide(): the common gate every command passes, then the per-command decider.
//
// Error codes, checked in this order (the first that applies wins):
//   room never created (anything but create_room)          -> not_found
//   session ended (every command)                          -> room_ended
//   wrong actor kind (admin/system command from a
//     participant, client command from admin/system)       -> forbidden
//   actor never joined, or removed/denied                  -> forbidden
//   role may not issue this command (see `policy_of`)      -> forbidden
//   actor still in the lobby (all but accept_rules)        -> not_admitted
//   room paused: non-mediator say, raise/lower/yield,
//     sign_agreement                                       -> room_paused
// then per command (see the deciders' files):
//   muted participant says or raises a hand                -> muted
//   say into a caucus one is not a member of, or an
//     unknown caucus (non-mediators)                       -> not_a_member
//   say/yield off-turn (moderated, round)                  -> not_your_turn
//   unknown participant / caucus / bad enum in a field     -> invalid_field (field named)
//   text empty or not UTF-8                                -> invalid_field
//   text longer than its limit                             -> too_large
//   state already so, or not in the needed state
//     (duplicate hand, admit before consent, stale sign)   -> conflict
#include "engine/decision_builder.hpp"
#include "protocol/text.hpp"

namespace kelisim::engine {
namespace {

using protocol::actor_kind;
using protocol::role;

// Who may issue a client command, and what holds them back. The permission matrix in one table.
struct command_policy {
  actor_kind issued_by = actor_kind::participant;
  bool mediator = false, party = false, advisor = false, interpreter = false, observer = false;
  bool needs_admission = true;          // lobby participants get not_admitted
  bool stopped_by_pause = false;        // for non-mediators: room_paused
};

bool role_allowed(const command_policy& p, role r) {
  switch (r) {
    case role::mediator: return p.mediator;
    case role::party: return p.party;
    case role::advisor: return p.advisor;
    case role::interpreter: return p.interpreter;
    case role::observer: return p.observer;
  }
  return false;
}

constexpr command_policy mediators_only{actor_kind::participant, true, false, false, false, false,
                                        true, false};
constexpr command_policy administrator{actor_kind::admin, false, false, false, false, false, false,
                                       false};

struct policy_of {
  command_policy operator()(const cmd::accept_rules&) const {
    return {actor_kind::participant, true, true, true, true, true, false, false};
  }
  command_policy operator()(const cmd::say&) const {
    return {actor_kind::participant, true, true, true, true, false, true, true};
  }
  command_policy operator()(const cmd::raise_hand&) const { return hand_commands(); }
  command_policy operator()(const cmd::lower_hand&) const { return hand_commands(); }
  // An interpreter may be granted the floor, so may hand it back.
  command_policy operator()(const cmd::yield_floor&) const {
    return {actor_kind::participant, false, true, true, true, false, true, true};
  }
  // A signal for help must get through a pause: it is how a party asks for one.
  command_policy operator()(const cmd::signal_mediator&) const {
    return {actor_kind::participant, false, true, true, false, false, true, false};
  }
  command_policy operator()(const cmd::sign_agreement&) const {
    return {actor_kind::participant, false, true, false, false, false, true, true};
  }
  command_policy operator()(const cmd::create_room&) const { return administrator; }
  command_policy operator()(const cmd::close_room&) const { return administrator; }
  command_policy operator()(const cmd::revoke_participant&) const { return administrator; }
  command_policy operator()(const cmd::tick&) const {
    return {actor_kind::system, false, false, false, false, false, false, false};
  }
  // join is checked by its decider (who joins is exactly who the token says).
  command_policy operator()(const cmd::join&) const {
    return {actor_kind::participant, true, true, true, true, true, false, false};
  }
  // Everything else is a mediator's moderation tool.
  template <typename Mediator_command>
  command_policy operator()(const Mediator_command&) const {
    return mediators_only;
  }

 private:
  static constexpr command_policy hand_commands() {
    return {actor_kind::participant, false, true, true, false, false, true, true};
  }
};

verdict gate(const decision_builder& b, const protocol::command& command) {
  const room_state& room = b.room();
  const bool creating = std::holds_alternative<cmd::create_room>(command);
  if (!room.created && !creating) return refuse(error_code::not_found, "the room does not exist");
  if (room.phase == protocol::room_phase::ended)
    return refuse(error_code::room_ended, "the session has ended");

  const command_policy policy = std::visit(policy_of{}, command);
  if (b.who().kind != policy.issued_by)
    return refuse(error_code::forbidden, "this command is not for this kind of actor");
  if (policy.issued_by != actor_kind::participant || std::holds_alternative<cmd::join>(command))
    return std::nullopt;

  const participant_record* me = b.actor_record();
  if (!me) return refuse(error_code::forbidden, "not a participant of this room");
  if (me->state == protocol::presence_state::removed)
    return refuse(error_code::forbidden, "removed from this room");
  if (!role_allowed(policy, me->as))
    return refuse(error_code::forbidden,
                  std::string("a ") + std::string(protocol::to_string(me->as)) +
                      " may not do this");
  if (policy.needs_admission && !is_admitted(*me))
    return refuse(error_code::not_admitted, "waiting in the lobby to be admitted");
  if (policy.stopped_by_pause && room.phase == protocol::room_phase::paused &&
      me->as != role::mediator)
    return refuse(error_code::room_paused, "the session is paused");
  return std::nullopt;
}

}  // namespace

decision decide(const room_state& state, const protocol::command& command,
                const protocol::actor& who, time_ms now) {
  decision_builder b(state, who, now);
  verdict refused = gate(b, command);
  if (!refused)
    refused = std::visit([&](const auto& c) { return decide_command(b, c); }, command);
  if (refused) return decision{{}, std::move(refused)};
  return decision{b.take_events(), std::nullopt};
}

verdict check_text(const std::string& text, std::size_t limit, const char* field, bool required) {
  if (required && text.empty()) return refuse(error_code::invalid_field, "must not be empty", field);
  if (!protocol::valid_utf8(text)) return refuse(error_code::invalid_field, "not UTF-8", field);
  if (protocol::code_points(text) > limit)
    return refuse(error_code::too_large,
                  "longer than " + std::to_string(limit) + " characters", field);
  return std::nullopt;
}

}  // namespace kelisim::engine
