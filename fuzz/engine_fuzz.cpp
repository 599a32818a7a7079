// A command stream through the pure room engine, chosen by the fuzzer's bytes through the same
// generator the randomized engine test uses (tests/engine/random_session.hpp). After every step
// the room's invariants are asserted; any broken one aborts with the step that broke it.
//
// Invariants: a refusal causes no events and an acceptance at least one, numbered, timed and
// attributed; at most one floor holder, who may hold it; the hand queue has no duplicates and not
// the holder; no party, advisor, interpreter or observer may see an event of a caucus they were not
// put in, nor a signal meant for mediators, and no snapshot shows them a foreign caucus;
// talk-time totals equal the sums; a removed participant (or a stranger) never gets a command
// accepted again; every event survives its canonical JSON; replaying the log rebuilds the room.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/room.hpp"
#include "protocol/codec.hpp"
#include "random_session.hpp"
#include "room_invariants.hpp"

namespace {

using namespace kelisim;
using namespace kelisim::engine;
using namespace kelisim::engine::testing;
namespace ev = protocol::ev;
namespace cmd = protocol::cmd;
using protocol::role;

constexpr int max_steps = 160;

// Eight bytes of the fuzzer's input per choice; once they run out the session ends.
class input_choices final : public choice_source {
 public:
  input_choices(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint64_t next() override {
    std::uint64_t value = 0;
    const std::size_t n = std::min<std::size_t>(8, size_ - offset_);
    std::memcpy(&value, data_ + offset_, n);
    offset_ += n;
    return value;
  }
  bool exhausted() const { return offset_ >= size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
};

[[noreturn]] void broken(int step, const session_step& s, const std::string& what) {
  std::fprintf(stderr, "invariant broken at step %d (%.*s by %s): %s\n", step,
               static_cast<int>(protocol::command_name(s.command).size()),
               protocol::command_name(s.command).data(), s.who.id.c_str(), what.c_str());
  std::abort();
}

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

// Caucus membership as this harness put people in (from accepted open_caucus commands), never
// from the engine's own events, so a wrong audience cannot hide behind a wrong member list.
using membership_model = std::map<caucus_id, std::set<participant_id>>;

bool in_caucus(const membership_model& caucuses, const caucus_id& c, const participant_id& who) {
  const auto it = caucuses.find(c);
  return it != caucuses.end() && it->second.contains(who);
}

std::string check_privacy(const room_state& room, const protocol::event& e,
                          const membership_model& caucuses) {
  const auto caucus = caucus_of(e);
  if (caucus.has_value() != (e.to.scope == protocol::audience_scope::caucus) ||
      (caucus && e.to.caucus != *caucus))
    return "a caucus event without its caucus audience (or the reverse)";
  for (const auto& member : session_cast()) {
    if (member.as == role::mediator) continue;
    const auto v = viewer_of(room, member.id);
    if (!v || !protocol::may_see(*v, e)) continue;
    if (std::holds_alternative<ev::mediator_signalled>(e.body))
      return member.id + " may see a signal meant for mediators";
    if (caucus && (member.as == role::observer || !in_caucus(caucuses, *caucus, member.id)))
      return member.id + " may see an event of caucus " + *caucus + " they were never put in";
  }
  return "";
}

std::string check_views(const room_state& room, const membership_model& caucuses);


// What each person's snapshot shows: talk time adds up for mediators, is hidden from everyone
// else, and nobody else is shown a caucus they were not put in.
std::string check_views(const room_state& room, const membership_model& caucuses) {
  for (const auto& member : session_cast()) {
    if (!find_participant(room, member.id)) continue;
    const auto view = view_for(room, member.id);
    if (member.as == role::mediator) {
      // A mediator not yet admitted is shown no talk time; one who is must see it add up.
      if (!view.talk_by_participant || !view.talk_by_side) continue;
      if (auto why = check_mediator_talk(room, view); !why.empty()) return why;
      continue;
    }
    if (view.talk_by_participant || view.talk_by_side) return member.id + " sees talk-time figures";
    for (const auto& c : view.caucuses)
      if (member.as == role::observer || !in_caucus(caucuses, c.id, member.id))
        return member.id + "'s snapshot shows caucus " + c.id;
  }
  return "";
}

room_state replay(const std::vector<protocol::event>& log) {
  room_state rebuilt;
  for (const auto& e : log) apply(rebuilt, e);
  return rebuilt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  input_choices choices(data, size);
  random_session session(choices);
  room_state live;
  std::vector<protocol::event> log;
  std::set<participant_id> removed;
  membership_model caucuses;

  for (int step = 0; step < max_steps && !choices.exhausted(); ++step) {
    const auto s = session.next(live);
    const decision d = decide(live, s.command, s.who, s.now);
    if (!d.accepted()) {
      if (!d.events.empty()) broken(step, s, "a refusal with events");
      continue;
    }
    if (d.events.empty()) broken(step, s, "accepted without events");
    if (s.who.kind == protocol::actor_kind::participant &&
        (removed.contains(s.who.id) || s.who.id == stranger))
      broken(step, s, "a removed participant or a stranger got a command accepted");
    if (const auto* open = std::get_if<cmd::open_caucus>(&s.command)) {
      auto& members = caucuses["c" + std::to_string(caucuses.size() + 1)];
      members.insert(open->members.begin(), open->members.end());
      members.insert(s.who.id);
    }
    for (const auto& e : d.events) {
      if (e.seq != live.last_seq + 1 || e.ts != s.now || e.actor != s.who.id)
        broken(step, s, "a badly numbered, timed or attributed event");
      apply(live, e);
      log.push_back(e);
      if (const auto* r = std::get_if<ev::removed>(&e.body)) removed.insert(r->participant);
      if (const auto* r = std::get_if<ev::denied>(&e.body)) removed.insert(r->participant);
      if (auto why = check_privacy(live, e, caucuses); !why.empty()) broken(step, s, why);
      // What the store keeps must give back the same event.
      const std::string stored = protocol::canonical_event(e);
      const auto decoded = protocol::decode_canonical_event(stored);
      const auto* back = std::get_if<protocol::event>(&decoded);
      if (!back || protocol::canonical_event(*back) != stored)
        broken(step, s, "an engine event does not survive its canonical JSON: " + stored);
    }
    if (auto why = check_room(live); !why.empty()) broken(step, s, why);
    // Snapshots and replays are the expensive checks: every few steps, and at the end.
    if (step % 4 == 0) {
      if (auto why = check_views(live, caucuses); !why.empty()) broken(step, s, why);
      if (!(replay(log) == live)) broken(step, s, "replay differs from the live room");
    }
  }
  if (!(replay(log) == live) || !check_views(live, caucuses).empty()) {
    std::fprintf(stderr, "invariant broken at the end: replay or views: %s\n",
                 check_views(live, caucuses).c_str());
    std::abort();
  }
  return 0;
}
