#pragma once
// Where everything durable lives: room events (the transcript), command receipts, rooms,
// invites and the audit log. SQLite is the embedded default; memory_store serves tests;
// a PostgreSQL implementation can follow behind the same interface (no SQLite types leak out).
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/domain.hpp"

namespace kelisim::store {

using protocol::participant_id;
using protocol::room_id;
using protocol::seq_t;
using protocol::time_ms;

// One event as the transcript keeps it. `body` is protocol::canonical_event(e).
// payload_hash = SHA-256(body); hash = SHA-256(prev_hash ‖ seq as 8 bytes big-endian ‖ payload_hash),
// all lowercase hex; prev_hash of seq 1 is 64 zeros. Chaining over the payload's hash lets a
// payload be purged later (retention) while the chain still verifies.
struct stored_event {
  room_id room;
  seq_t seq = 0;
  time_ms ts = 0;
  std::string kind;
  std::string body;
  std::string payload_hash;
  std::string prev_hash;
  std::string hash;
};

// The accepted command that caused a batch: makes a retried command id return the same ack.
struct command_receipt {
  participant_id participant;
  std::string command_id;
  seq_t ack_seq = 0;
};

struct new_event {
  seq_t seq = 0;
  time_ms ts = 0;
  std::string kind;
  std::string body;  // canonical JSON
};

struct append_request {
  room_id room;
  std::vector<new_event> events;          // consecutive seqs continuing the room's log
  std::optional<command_receipt> receipt;
};

struct append_result {
  bool ok = false;
  std::string error;  // why not, for the log (seq conflict = a second writer for the room)
};

struct room_record {
  room_id id;
  time_ms created_at = 0;
  std::string title;
  std::string language;
};

struct invite_record {
  std::string invite_id;  // also the participant id of whoever joins with it
  room_id room;
  protocol::role as = protocol::role::party;
  std::optional<std::string> side;
  std::string name;
  time_ms created_at = 0;
  time_ms expires_at = 0;
  std::optional<time_ms> revoked_at;
};

struct audit_entry {
  time_ms at = 0;
  std::string actor;   // "admin", a participant id, or "anonymous"
  std::string action;  // e.g. "token_refused", "export", "invite_issued", "room_created"
  std::string room;    // may be empty
  std::string detail;  // never a token or a message body
  std::string remote;  // client address, if known
};

// A read or an administrative write could not reach the database (I/O error, corruption, closed
// store). Appends never throw: they report through append_result. The caller maps it to `internal`.
class store_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct store_stats {
  std::uint64_t transactions = 0;      // append transactions committed
  std::uint64_t events_committed = 0;
  std::uint64_t appends_completed = 0;  // append requests completed ok
  std::uint64_t appends_failed = 0;
  std::uint64_t last_batch_size = 0;    // events in the last transaction
  std::uint64_t max_batch_size = 0;
  double commit_seconds_total = 0;      // time spent in COMMIT (fsync), for /metrics
  std::uint64_t checkpoints = 0;        // write-ahead log checkpoints run (SQLite store only)
};

class transcript_store {
 public:
  virtual ~transcript_store() = default;

  // Durably appends a room's next events and the causing command's receipt in one transaction
  // (group commit: many requests share a transaction). `done` runs on the store's writer thread
  // after COMMIT, or with ok=false if the batch failed (e.g. the seq does not continue the room's
  // log — a second writer —, or the participant's command id is already recorded). The receipt is
  // stored with the event at its ack_seq, which must be one of the request's events. Requests of
  // one room complete in order.
  virtual void append(append_request request, std::function<void(append_result)> done) = 0;

  // Events of a room with seq > after, in order, at most `limit`.
  virtual std::vector<stored_event> events_after(const room_id& room, seq_t after,
                                                 std::size_t limit = std::numeric_limits<std::size_t>::max()) = 0;
  virtual std::vector<command_receipt> receipts(const room_id& room) = 0;
  // Every stored event of every room, with the receipt kept on it if any, for rebuilding the
  // rooms at start-up. Each room's events come in seq order; rooms may interleave. `each` runs on
  // the caller's thread and must not call the store.
  using scanned_event = std::function<void(const stored_event&, const std::optional<command_receipt>&)>;
  virtual void scan_events(const scanned_event& each) = 0;

  // Rooms. create_room returns false if the id exists.
  virtual bool create_room(const room_record& room) = 0;
  virtual std::optional<room_record> find_room(const room_id& id) = 0;
  virtual std::vector<room_record> rooms() = 0;

  // Invites. revoke_invite returns false if unknown or already revoked.
  virtual bool add_invite(const invite_record& invite) = 0;
  virtual std::optional<invite_record> find_invite(const std::string& invite_id) = 0;
  virtual std::vector<invite_record> invites(const room_id& room) = 0;
  virtual bool revoke_invite(const std::string& invite_id, time_ms at) = 0;

  // The audit log (refused tokens, exports, admin actions).
  virtual void audit(const audit_entry& entry) = 0;
  virtual std::vector<audit_entry> audit_log(const std::optional<room_id>& room) = 0;

  // Blocks until every append queued so far has completed (used at shutdown).
  virtual void flush() = 0;
  virtual store_stats stats() const = 0;
};

}  // namespace kelisim::store
