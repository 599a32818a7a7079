// Thousands of random sessions from fixed seeds; the room's invariants are checked after every
// step. A failure names its seed and step, so it can be replayed exactly.
#include <array>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "random_session.hpp"
#include "room_invariants.hpp"
#include "room_harness.hpp"

namespace kelisim::engine::testing {
namespace {

constexpr std::uint64_t session_count = 10'000;
constexpr int steps_per_session = 80;

// The test's own model of caucus membership, built from the commands it sent (not from the
// engine's events), so a wrong audience cannot hide behind a wrong membership list.
using membership_model = std::map<caucus_id, std::set<participant_id>>;

// The caucus an event is about, if any.
std::optional<caucus_id> caucus_of(const protocol::event& e) {
  if (const auto* m = std::get_if<ev::message>(&e.body)) {
    if (m->channel != "joint") return m->channel;
    return std::nullopt;
  }
  if (const auto* b = std::get_if<ev::caucus_opened>(&e.body)) return b->caucus;
  if (const auto* b = std::get_if<ev::caucus_closed>(&e.body)) return b->caucus;
  if (const auto* b = std::get_if<ev::caucus_joined>(&e.body)) return b->caucus;
  if (const auto* b = std::get_if<ev::caucus_left>(&e.body)) return b->caucus;
  return std::nullopt;
}

// Returns a description of the first broken rule about who may see `e`, or "".
std::string check_privacy(const room_state& room, const protocol::event& e,
                          const membership_model& caucuses) {
  const auto caucus = caucus_of(e);
  const bool caucus_scoped = e.to.scope == protocol::audience_scope::caucus;
  if (caucus.has_value() != caucus_scoped || (caucus && e.to.caucus != *caucus))
    return "caucus event without caucus audience (or the reverse)";
  for (const auto& member : session_cast()) {
    if (member.as == role::mediator) continue;
    const auto v = viewer_of(room, member.id);
    if (!v || !protocol::may_see(*v, e)) continue;
    if (std::holds_alternative<ev::mediator_signalled>(e.body))
      return member.id + " sees a signal meant for mediators";
    if (caucus) {
      const auto known = caucuses.find(*caucus);
      if (member.as == role::observer || known == caucuses.end() ||
          !known->second.contains(member.id))
        return member.id + " sees an event of caucus " + *caucus + " they are not in";
    }
  }
  return "";
}

struct session_stats {
  std::array<std::size_t, std::variant_size_v<protocol::command>> accepted{};
  std::size_t refused_removed = 0;
  std::size_t caucus_events = 0;
  std::size_t expiries = 0;
};

// Runs one seeded session; returns "" or what went wrong, where.
std::string run_session(std::uint64_t seed, session_stats& stats) {
  seeded_choices choices(seed);
  random_session session(choices);
  room_state live;
  std::vector<protocol::event> log;
  std::set<participant_id> removed;
  membership_model caucuses;

  for (int step = 0; step < steps_per_session; ++step) {
    const auto s = session.next(live);
    const auto where = [&] {
      std::ostringstream out;
      out << "seed " << seed << " step " << step << " (" << protocol::command_name(s.command)
          << " #" << s.command.index() << " by " << s.who.id << "): ";
      return out.str();
    };
    const decision d = decide(live, s.command, s.who, s.now);
    if (!d.accepted()) {
      if (!d.events.empty()) return where() + "a refusal with events";
      if (removed.contains(s.who.id)) ++stats.refused_removed;
    } else {
      if (d.events.empty()) return where() + "accepted without events";
      if (s.who.kind == protocol::actor_kind::participant &&
          (removed.contains(s.who.id) || s.who.id == stranger))
        return where() + "a removed participant or a stranger got a command accepted";
      ++stats.accepted[s.command.index()];
      if (const auto* open = std::get_if<cmd::open_caucus>(&s.command)) {
        auto& members = caucuses["c" + std::to_string(caucuses.size() + 1)];
        members.insert(open->members.begin(), open->members.end());
        members.insert(s.who.id);
      }
      for (std::size_t i = 0; i < d.events.size(); ++i) {
        const auto& e = d.events[i];
        if (e.seq != live.last_seq + 1 || e.ts != s.now || e.actor != s.who.id)
          return where() + "badly numbered, timed or attributed event";
        apply(live, e);
        log.push_back(e);
        if (const auto* r = std::get_if<ev::removed>(&e.body)) removed.insert(r->participant);
        if (const auto* r = std::get_if<ev::denied>(&e.body)) removed.insert(r->participant);
        if (const auto* r = std::get_if<ev::floor_released>(&e.body);
            r && r->reason == protocol::floor_release_reason::expired)
          ++stats.expiries;
        if (caucus_of(e)) ++stats.caucus_events;
        if (auto broken = check_privacy(live, e, caucuses); !broken.empty())
          return where() + broken;
      }
    }
    if (auto broken = check_room(live); !broken.empty()) return where() + broken;
    if (!(replay(log) == live)) return where() + "replay differs from the live room";
  }
  return "";
}

TEST(RandomSessions, InvariantsHoldAfterEveryStep) {
  session_stats stats;
  for (std::uint64_t seed = 1; seed <= session_count; ++seed) {
    const auto broken = run_session(seed, stats);
    ASSERT_EQ(broken, "");
  }
  std::ostringstream summary;
  for (std::size_t kind = 0; kind < stats.accepted.size(); ++kind) summary << stats.accepted[kind] << ' ';
  std::cout << "accepted per command alternative: " << summary.str() << "\nrefused removed: "
            << stats.refused_removed << ", caucus events: " << stats.caucus_events
            << ", expiries: " << stats.expiries << '\n';
  // The generator must reach the interesting states, or the invariants were checked on nothing.
  for (std::size_t kind = 0; kind < stats.accepted.size(); ++kind) {
    EXPECT_GT(stats.accepted[kind], 0u) << "command alternative " << kind << " never accepted";
  }
  EXPECT_GT(stats.refused_removed, 100u);
  EXPECT_GT(stats.caucus_events, 1000u);
  EXPECT_GT(stats.expiries, 500u);
}

}  // namespace
}  // namespace kelisim::engine::testing
