#pragma once
// The room as one participant may see it: the `room` of a `welcome`.
// Built by the engine (view_for), filled with presence by the server, encoded by the codec.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/domain.hpp"

namespace kelisim::protocol {

struct participant_view {
  participant_id id;
  std::string name;
  role as = role::party;            // wire "role"
  std::optional<std::string> side;
  presence_state state = presence_state::lobby;
  bool online = false;
  bool rules_accepted = false;
  bool muted = false;
};

struct caucus_view {
  caucus_id id;
  std::string title;
  std::vector<participant_id> members;
  std::vector<participant_id> attending;  // mediators currently attending (join/leave_caucus)
};

struct signature_view {
  participant_id participant;
  int version = 0;
  time_ms at = 0;
};

struct agreement_view {
  int version = 0;  // 0 = nothing drafted yet
  std::string text;
  std::vector<signature_view> signatures;  // valid signatures of the current version
};

// Talk-time accounting for fairness: floor time, messages and characters in the joint channel.
struct talk_time {
  std::int64_t floor_ms = 0;
  std::int64_t messages = 0;
  std::int64_t characters = 0;  // Unicode code points
};

struct room_snapshot {
  room_id id;
  std::string title;
  std::string language;
  std::string rules;
  room_phase phase = room_phase::scheduled;  // wire "state"
  std::vector<participant_view> participants;
  turn_mode mode = turn_mode::open;           // wire "turn_mode"
  int turn_seconds = 0;
  std::vector<participant_id> order;          // round order
  std::optional<participant_id> floor_holder;
  std::optional<time_ms> floor_deadline;
  std::vector<participant_id> hand_queue;
  std::vector<caucus_view> caucuses;          // only those this participant may see
  agreement_view agreement;
  // Mediators only (absent for everyone else): per participant and per side ("" = no side).
  std::optional<std::map<participant_id, talk_time>> talk_by_participant;
  std::optional<std::map<std::string, talk_time>> talk_by_side;
};

}  // namespace kelisim::protocol
