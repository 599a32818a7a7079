#pragma once
// The embedded default transcript store: one SQLite database, <data-dir>/kelisim.db.
// WAL, synchronous=FULL, foreign keys on; the schema is migrated forward at start-up.
// One writer connection on its own thread drains a queue and commits many requests per
// transaction (group commit), each request inside its own SAVEPOINT so a failing one fails
// alone. Reads go through a small pool of read-only connections.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <memory>

#include "server/store/transcript_store.hpp"

namespace kelisim::store {

struct sqlite_store_options {
  // A group transaction takes at most this many events (a request is never split).
  std::size_t max_batch_events = 4096;
  // How long the oldest queued append may wait for others to share its transaction, and when:
  // only while the store is busy — the previous transaction with appends carried at least
  // `busy_batch_appends` of them (0: always wait) and ended less than `max_batch_wait` before the
  // oldest waiting append came. A lone append on a quiet server commits at once; under load the
  // writer commits fewer, larger transactions, and each costs an fsync, a few system calls and
  // thread wake-ups whatever its size (PostgreSQL's commit_delay and commit_siblings are the same
  // idea). Benchmark (i): −19 % CPU per delivery, p99 no worse (docs/DECISIONS.md, "Group commit").
  std::chrono::microseconds max_batch_wait{1000};
  std::size_t busy_batch_appends = 3;
  // Read-only connections opened on demand; callers beyond this wait for one to be free.
  std::size_t max_readers = 4;
  std::chrono::milliseconds busy_timeout{5000};
  // The log is copied back into the database, on a thread of its own, once it holds this many
  // pages (1 KiB in a database this server created). Rarely, because busy rooms rewrite the same
  // few pages commit after commit and a checkpoint copies each page once however often it changed
  // (at SQLite's default of 1,000, checkpoints were 10 % of the server's CPU in benchmark (i)).
  // The log file grows to about this size.
  int checkpoint_pages = 16384;
};

class sqlite_store final : public transcript_store {
 public:
  // Opens or creates <data_dir>/kelisim.db (the directory must exist) and migrates it.
  // Throws std::runtime_error with one line ("cannot open database PATH: REASON") if it cannot.
  explicit sqlite_store(const std::filesystem::path& data_dir, sqlite_store_options options = {});
  // Completes every queued request, then closes.
  ~sqlite_store() override;

  sqlite_store(const sqlite_store&) = delete;
  sqlite_store& operator=(const sqlite_store&) = delete;

  // `done` runs on the writer thread: it may read, append or audit, but a call that waits for the
  // writer (create_room, add_invite, revoke_invite, audit_log, flush) throws store_error there.
  void append(append_request request, std::function<void(append_result)> done) override;

  std::vector<stored_event> events_after(const room_id& room, seq_t after,
                                         std::size_t limit = std::numeric_limits<std::size_t>::max()) override;
  std::vector<command_receipt> receipts(const room_id& room) override;
  void scan_events(const scanned_event& each) override;

  bool create_room(const room_record& room) override;
  std::optional<room_record> find_room(const room_id& id) override;
  std::vector<room_record> rooms() override;

  bool add_invite(const invite_record& invite) override;
  std::optional<invite_record> find_invite(const std::string& invite_id) override;
  std::vector<invite_record> invites(const room_id& room) override;
  bool revoke_invite(const std::string& invite_id, time_ms at) override;

  // Queued without waiting (a refused token must not stall a network thread);
  // audit_log() first waits for queued writes, so it reads its own writes.
  void audit(const audit_entry& entry) override;
  std::vector<audit_entry> audit_log(const std::optional<room_id>& room) override;

  void flush() override;
  store_stats stats() const override;

  const std::filesystem::path& database_path() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace kelisim::store
