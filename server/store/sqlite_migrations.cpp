#include "server/store/sqlite_migrations.hpp"

#include <array>

namespace kelisim::store {
namespace {

constexpr std::array<sqlite_migration, 3> migrations{{
    {1, R"sql(
CREATE TABLE rooms (
  id         TEXT PRIMARY KEY NOT NULL,
  created_at INTEGER NOT NULL,
  title      TEXT NOT NULL,
  language   TEXT NOT NULL
);

-- The transcript. (room, seq) is the fence: a second writer for a room fails on it.
CREATE TABLE events (
  room         TEXT NOT NULL REFERENCES rooms(id),
  seq          INTEGER NOT NULL CHECK (seq >= 1),
  ts           INTEGER NOT NULL,
  kind         TEXT NOT NULL,
  body         TEXT NOT NULL,
  payload_hash TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL,
  PRIMARY KEY (room, seq)
) WITHOUT ROWID;

-- A retried command id can never cause a second event.
CREATE TABLE command_receipts (
  room        TEXT NOT NULL REFERENCES rooms(id),
  participant TEXT NOT NULL,
  command_id  TEXT NOT NULL,
  ack_seq     INTEGER NOT NULL,
  UNIQUE (room, participant, command_id)
);

CREATE TABLE invites (
  id         TEXT PRIMARY KEY NOT NULL,
  room       TEXT NOT NULL REFERENCES rooms(id),
  role       TEXT NOT NULL,
  side       TEXT,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX invites_by_room ON invites (room, created_at);

-- Refused tokens, exports, admin actions. room is '' when none applies; not a foreign key,
-- because a refusal may name a room that does not exist.
CREATE TABLE audit (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at     INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  room   TEXT NOT NULL,
  detail TEXT NOT NULL,
  remote TEXT NOT NULL
);
CREATE INDEX audit_by_room ON audit (room, id);
)sql"},
    // The receipt moves onto the event that answers the command (the one at ack_seq). A separate
    // table with a UNIQUE index touched two more B-tree pages per room in every group commit —
    // about half of all WAL writes. The writer still refuses a repeated command id, from
    // fingerprints it keeps per room in memory (sqlite_store.cpp), without an index on disk.
    {2, R"sql(
ALTER TABLE events ADD COLUMN command_participant TEXT;
ALTER TABLE events ADD COLUMN command_id TEXT;
UPDATE events SET (command_participant, command_id) =
  (SELECT r.participant, r.command_id FROM command_receipts r WHERE r.room = events.room AND r.ack_seq = events.seq)
  WHERE EXISTS (SELECT 1 FROM command_receipts r WHERE r.room = events.room AND r.ack_seq = events.seq);
DROP TABLE command_receipts;
)sql"},
    // Events in the order they were written (rowid), found by (room, seq) through an index. Kept
    // clustered by (room, seq), a group commit rewrote one whole table page per room it touched
    // (with 100 busy rooms, about 14 KB written to disk per message, WAL and checkpoints
    // together); now one commit's events share the table's last pages, and per room only a small
    // index entry moves. The unique index is still the fence against a second writer.
    {3, R"sql(
CREATE TABLE events_v3 (
  id                  INTEGER PRIMARY KEY,
  room                TEXT NOT NULL REFERENCES rooms(id),
  seq                 INTEGER NOT NULL CHECK (seq >= 1),
  ts                  INTEGER NOT NULL,
  kind                TEXT NOT NULL,
  body                TEXT NOT NULL,
  payload_hash        TEXT NOT NULL,
  prev_hash           TEXT NOT NULL,
  hash                TEXT NOT NULL,
  command_participant TEXT,
  command_id          TEXT
);
INSERT INTO events_v3 (room, seq, ts, kind, body, payload_hash, prev_hash, hash, command_participant, command_id)
  SELECT room, seq, ts, kind, body, payload_hash, prev_hash, hash, command_participant, command_id
  FROM events ORDER BY room, seq;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;
CREATE UNIQUE INDEX events_by_room ON events (room, seq);
)sql"},
}};

}  // namespace

std::span<const sqlite_migration> sqlite_migrations() noexcept { return migrations; }

int latest_sqlite_schema_version() noexcept { return migrations.back().version; }

}  // namespace kelisim::store
