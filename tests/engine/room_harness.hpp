#pragma once
// A room driven by hand in tests: send commands as named people, keep the log, check replay.
// No sockets, no clock: time is a number the test moves.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/room.hpp"

namespace kelisim::engine::testing {

namespace cmd = protocol::cmd;
namespace ev = protocol::ev;
using protocol::error_code;
using protocol::role;

inline protocol::actor participant(const participant_id& id) {
  return {protocol::actor_kind::participant, id};
}
inline protocol::actor administrator() {
  return {protocol::actor_kind::admin, std::string(protocol::admin_actor)};
}
inline protocol::actor timer() {
  return {protocol::actor_kind::system, std::string(protocol::system_actor)};
}

inline std::vector<std::string> kinds(const std::vector<protocol::event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.emplace_back(protocol::event_kind(e.body));
  return out;
}

template <typename Body>
const Body& body_of(const protocol::event& e) {
  static const Body empty{};
  const auto* b = std::get_if<Body>(&e.body);
  if (!b) {
    ADD_FAILURE() << "event " << e.seq << " is " << protocol::event_kind(e.body);
    return empty;
  }
  return *b;
}

// Reads a tally without inserting one (operator[] would change the state under test).
inline talk_tally talk_of(const room_state& state, const participant_id& id) {
  const auto it = state.talk.find(id);
  return it == state.talk.end() ? talk_tally{} : it->second;
}

inline std::optional<std::vector<participant_id>> order_of(std::vector<participant_id> ids) {
  return ids;
}

inline room_state replay(const std::vector<protocol::event>& log) {
  room_state rebuilt;
  for (const auto& e : log) apply(rebuilt, e);
  return rebuilt;
}

class room_harness {
 public:
  room_state state;
  std::vector<protocol::event> log;
  time_ms now = 1'790'000'000'000;  // some day in 2026

  // Decides and, if accepted, applies; also checks numbering, time and actor of every event.
  decision send(const protocol::actor& who, const protocol::command& c) {
    const room_state before = state;
    decision d = decide(state, c, who, now);
    EXPECT_EQ(state, before) << "decide must not change the state";
    if (d.accepted()) {
      EXPECT_FALSE(d.events.empty()) << "an accepted command causes at least one event";
      for (std::size_t i = 0; i < d.events.size(); ++i) {
        EXPECT_EQ(d.events[i].seq, before.last_seq + 1 + static_cast<seq_t>(i));
        EXPECT_EQ(d.events[i].ts, now);
        EXPECT_EQ(d.events[i].actor, who.id);
      }
      for (const auto& e : d.events) {
        apply(state, e);
        log.push_back(e);
      }
    } else {
      EXPECT_TRUE(d.events.empty());
    }
    return d;
  }

  std::vector<protocol::event> ok(const protocol::actor& who, const protocol::command& c) {
    decision d = send(who, c);
    if (!d.accepted())
      ADD_FAILURE() << protocol::command_name(c) << " by " << who.id << " refused: "
                    << protocol::to_string(d.refused->code) << " (" << d.refused->reason << ")";
    return d.events;
  }
  std::vector<protocol::event> ok(const participant_id& who, const protocol::command& c) {
    return ok(participant(who), c);
  }

  rejection no(const protocol::actor& who, const protocol::command& c) {
    decision d = send(who, c);
    if (d.accepted()) {
      ADD_FAILURE() << protocol::command_name(c) << " by " << who.id << " was accepted";
      return {};
    }
    return *d.refused;
  }
  rejection no(const participant_id& who, const protocol::command& c) {
    return no(participant(who), c);
  }

  // Joins, consents and (for everyone but mediators, who are admitted on joining) is admitted.
  void bring_in(const participant_id& id, role as, std::optional<std::string> side,
                const participant_id& admitting_mediator) {
    ok(id, cmd::join{id + " name", as, std::move(side)});
    ok(id, cmd::accept_rules{});
    if (as != role::mediator) ok(admitting_mediator, cmd::admit{id});
  }

  bool sees(const participant_id& id, const protocol::event& e) const {
    const auto v = viewer_of(state, id);
    return v && protocol::may_see(*v, e);
  }

  void advance(time_ms ms) { now += ms; }
};

}  // namespace kelisim::engine::testing
