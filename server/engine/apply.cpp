// apply(): the only mutation of room state. Each event kind changes exactly what it names, so a
// replay of the transcript from room_state{} rebuilds the live room. Apply trusts its events
// (decide validated them) but never indexes out of range on a surprising one.
#include <algorithm>

#include "engine/room.hpp"
#include "protocol/text.hpp"

namespace kelisim::engine {
namespace {

using protocol::presence_state;
using protocol::room_phase;
namespace ev = protocol::ev;

participant_record* find_mutable(room_state& state, const participant_id& id) {
  for (auto& p : state.participants)
    if (p.id == id) return &p;
  return nullptr;
}

caucus_record* find_mutable_caucus(room_state& state, const caucus_id& id) {
  for (auto& c : state.caucuses)
    if (c.id == id) return &c;
  return nullptr;
}

void erase_value(std::vector<participant_id>& list, const participant_id& id) {
  list.erase(std::remove(list.begin(), list.end(), id), list.end());
}

// Adds the holder's floor time up to `until`. A pause stops the clock: time spent paused is
// nobody's turn, so it is never counted.
void count_floor_time(room_state& state, time_ms until) {
  if (!state.floor_holder || state.phase == room_phase::paused) return;
  const auto spent = std::max<time_ms>(0, until - state.floor_counted_from);
  state.talk[*state.floor_holder].floor_ms += spent;
  state.talk_total.floor_ms += spent;
  state.floor_counted_from = until;
}

void clear_floor(room_state& state, time_ms at) {
  count_floor_time(state, at);
  state.floor_holder.reset();
  state.floor_deadline.reset();
}

struct applier {
  room_state& state;
  const protocol::event& e;

  void operator()(const ev::room_created& b) {
    state.created = true;
    state.title = b.title;
    state.language = b.language;
    state.rules = b.rules;
    state.mode = b.mode;
    state.turn_seconds = b.turn_seconds;
  }
  void operator()(const ev::joined_lobby& b) {
    state.participants.push_back(
        participant_record{b.participant, b.name, b.as, b.side, presence_state::lobby, false, false});
    if (state.phase == room_phase::scheduled) state.phase = room_phase::lobby;
  }
  void operator()(const ev::rules_accepted& b) {
    if (auto* p = find_mutable(state, b.participant)) p->rules_accepted = true;
  }
  void operator()(const ev::admitted& b) {
    auto* p = find_mutable(state, b.participant);
    if (!p) return;
    p->state = presence_state::admitted;
    // The session starts when the first party-side person is let in; a mediator alone is hosting.
    if (p->as != protocol::role::mediator && state.phase == room_phase::lobby)
      state.phase = room_phase::in_session;
  }
  void operator()(const ev::denied& b) {
    if (auto* p = find_mutable(state, b.participant)) p->state = presence_state::removed;
  }
  void operator()(const ev::message& b) {
    state.messages.emplace_back(e.seq, message_record{b.channel, e.to.scope, e.to.caucus,
                                                      e.to.members, e.to.subject});
    if (b.channel != "joint") return;
    const auto characters = static_cast<std::int64_t>(protocol::code_points(b.text));
    auto& tally = state.talk[e.actor];
    tally.messages += 1;
    tally.characters += characters;
    state.talk_total.messages += 1;
    state.talk_total.characters += characters;
  }
  void operator()(const ev::hand_raised& b) {
    if (std::find(state.hand_queue.begin(), state.hand_queue.end(), b.participant) ==
        state.hand_queue.end())
      state.hand_queue.push_back(b.participant);
  }
  void operator()(const ev::hand_lowered& b) { erase_value(state.hand_queue, b.participant); }
  void operator()(const ev::floor_granted& b) {
    // Re-granting the holder (a fresh timed turn after a pause) keeps their counted time.
    count_floor_time(state, e.ts);
    state.floor_holder = b.participant;
    state.floor_counted_from = e.ts;
    state.floor_deadline = b.deadline;
    erase_value(state.hand_queue, b.participant);
  }
  void operator()(const ev::floor_released&) { clear_floor(state, e.ts); }
  void operator()(const ev::turn_mode_changed& b) {
    state.mode = b.mode;
    state.turn_seconds = b.turn_seconds;
    state.order = b.order;
  }
  void operator()(const ev::caucus_opened& b) {
    caucus_record c{b.caucus, b.title, b.members, {}, true};
    if (const auto* opener = find_participant(state, e.actor);
        opener && opener->as == protocol::role::mediator)
      c.attending.push_back(e.actor);
    state.caucuses.push_back(std::move(c));
  }
  void operator()(const ev::caucus_closed& b) {
    if (auto* c = find_mutable_caucus(state, b.caucus)) {
      c->open = false;
      c->attending.clear();
    }
  }
  void operator()(const ev::caucus_joined& b) {
    if (auto* c = find_mutable_caucus(state, b.caucus)) c->attending.push_back(b.participant);
  }
  void operator()(const ev::caucus_left& b) {
    if (auto* c = find_mutable_caucus(state, b.caucus)) erase_value(c->attending, b.participant);
  }
  void operator()(const ev::mediator_signalled&) {}
  void operator()(const ev::muted& b) {
    if (auto* p = find_mutable(state, b.participant)) p->muted = true;
  }
  void operator()(const ev::unmuted& b) {
    if (auto* p = find_mutable(state, b.participant)) p->muted = false;
  }
  void operator()(const ev::removed& b) {
    auto* p = find_mutable(state, b.participant);
    if (!p) return;
    p->state = presence_state::removed;
    erase_value(state.hand_queue, b.participant);
    if (state.floor_holder == b.participant) clear_floor(state, e.ts);
    // A removed person is out of every caucus, so no later caucus event names them.
    for (auto& c : state.caucuses) {
      erase_value(c.members, b.participant);
      erase_value(c.attending, b.participant);
    }
  }
  void operator()(const ev::paused&) {
    count_floor_time(state, e.ts);
    state.phase = room_phase::paused;
  }
  void operator()(const ev::resumed&) {
    state.phase = room_phase::in_session;
    state.floor_counted_from = e.ts;
  }
  void operator()(const ev::session_ended&) {
    if (state.floor_holder) clear_floor(state, e.ts);
    state.phase = room_phase::ended;
  }
  void operator()(const ev::agreement_drafted& b) {
    state.agreement.version = b.version;
    state.agreement.text = b.text;
  }
  void operator()(const ev::agreement_signed& b) {
    state.agreement.signatures.push_back(signature_record{b.participant, b.version, e.ts});
  }
  void operator()(const ev::agreement_voided& b) {
    auto& sigs = state.agreement.signatures;
    sigs.erase(std::remove_if(sigs.begin(), sigs.end(),
                              [&](const signature_record& s) {
                                return s.participant == b.participant && s.version == b.version;
                              }),
               sigs.end());
  }
};

}  // namespace

void apply(room_state& state, const protocol::event& e) {
  std::visit(applier{state, e}, e.body);
  state.last_seq = e.seq;
}

const participant_record* find_participant(const room_state& state, const participant_id& id) {
  for (const auto& p : state.participants)
    if (p.id == id) return &p;
  return nullptr;
}

const message_record* find_message(const room_state& state, seq_t seq) {
  const auto it = std::lower_bound(state.messages.begin(), state.messages.end(), seq,
                                   [](const auto& entry, seq_t s) { return entry.first < s; });
  if (it == state.messages.end() || it->first != seq) return nullptr;
  return &it->second;
}

const caucus_record* find_caucus(const room_state& state, const caucus_id& id) {
  for (const auto& c : state.caucuses)
    if (c.id == id) return &c;
  return nullptr;
}

}  // namespace kelisim::engine
