// Moderation: mute, remove, pause, resume and ending — the mediator's (and administrator's) means
// to keep a tense conversation safe. Codes beyond the gate:
//   mute/unmute/remove/revoke an unknown participant   -> invalid_field "participant"
//   mute or remove a (co-)mediator                     -> invalid_field "participant"
//                                                         (the administrator revokes mediators)
//   mute someone not admitted, or already muted        -> conflict
//   unmute someone not muted                           -> conflict
//   remove/revoke someone already removed              -> conflict
//   remove reason over 200 code points                 -> too_large "reason"
//   pause when not in session (lobby or paused)        -> conflict
//   resume when not paused                             -> conflict
#include "engine/decision_builder.hpp"

namespace kelisim::engine {

using protocol::presence_state;
using protocol::role;

namespace {

const participant_record* moderated_target(const room_state& room, const participant_id& id,
                                           verdict& refused) {
  const auto* p = find_participant(room, id);
  if (!p)
    refused = refuse(error_code::invalid_field, "no such participant", "participant");
  else if (p->as == role::mediator)
    refused = refuse(error_code::invalid_field, "co-mediators have equal rights", "participant");
  else if (p->state == presence_state::removed)
    refused = refuse(error_code::conflict, "already removed", "participant");
  return refused ? nullptr : p;
}

// Removal is final: out of the floor, the queue and every caucus; a round moves on.
void remove_events(decision_builder& b, const participant_id& who, std::string reason) {
  const bool held = take_out_of_turn(b, who);
  b.emit(ev::removed{who, std::move(reason)}, to_admitted(who));
  if (held) grant_next_in_round(b, who);
}

}  // namespace

verdict decide_command(decision_builder& b, const cmd::mute& c) {
  verdict refused;
  const auto* target = moderated_target(b.room(), c.participant, refused);
  if (!target) return refused;
  if (target->state != presence_state::admitted)
    return refuse(error_code::conflict, "not admitted", "participant");
  if (target->muted) return refuse(error_code::conflict, "already muted", "participant");
  const bool held = take_out_of_turn(b, c.participant);
  b.emit(ev::muted{c.participant}, to_admitted(c.participant));
  if (held) grant_next_in_round(b, c.participant);
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::unmute& c) {
  verdict refused;
  const auto* target = moderated_target(b.room(), c.participant, refused);
  if (!target) return refused;
  if (!target->muted) return refuse(error_code::conflict, "not muted", "participant");
  b.emit(ev::unmuted{c.participant}, to_admitted(c.participant));
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::remove& c) {
  verdict refused;
  if (!moderated_target(b.room(), c.participant, refused)) return refused;
  if (auto bad = check_text(c.reason, protocol::max_title_code_points, "reason", false)) return bad;
  remove_events(b, c.participant, c.reason);
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::revoke_participant& c) {
  const auto* target = find_participant(b.room(), c.participant);
  if (!target) return refuse(error_code::invalid_field, "no such participant", "participant");
  if (target->state == presence_state::removed)
    return refuse(error_code::conflict, "already removed", "participant");
  remove_events(b, c.participant, "invite_revoked");
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::pause&) {
  if (b.room().phase != protocol::room_phase::in_session)
    return refuse(error_code::conflict, "the session is not running");
  b.emit(ev::paused{}, to_everyone());
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::resume&) {
  if (b.room().phase != protocol::room_phase::paused)
    return refuse(error_code::conflict, "the session is not paused");
  b.emit(ev::resumed{}, to_everyone());
  // A pause interrupts a timed turn: the speaker gets a full fresh turn rather than a remnant.
  if (const auto holder = b.room().floor_holder; holder && b.room().turn_seconds > 0)
    grant_floor_to(b, *holder);
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::end_session&) {
  end_session_events(b);
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::close_room&) {
  end_session_events(b);
  return std::nullopt;
}

}  // namespace kelisim::engine
