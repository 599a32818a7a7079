// Arriving: the room is created, people join the lobby, consent to the rules, and are admitted or
// denied. Codes beyond the common gate (decide.cpp):
//   create_room on a created room                -> conflict
//   create_room with turn_seconds out of range   -> invalid_field "turn_seconds"
//   join again after joining                     -> conflict (the server joins once, on first hello)
//   join after being removed or denied           -> forbidden (the token is dead)
//   join with an empty or over-long name         -> invalid_field / too_large "name"
//   accept_rules twice                           -> conflict
//   admit/deny an unknown participant            -> invalid_field "participant"
//   admit someone not in the lobby               -> conflict
//   admit before they accepted the rules         -> conflict
//   deny someone not in the lobby                -> conflict (use remove)
#include "engine/decision_builder.hpp"

namespace kelisim::engine {

using protocol::presence_state;
using protocol::role;

verdict decide_command(decision_builder& b, const cmd::create_room& c) {
  if (b.room().created) return refuse(error_code::conflict, "the room already exists");
  if (c.turn_seconds < 0 || c.turn_seconds > protocol::max_turn_seconds)
    return refuse(error_code::invalid_field, "turn_seconds out of range", "turn_seconds");
  if (auto bad = check_text(c.title, protocol::max_title_code_points, "title", false)) return bad;
  if (auto bad = check_text(c.rules, protocol::max_rules_code_points, "rules", false)) return bad;
  b.emit(ev::room_created{c.title, c.language, c.mode, c.turn_seconds, c.rules}, to_everyone());
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::join& c) {
  if (const auto* me = b.actor_record()) {
    if (me->state == presence_state::removed)
      return refuse(error_code::forbidden, "removed from this room");
    return refuse(error_code::conflict, "already joined");
  }
  if (b.who().id.empty())
    return refuse(error_code::invalid_field, "a participant needs an id", "participant");
  if (auto bad = check_text(c.name, protocol::max_name_code_points, "name", true)) return bad;
  const auto& id = b.who().id;
  b.emit(ev::joined_lobby{id, c.name, c.as, c.side}, to_admitted(id));
  // Mediators host the room: they are in from the start.
  if (c.as == role::mediator) b.emit(ev::admitted{id}, to_admitted(id));
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::accept_rules&) {
  if (b.actor_record()->rules_accepted)
    return refuse(error_code::conflict, "the rules were already accepted");
  b.emit(ev::rules_accepted{b.who().id}, to_admitted(b.who().id));
  return std::nullopt;
}

namespace {
const participant_record* lobby_target(const room_state& room, const participant_id& id,
                                       verdict& refused) {
  const auto* target = find_participant(room, id);
  if (!target)
    refused = refuse(error_code::invalid_field, "no such participant", "participant");
  else if (target->state != presence_state::lobby)
    refused = refuse(error_code::conflict, "not waiting in the lobby", "participant");
  return refused ? nullptr : target;
}
}  // namespace

verdict decide_command(decision_builder& b, const cmd::admit& c) {
  verdict refused;
  const auto* target = lobby_target(b.room(), c.participant, refused);
  if (!target) return refused;
  // Consent comes first: nobody is let into a recorded session without agreeing to the rules.
  if (!target->rules_accepted)
    return refuse(error_code::conflict, "has not accepted the rules yet", "participant");
  b.emit(ev::admitted{c.participant}, to_admitted(c.participant));
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::deny& c) {
  verdict refused;
  if (!lobby_target(b.room(), c.participant, refused)) return refused;
  b.emit(ev::denied{c.participant}, to_admitted(c.participant));
  return std::nullopt;
}

}  // namespace kelisim::engine
