#pragma once
// A generator of plausible-but-hostile room sessions: a fixed cast (two mediators, parties and
// advisors on sides A and B, an interpreter, an observer, and a stranger who never joins) sends
// random commands with arguments drawn from the room as it is — real ids mixed with ghosts,
// current and stale versions, bad text. Choices come from a `choice_source`, so the randomized
// test drives it from a seed and a fuzzer can drive it from its input bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/room.hpp"

namespace kelisim::engine::testing {

// Where the choices come from.
class choice_source {
 public:
  virtual ~choice_source() = default;
  virtual std::uint64_t next() = 0;

  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  bool percent(unsigned p) { return below(100) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& from) { return from[below(from.size())]; }
};

// splitmix64: tiny, fast, and the same sequence on every platform and standard library.
class seeded_choices final : public choice_source {
 public:
  explicit seeded_choices(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() override {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

struct cast_member {
  participant_id id;
  protocol::role as = protocol::role::party;
  std::optional<std::string> side;
};

inline const std::vector<cast_member>& session_cast() {
  using protocol::role;
  static const std::vector<cast_member> cast{
      {"m1", role::mediator, std::nullopt},   {"m2", role::mediator, std::nullopt},
      {"a1", role::party, "A"},               {"a2", role::party, "A"},
      {"b1", role::party, "B"},               {"aa", role::advisor, "A"},
      {"ab", role::advisor, "B"},             {"i1", role::interpreter, std::nullopt},
      {"o1", role::observer, std::nullopt}};
  return cast;
}
inline constexpr std::string_view stranger = "zz";  // never joins; must never get anything done

struct session_step {
  protocol::command command;
  protocol::actor who;
  time_ms now = 0;
};

class random_session {
 public:
  explicit random_session(choice_source& choices, time_ms start = 1'790'000'000'000)
      : choices_(choices), now_(start) {}

  session_step next(const room_state& room) {
    namespace cmd = protocol::cmd;
    auto& c = choices_;
    // Time moves on unevenly: bursts of commands, then pauses long enough for turns to run out.
    now_ += c.percent(30) ? 0 : static_cast<time_ms>(c.below(25'000));

    if (!room.created && c.percent(95))
      return admin(cmd::create_room{"Room", "kk", any_mode(), any_turn_seconds(), "Rules"});
    // The shell calls tick when the engine's deadline has passed (and sometimes spuriously).
    if (const auto due = next_deadline(room); (due && now_ >= *due && c.percent(80)) || c.percent(1))
      return {cmd::tick{}, {protocol::actor_kind::system, std::string(protocol::system_actor)}, now_};
    if (const auto* newcomer = someone_not_joined(room); newcomer && c.percent(70))
      return as(newcomer->id, cmd::join{newcomer->id + "'s name", newcomer->as, newcomer->side});
    if (c.below(1000) < 6) {
      if (c.percent(15)) return admin(cmd::close_room{});
      return admin(cmd::revoke_participant{any_participant()});
    }
    return client_command(room);
  }

 private:
  enum class wanted { mediator, party_side, anyone };

  session_step client_command(const room_state& room) {
    namespace cmd = protocol::cmd;
    auto& c = choices_;
    // Weights per thousand: frequent speech and floor traffic, rare endings.
    const std::size_t roll = c.below(1000);
    std::size_t bound = 0;
    const auto in = [&](std::size_t weight) { return roll < (bound += weight); };

    if (in(70)) return by(pick_lobby_or_any(room), cmd::accept_rules{});
    if (in(200)) return by(wanted::party_side, any_say(room));
    if (in(70)) return by(wanted::party_side, cmd::raise_hand{});
    if (in(30)) return by(wanted::party_side, cmd::lower_hand{});
    if (in(60)) return by(room.floor_holder ? *room.floor_holder : pick(wanted::party_side),
                          cmd::yield_floor{});
    if (in(20)) return by(wanted::party_side, cmd::signal_mediator{any_text()});
    if (in(90)) return by(wanted::mediator, cmd::admit{pick_lobby_or_any(room, true)});
    if (in(3)) return by(wanted::mediator, cmd::deny{pick_lobby_or_any(room)});
    if (in(60)) return by(wanted::mediator, cmd::grant_floor{any_participant()});
    if (in(25)) return by(wanted::mediator, cmd::revoke_floor{});
    if (in(30)) return by(wanted::mediator, any_turn_mode(room));
    if (in(40)) return by(wanted::mediator, cmd::open_caucus{any_members(room), "Caucus"});
    if (in(12)) return by(wanted::mediator, cmd::close_caucus{any_caucus(room)});
    if (in(20)) return by(wanted::mediator, cmd::join_caucus{any_caucus(room)});
    if (in(20)) return by(wanted::mediator, cmd::leave_caucus{any_caucus(room)});
    if (in(20)) return by(wanted::mediator, cmd::mute{any_participant()});
    if (in(20)) return by(wanted::mediator, cmd::unmute{any_participant()});
    if (in(4)) return by(wanted::mediator, cmd::remove{any_participant(), "reason"});
    if (in(20)) return by(wanted::mediator, cmd::pause{});
    if (in(30)) return by(wanted::mediator, cmd::resume{});
    if (in(1)) return by(wanted::mediator, cmd::end_session{});
    if (in(30)) return by(wanted::mediator, cmd::draft_agreement{any_text()});
    if (in(50)) {
      const int version = room.agreement.version + static_cast<int>(c.below(4)) - 1;
      return by(wanted::party_side, cmd::sign_agreement{c.percent(70) ? room.agreement.version
                                                                        : version});
    }
    return by(wanted::anyone, cmd::create_room{});  // never a participant's to send
  }

  // ---- actors ----
  participant_id pick(wanted who) {
    auto& c = choices_;
    if (c.percent(2)) return std::string(stranger);
    if (who == wanted::anyone || c.percent(15)) return c.pick(session_cast()).id;
    std::vector<participant_id> fitting;
    for (const auto& m : session_cast()) {
      const bool mediator = m.as == protocol::role::mediator;
      if ((who == wanted::mediator) == mediator && m.as != protocol::role::observer)
        fitting.push_back(m.id);
    }
    return c.pick(fitting);
  }
  session_step by(wanted who, protocol::command command) { return by(pick(who), std::move(command)); }
  session_step by(const participant_id& who, protocol::command command) {
    return as(who, std::move(command));
  }
  session_step as(const participant_id& who, protocol::command command) {
    return {std::move(command), {protocol::actor_kind::participant, who}, now_};
  }
  session_step admin(protocol::command command) {
    return {std::move(command), {protocol::actor_kind::admin, std::string(protocol::admin_actor)},
            now_};
  }

  // ---- arguments ----
  const cast_member* someone_not_joined(const room_state& room) {
    for (const auto& m : session_cast())
      if (!find_participant(room, m.id)) return &m;
    return nullptr;
  }
  // Someone waiting in the lobby (who consented, when `consented`), else anyone.
  participant_id pick_lobby_or_any(const room_state& room, bool consented = false) {
    std::vector<participant_id> lobby;
    for (const auto& p : room.participants)
      if (p.state == protocol::presence_state::lobby && (!consented || p.rules_accepted))
        lobby.push_back(p.id);
    if (!lobby.empty() && choices_.percent(80)) return choices_.pick(lobby);
    return any_participant();
  }
  participant_id any_participant() {
    if (choices_.percent(5)) return "ghost";
    return choices_.pick(session_cast()).id;
  }
  caucus_id any_caucus(const room_state& room) {
    return "c" + std::to_string(1 + choices_.below(room.caucuses.size() + 1));
  }
  // Mostly people who can be in a caucus (or a round), sometimes anyone at all.
  std::vector<participant_id> any_members(const room_state& room) {
    std::vector<participant_id> eligible;
    for (const auto& p : room.participants)
      if (p.state == protocol::presence_state::admitted && p.as != protocol::role::mediator &&
          p.as != protocol::role::observer)
        eligible.push_back(p.id);
    std::vector<participant_id> members;
    const auto count = choices_.below(4);
    const bool plausible = !eligible.empty() && choices_.percent(80);
    for (std::size_t i = 0; i < count + (plausible ? 1 : 0); ++i)
      members.push_back(plausible ? choices_.pick(eligible) : any_participant());
    return members;
  }
  std::string any_text() {
    static const std::vector<std::string> texts{
        "ok", "Сәлем, көрші!", "The fence is on my land", "Мен келісемін", "", "\xC3\x28"};
    if (choices_.percent(1)) return std::string(protocol::max_text_code_points + 1, 'x');
    return choices_.pick(texts);
  }
  protocol::command any_say(const room_state& room) {
    protocol::cmd::say say;
    say.channel = choices_.percent(55) ? "joint" : any_caucus(room);
    say.text = any_text();
    if (say.text.empty() && choices_.percent(70)) say.text = "…";
    say.shareable = choices_.percent(15);
    if (choices_.percent(15)) say.translates = static_cast<seq_t>(choices_.below(
                                  static_cast<std::size_t>(room.last_seq) + 2));
    return say;
  }
  protocol::turn_mode any_mode() {
    return static_cast<protocol::turn_mode>(choices_.below(3));
  }
  int any_turn_seconds() {
    static const std::vector<int> seconds{0, 0, 5, 20, 60, -1, 4000};
    return choices_.pick(seconds);
  }
  protocol::command any_turn_mode(const room_state& room) {
    protocol::cmd::set_turn_mode change{any_mode(), any_turn_seconds(), std::nullopt};
    if (choices_.percent(30)) change.order = any_members(room);
    return change;
  }

  choice_source& choices_;
  time_ms now_;
};

}  // namespace kelisim::engine::testing
