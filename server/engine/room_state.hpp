#pragma once
// The room as the engine knows it: a plain value, folded from the room's events by apply().
// Everything is comparable with ==, so "replay equals live state" is one comparison.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/domain.hpp"
#include "protocol/events.hpp"

namespace kelisim::engine {

using protocol::caucus_id;
using protocol::participant_id;
using protocol::seq_t;
using protocol::time_ms;

// Someone who joined with an invite. Never erased: a removed participant stays, state `removed`.
struct participant_record {
  participant_id id;
  std::string name;
  protocol::role as = protocol::role::party;
  std::optional<std::string> side;
  protocol::presence_state state = protocol::presence_state::lobby;
  bool rules_accepted = false;
  bool muted = false;

  bool operator==(const participant_record&) const = default;
};

// A private channel. Closed caucuses are kept so their ids are never reused.
struct caucus_record {
  caucus_id id;
  std::string title;
  std::vector<participant_id> members;    // includes the opening mediator
  std::vector<participant_id> attending;  // mediators currently attending
  bool open = true;

  bool operator==(const caucus_record&) const = default;
};

struct signature_record {
  participant_id participant;
  int version = 0;
  time_ms at = 0;

  bool operator==(const signature_record&) const = default;
};

struct agreement_record {
  int version = 0;  // 0 = nothing drafted yet
  std::string text;
  std::vector<signature_record> signatures;  // only signatures of the current version survive

  bool operator==(const agreement_record&) const = default;
};

// Fairness figures for one participant (or a total): joint-channel messages and floor time.
struct talk_tally {
  std::int64_t floor_ms = 0;
  std::int64_t messages = 0;
  std::int64_t characters = 0;  // Unicode code points

  bool operator==(const talk_tally&) const = default;
};

// What an interpreter's `translates` may point at: the channel and audience of a past message,
// so "exists and is visible to the interpreter" is decided with the one visibility rule.
struct message_record {
  std::string channel;
  protocol::audience_scope scope = protocol::audience_scope::admitted;
  caucus_id caucus;
  std::vector<participant_id> members;
  participant_id subject;

  bool operator==(const message_record&) const = default;
};

struct room_state {
  seq_t last_seq = 0;
  bool created = false;
  std::string title;
  std::string language;
  std::string rules;
  protocol::room_phase phase = protocol::room_phase::scheduled;
  std::vector<participant_record> participants;  // in joining order

  protocol::turn_mode mode = protocol::turn_mode::open;
  int turn_seconds = 0;
  std::vector<participant_id> order;  // round mode: the talking-piece order
  std::optional<participant_id> floor_holder;
  time_ms floor_counted_from = 0;     // floor time of the holder is counted from here
  std::optional<time_ms> floor_deadline;
  std::vector<participant_id> hand_queue;

  std::vector<caucus_record> caucuses;  // in opening order; id "c<n>" is index n-1
  agreement_record agreement;

  std::map<participant_id, talk_tally> talk;  // only participants who spoke or held the floor
  talk_tally talk_total;                      // kept separately so the sum can be checked
  // Every message, in seq order (seqs only grow, so appending keeps it sorted): a sorted vector
  // rather than a map, because a busy room appends one per `say`, twice (decided and committed).
  std::vector<std::pair<seq_t, message_record>> messages;

  bool operator==(const room_state&) const = default;
};

// Lookups used by decide, apply and views alike.
const message_record* find_message(const room_state& state, seq_t seq);
const participant_record* find_participant(const room_state& state, const participant_id& id);
const caucus_record* find_caucus(const room_state& state, const caucus_id& id);

}  // namespace kelisim::engine
