// Pure queries: what the shell needs to schedule timers and what one participant may see.
#include "engine/decision_builder.hpp"

namespace kelisim::engine {

using protocol::presence_state;
using protocol::role;

seq_t last_seq(const room_state& state) noexcept { return state.last_seq; }

protocol::room_phase phase(const room_state& state) noexcept { return state.phase; }

std::optional<time_ms> next_deadline(const room_state& state) noexcept {
  // Paused rooms have no running clock (see tick in decide_floor.cpp).
  if (state.phase != protocol::room_phase::in_session || !state.floor_holder) return std::nullopt;
  return state.floor_deadline;
}

std::optional<protocol::viewer> viewer_of(const room_state& state, const participant_id& id) {
  const auto* p = find_participant(state, id);
  if (!p) return std::nullopt;
  return protocol::viewer{p->id, p->as, is_admitted(*p)};
}

namespace {

protocol::participant_view participant_view_of(const participant_record& p) {
  return {p.id, p.name, p.as, p.side, p.state, false, p.rules_accepted, p.muted};
}

protocol::talk_time talk_view_of(const talk_tally& t) {
  return {t.floor_ms, t.messages, t.characters};
}

void add_to(protocol::talk_time& sum, const talk_tally& t) {
  sum.floor_ms += t.floor_ms;
  sum.messages += t.messages;
  sum.characters += t.characters;
}

}  // namespace

namespace {

// `everything` is the administrator's overview: every participant, caucus and figure, as a
// mediator sees them (the admin is not in the room, but exports all of it anyway).
protocol::room_snapshot build_view(const room_state& state, const participant_id& viewer_id,
                                   bool everything) {
  protocol::room_snapshot view;
  view.title = state.title;
  view.language = state.language;
  view.rules = state.rules;
  view.phase = state.phase;
  view.mode = state.mode;
  view.turn_seconds = state.turn_seconds;

  const auto* me = everything ? nullptr : find_participant(state, viewer_id);
  const bool inside = everything || (me && is_admitted(*me));
  const bool mediator = everything || (inside && me->as == role::mediator);

  // Someone outside (lobby, removed, never joined) sees themselves and who hosts the room.
  for (const auto& p : state.participants)
    if (inside || p.id == viewer_id || p.as == role::mediator)
      view.participants.push_back(participant_view_of(p));
  if (!inside) return view;

  view.order = state.order;
  view.floor_holder = state.floor_holder;
  view.floor_deadline = state.floor_deadline;
  view.hand_queue = state.hand_queue;
  for (const auto& c : state.caucuses)
    if (c.open && (mediator || (me && me->as != role::observer && contains(c.members, viewer_id))))
      view.caucuses.push_back({c.id, c.title, c.members, c.attending});
  view.agreement.version = state.agreement.version;
  view.agreement.text = state.agreement.text;
  for (const auto& s : state.agreement.signatures)
    if (s.version == state.agreement.version)
      view.agreement.signatures.push_back({s.participant, s.version, s.at});

  // Fairness figures are the mediator's tool, not a scoreboard for the parties.
  if (mediator) {
    auto& by_participant = view.talk_by_participant.emplace();
    auto& by_side = view.talk_by_side.emplace();
    for (const auto& p : state.participants) {
      if (p.as == role::observer) continue;
      const auto it = state.talk.find(p.id);
      const talk_tally tally = it == state.talk.end() ? talk_tally{} : it->second;
      by_participant[p.id] = talk_view_of(tally);
      add_to(by_side[p.side.value_or("")], tally);
    }
  }
  return view;
}

}  // namespace

protocol::room_snapshot view_for(const room_state& state, const participant_id& viewer_id) {
  return build_view(state, viewer_id, false);
}

protocol::room_snapshot overview(const room_state& state) { return build_view(state, {}, true); }

}  // namespace kelisim::engine
