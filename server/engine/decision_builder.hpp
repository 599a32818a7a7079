#pragma once
// Internal to the engine: the scratch pad on which one command is decided, and the per-command
// deciders. Each emitted event is applied to a draft copy of the room at once, so later steps of
// the same command (audiences, the next speaker of a round) see the room as it will be.
#include <optional>
#include <string>
#include <vector>

#include "engine/room.hpp"

namespace kelisim::engine {

namespace cmd = protocol::cmd;
namespace ev = protocol::ev;
using protocol::error_code;

class decision_builder {
 public:
  decision_builder(const room_state& state, const protocol::actor& who, time_ms now)
      : original_(state), who_(who), now_(now) {}

  // The room as it will be after the events emitted so far. Copying a room costs as much as its
  // history (the message index), so the copy is made only when a command reads the room after
  // emitting; the common one-event commands (say) never pay for it.
  const room_state& room() const {
    if (events_.empty()) return original_;
    if (!draft_) {
      draft_.emplace(original_);
      for (const auto& e : events_) apply(*draft_, e);
    }
    return *draft_;
  }
  const protocol::actor& who() const noexcept { return who_; }
  time_ms now() const noexcept { return now_; }
  // The acting participant (nullptr for admin, system, or someone who never joined).
  const participant_record* actor_record() const { return find_participant(room(), who_.id); }

  void emit(protocol::event_body body, protocol::audience to) {
    const auto seq = original_.last_seq + static_cast<seq_t>(events_.size()) + 1;
    protocol::event e{seq, now_, who_.id, std::move(to), std::move(body)};
    if (draft_) apply(*draft_, e);
    events_.push_back(std::move(e));
  }
  std::vector<protocol::event> take_events() { return std::move(events_); }

 private:
  const room_state& original_;
  mutable std::optional<room_state> draft_;  // materialised on first read after an emit
  protocol::actor who_;
  time_ms now_;
  std::vector<protocol::event> events_;
};

// nullopt = accepted (the events are in the builder); otherwise the refusal.
using verdict = std::optional<rejection>;

inline verdict refuse(error_code code, std::string reason,
                      std::optional<std::string> field = std::nullopt) {
  return rejection{code, std::move(reason), std::move(field)};
}

// ---- audiences ----
inline protocol::audience to_everyone() { return {protocol::audience_scope::everyone, {}, {}, {}}; }
inline protocol::audience to_mediators() {
  return {protocol::audience_scope::mediators, {}, {}, {}};
}
// Admitted participants; `subject` (e.g. the lobby participant a roster event is about) too.
inline protocol::audience to_admitted(participant_id subject = {}) {
  return {protocol::audience_scope::admitted, {}, {}, std::move(subject)};
}
// A caucus's members as of now (mediators see every caucus by the visibility rule).
inline protocol::audience to_caucus(const caucus_record& c) {
  return {protocol::audience_scope::caucus, c.id, c.members, {}};
}

// ---- small queries ----
inline bool is_admitted(const participant_record& p) {
  return p.state == protocol::presence_state::admitted;
}
inline bool contains(const std::vector<participant_id>& list, const participant_id& id) {
  for (const auto& x : list)
    if (x == id) return true;
  return false;
}
// Text fields: non-empty when required, valid UTF-8, at most `limit` code points.
verdict check_text(const std::string& text, std::size_t limit, const char* field, bool required);

// ---- floor steps shared by several commands (decide_floor.cpp) ----
// Releases the current holder, if any, with this reason.
void release_floor(decision_builder& b, protocol::floor_release_reason reason);
// Grants the floor (leaving the queue first), with a deadline when turns are timed.
void grant_floor_to(decision_builder& b, const participant_id& participant);
// Round mode: the next eligible speaker after `after` (wrapping), if any, gets the floor.
void grant_next_in_round(decision_builder& b, const std::optional<participant_id>& after);
// Takes someone out of turn-taking (mute, remove): releases their floor, lowers their hand.
// Returns whether they held the floor, so the caller can move a round on once they are out.
bool take_out_of_turn(decision_builder& b, const participant_id& participant);
// Closes the books on the floor and ends the session (end_session, close_room).
void end_session_events(decision_builder& b);

// ---- the deciders, one per command; the common gate in decide.cpp ran first ----
verdict decide_command(decision_builder& b, const cmd::accept_rules& c);
verdict decide_command(decision_builder& b, const cmd::say& c);
verdict decide_command(decision_builder& b, const cmd::raise_hand& c);
verdict decide_command(decision_builder& b, const cmd::lower_hand& c);
verdict decide_command(decision_builder& b, const cmd::yield_floor& c);
verdict decide_command(decision_builder& b, const cmd::signal_mediator& c);
verdict decide_command(decision_builder& b, const cmd::admit& c);
verdict decide_command(decision_builder& b, const cmd::deny& c);
verdict decide_command(decision_builder& b, const cmd::grant_floor& c);
verdict decide_command(decision_builder& b, const cmd::revoke_floor& c);
verdict decide_command(decision_builder& b, const cmd::set_turn_mode& c);
verdict decide_command(decision_builder& b, const cmd::open_caucus& c);
verdict decide_command(decision_builder& b, const cmd::close_caucus& c);
verdict decide_command(decision_builder& b, const cmd::join_caucus& c);
verdict decide_command(decision_builder& b, const cmd::leave_caucus& c);
verdict decide_command(decision_builder& b, const cmd::mute& c);
verdict decide_command(decision_builder& b, const cmd::unmute& c);
verdict decide_command(decision_builder& b, const cmd::remove& c);
verdict decide_command(decision_builder& b, const cmd::pause& c);
verdict decide_command(decision_builder& b, const cmd::resume& c);
verdict decide_command(decision_builder& b, const cmd::end_session& c);
verdict decide_command(decision_builder& b, const cmd::draft_agreement& c);
verdict decide_command(decision_builder& b, const cmd::sign_agreement& c);
verdict decide_command(decision_builder& b, const cmd::create_room& c);
verdict decide_command(decision_builder& b, const cmd::join& c);
verdict decide_command(decision_builder& b, const cmd::tick& c);
verdict decide_command(decision_builder& b, const cmd::close_room& c);
verdict decide_command(decision_builder& b, const cmd::revoke_participant& c);

}  // namespace kelisim::engine
