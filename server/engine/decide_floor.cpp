// Turn-taking: the hand queue, the floor, turn modes and timed turns. Codes beyond the gate:
//   raise_hand while muted                          -> muted
//   raise_hand while holding the floor or queued    -> conflict
//   lower_hand when not queued                      -> conflict
//   yield_floor when not the holder                 -> not_your_turn
//   grant_floor in open mode                        -> conflict (no floor in open mode)
//   grant_floor to unknown / mediator / observer    -> invalid_field "participant"
//   grant_floor to lobby, removed, muted or holder  -> conflict
//   revoke_floor with nobody holding it             -> conflict
//   set_turn_mode turn_seconds outside 0..3600      -> invalid_field "turn_seconds"
//   set_turn_mode order outside round, empty, with
//     unknown/unadmitted/mediator/observer/duplicate -> invalid_field "order"
//   tick with nothing due (or paused)               -> conflict
#include <algorithm>
#include <map>

#include "engine/decision_builder.hpp"

namespace kelisim::engine {

using protocol::floor_release_reason;
using protocol::presence_state;
using protocol::role;
using protocol::turn_mode;

namespace {

// May hold the floor in a round right now: still admitted and able to speak.
bool can_take_turn(const room_state& room, const participant_id& id) {
  const auto* p = find_participant(room, id);
  return p && is_admitted(*p) && !p->muted;
}

// Parties only, grouped by side (sides sorted by name), alternating sides A, B, A, B, ...; within
// a side in joining order. Alternation is what makes a round fair between the sides.
std::vector<participant_id> default_round_order(const room_state& room) {
  std::map<std::string, std::vector<participant_id>> by_side;
  for (const auto& p : room.participants)
    if (p.as == role::party && is_admitted(p)) by_side[p.side.value_or("")].push_back(p.id);
  std::vector<participant_id> order;
  for (std::size_t rank = 0;; ++rank) {
    bool any = false;
    for (const auto& [side, members] : by_side) {
      if (rank < members.size()) {
        order.push_back(members[rank]);
        any = true;
      }
    }
    if (!any) return order;
  }
}

verdict check_round_order(const room_state& room, const std::vector<participant_id>& order) {
  if (order.empty()) return refuse(error_code::invalid_field, "the order is empty", "order");
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto* p = find_participant(room, order[i]);
    if (!p || !is_admitted(*p) || p->as == role::mediator || p->as == role::observer)
      return refuse(error_code::invalid_field,
                    "the order may name only admitted speakers who are not mediators or observers",
                    "order");
    if (std::find(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(i), order[i]) !=
        order.begin() + static_cast<std::ptrdiff_t>(i))
      return refuse(error_code::invalid_field, "someone appears twice in the order", "order");
  }
  return std::nullopt;
}

void lower_all_hands(decision_builder& b) {
  const auto queue = b.room().hand_queue;
  for (const auto& id : queue) b.emit(ev::hand_lowered{id}, to_admitted());
}

}  // namespace

void release_floor(decision_builder& b, floor_release_reason reason) {
  if (const auto holder = b.room().floor_holder)
    b.emit(ev::floor_released{*holder, reason}, to_admitted());
}

void grant_floor_to(decision_builder& b, const participant_id& participant) {
  if (contains(b.room().hand_queue, participant))
    b.emit(ev::hand_lowered{participant}, to_admitted());
  std::optional<time_ms> deadline;
  if (b.room().turn_seconds > 0)
    deadline = b.now() + static_cast<time_ms>(b.room().turn_seconds) * 1000;
  b.emit(ev::floor_granted{participant, deadline}, to_admitted());
}

void grant_next_in_round(decision_builder& b, const std::optional<participant_id>& after) {
  const room_state& room = b.room();
  if (room.mode != turn_mode::round || room.order.empty()) return;
  const auto n = room.order.size();
  // Start just after the last speaker; from the top if there was none (or they were not in it).
  std::size_t start = 0;
  if (after) {
    const auto it = std::find(room.order.begin(), room.order.end(), *after);
    if (it != room.order.end()) start = static_cast<std::size_t>(it - room.order.begin()) + 1;
  }
  for (std::size_t k = 0; k < n; ++k) {
    const participant_id candidate = room.order[(start + k) % n];  // copy: emitting changes the room
    if (can_take_turn(room, candidate)) {
      grant_floor_to(b, candidate);
      return;
    }
  }
}

bool take_out_of_turn(decision_builder& b, const participant_id& participant) {
  const bool held = b.room().floor_holder == participant;
  if (held) release_floor(b, floor_release_reason::revoked);
  if (contains(b.room().hand_queue, participant))
    b.emit(ev::hand_lowered{participant}, to_admitted());
  return held;
}

void end_session_events(decision_builder& b) {
  // Release first, so the holder's floor time is on the record.
  release_floor(b, floor_release_reason::revoked);
  b.emit(ev::session_ended{}, to_everyone());
}

verdict decide_command(decision_builder& b, const cmd::raise_hand&) {
  const auto& me = *b.actor_record();
  if (me.muted) return refuse(error_code::muted, "muted by a mediator");
  if (b.room().floor_holder == me.id) return refuse(error_code::conflict, "already has the floor");
  if (contains(b.room().hand_queue, me.id)) return refuse(error_code::conflict, "hand already raised");
  b.emit(ev::hand_raised{me.id}, to_admitted());
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::lower_hand&) {
  if (!contains(b.room().hand_queue, b.who().id))
    return refuse(error_code::conflict, "hand is not raised");
  b.emit(ev::hand_lowered{b.who().id}, to_admitted());
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::yield_floor&) {
  if (b.room().floor_holder != b.who().id)
    return refuse(error_code::not_your_turn, "does not hold the floor");
  release_floor(b, floor_release_reason::yielded);
  grant_next_in_round(b, b.who().id);
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::grant_floor& c) {
  const room_state& room = b.room();
  if (room.mode == turn_mode::open)
    return refuse(error_code::conflict, "in open mode everyone may speak; there is no floor");
  const auto* target = find_participant(room, c.participant);
  if (!target) return refuse(error_code::invalid_field, "no such participant", "participant");
  if (target->as == role::mediator || target->as == role::observer)
    return refuse(error_code::invalid_field, "mediators and observers do not take the floor",
                  "participant");
  if (!is_admitted(*target)) return refuse(error_code::conflict, "not admitted", "participant");
  if (target->muted) return refuse(error_code::conflict, "muted", "participant");
  if (room.floor_holder == c.participant)
    return refuse(error_code::conflict, "already has the floor", "participant");
  release_floor(b, floor_release_reason::revoked);
  grant_floor_to(b, c.participant);
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::revoke_floor&) {
  const auto holder = b.room().floor_holder;
  if (!holder) return refuse(error_code::conflict, "nobody holds the floor");
  release_floor(b, floor_release_reason::revoked);
  // In a round, revoking skips the speaker: the piece moves on.
  grant_next_in_round(b, holder);
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::set_turn_mode& c) {
  if (c.turn_seconds < 0 || c.turn_seconds > protocol::max_turn_seconds)
    return refuse(error_code::invalid_field, "turn_seconds must be 0..3600", "turn_seconds");
  std::vector<participant_id> order;
  if (c.order) {
    if (c.mode != turn_mode::round)
      return refuse(error_code::invalid_field, "an order applies to round mode only", "order");
    if (auto bad = check_round_order(b.room(), *c.order)) return bad;
    order = *c.order;
  } else if (c.mode == turn_mode::round) {
    order = default_round_order(b.room());
  }
  // A clean switch: nobody keeps a floor or a place in a queue from the old mode.
  release_floor(b, floor_release_reason::revoked);
  lower_all_hands(b);
  b.emit(ev::turn_mode_changed{c.mode, c.turn_seconds, order}, to_admitted());
  grant_next_in_round(b, std::nullopt);
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::tick&) {
  const room_state& room = b.room();
  // Turns do not run out while the session is paused.
  if (room.phase != protocol::room_phase::in_session || !room.floor_holder ||
      !room.floor_deadline || b.now() < *room.floor_deadline)
    return refuse(error_code::conflict, "no turn has run out");
  const auto holder = room.floor_holder;
  release_floor(b, floor_release_reason::expired);
  grant_next_in_round(b, holder);
  return std::nullopt;
}

}  // namespace kelisim::engine
