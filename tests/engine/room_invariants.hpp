#pragma once
// The room invariants the randomized engine test and the engine fuzzer both check after every
// step: one floor holder who may hold it, a clean hand queue, no observer or stranger in a caucus,
// no stale signature, talk-time totals that add up (in the state and in a mediator's view).
#include <set>
#include <string>

#include "engine/room.hpp"

namespace kelisim::engine::testing {

// A mediator's view must carry talk time that adds up to the room's total, per participant and
// per side. Returns what is wrong, or "".
inline std::string check_mediator_talk(const room_state& room, const protocol::room_snapshot& view) {
  if (!view.talk_by_participant || !view.talk_by_side) return "a mediator lacks talk time";
  talk_tally by_person, by_side;
  for (const auto& [id, t] : *view.talk_by_participant)
    by_person = {by_person.floor_ms + t.floor_ms, by_person.messages + t.messages,
                 by_person.characters + t.characters};
  for (const auto& [side, t] : *view.talk_by_side)
    by_side = {by_side.floor_ms + t.floor_ms, by_side.messages + t.messages,
               by_side.characters + t.characters};
  if (by_person != room.talk_total || by_side != room.talk_total)
    return "the mediator's talk-time view does not add up";
  return "";
}

// Returns a description of the first broken invariant of the room, or "".
inline std::string check_room(const room_state& room) {
  if (room.floor_holder) {
    const auto* holder = find_participant(room, *room.floor_holder);
    if (!holder || holder->state != protocol::presence_state::admitted || holder->muted ||
        holder->as == protocol::role::mediator || holder->as == protocol::role::observer)
      return "the floor holder may not hold it";
    if (room.mode == protocol::turn_mode::open) return "a floor holder in open mode";
    if (room.phase == protocol::room_phase::ended) return "a floor holder after the end";
  }
  if (room.floor_deadline && !room.floor_holder) return "a deadline without a holder";
  std::set<participant_id> queued;
  for (const auto& id : room.hand_queue) {
    if (!queued.insert(id).second) return "duplicate in the hand queue: " + id;
    if (room.floor_holder == id) return "the floor holder is in the queue";
    const auto* p = find_participant(room, id);
    if (!p || p->state != protocol::presence_state::admitted || p->muted)
      return "someone in the queue who cannot speak: " + id;
  }
  for (const auto& c : room.caucuses)
    for (const auto& id : c.members)
      if (const auto* p = find_participant(room, id); !p || p->as == protocol::role::observer)
        return "an observer or stranger in caucus " + c.id;
  for (const auto& s : room.agreement.signatures)
    if (s.version != room.agreement.version) return "a stale signature survived a redraft";

  talk_tally sum;
  for (const auto& [id, t] : room.talk) {
    sum.floor_ms += t.floor_ms;
    sum.messages += t.messages;
    sum.characters += t.characters;
  }
  if (sum != room.talk_total) return "talk-time total differs from the sum per participant";
  // The mediator's view must add up the same way, per participant and per side.
  for (const auto& p : room.participants) {
    if (p.as != protocol::role::mediator || p.state != protocol::presence_state::admitted) continue;
    return check_mediator_talk(room, view_for(room, p.id));
  }
  return "";
}

}  // namespace kelisim::engine::testing
