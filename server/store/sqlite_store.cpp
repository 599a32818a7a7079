#include "server/store/sqlite_store.hpp"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "server/store/coalescing_vfs.hpp"
#include "server/store/hash_chain.hpp"
#include "server/store/sqlite_db.hpp"
#include "server/store/sqlite_migrations.hpp"
#include "server/store/store_log.hpp"
#include "server/store/wal_checkpointer.hpp"

namespace kelisim::store {
namespace {

using clock = std::chrono::steady_clock;

// An append the writer refuses before SQLite does (seq does not continue the room's log).
class refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The end of a room's chain as the writer knows it.
struct chain_tail {
  seq_t seq = 0;
  std::string hash{zero_hash};
};

// One queued write. Appends report through `done`; administrative writes through `result`
// (absent for fire-and-forget audit entries); a barrier only marks a point in the queue.
struct write_job {
  enum class kind { append, admin, barrier };
  kind what = kind::append;
  append_request request;
  std::function<void(append_result)> done;
  std::function<bool(sqlite::connection&)> admin;
  std::string description;  // of an admin write, for the log
  std::shared_ptr<std::promise<bool>> result;
  clock::time_point enqueued;

  std::size_t weight() const noexcept {
    return what == kind::append ? std::max<std::size_t>(1, request.events.size()) : 1;
  }
};

struct job_outcome {
  bool ok = false;
  bool value = false;  // an admin write's answer
  std::string error;
};

void apply_pragmas(sqlite::connection& db, std::chrono::milliseconds busy_timeout) {
  db.exec("PRAGMA busy_timeout = " + std::to_string(busy_timeout.count()));
}

stored_event read_event(const room_id& room, const sqlite::statement& s) {
  stored_event e;
  e.room = room;
  e.seq = s.int64(0);
  e.ts = s.int64(1);
  e.kind = s.text(2);
  e.body = s.text(3);
  e.payload_hash = s.text(4);
  e.prev_hash = s.text(5);
  e.hash = s.text(6);
  return e;
}

room_record read_room(const sqlite::statement& s) {
  return room_record{s.text(0), s.int64(1), s.text(2), s.text(3)};
}

invite_record read_invite(const sqlite::statement& s) {
  invite_record i;
  i.invite_id = s.text(0);
  i.room = s.text(1);
  const auto role_name = s.text(2);
  const auto parsed = protocol::role_from_string(role_name);
  if (!parsed) throw store_error("invite " + i.invite_id + " has an unknown role '" + role_name + "'");
  i.as = *parsed;
  if (!s.is_null(3)) i.side = s.text(3);
  i.name = s.text(4);
  i.created_at = s.int64(5);
  i.expires_at = s.int64(6);
  if (!s.is_null(7)) i.revoked_at = s.int64(7);
  return i;
}

audit_entry read_audit(const sqlite::statement& s) {
  return audit_entry{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)};
}

constexpr std::string_view select_events =
    "SELECT seq, ts, kind, body, payload_hash, prev_hash, hash FROM events "
    "WHERE room = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
constexpr std::string_view select_receipts =
    "SELECT command_participant, command_id, seq FROM events WHERE room = ?1 AND command_id IS NOT NULL "
    "ORDER BY seq";
// In write order, which is the table's own: every page is read once, front to back.
constexpr std::string_view select_all_events =
    "SELECT seq, ts, kind, body, payload_hash, prev_hash, hash, room, command_participant, command_id "
    "FROM events ORDER BY id";
constexpr std::string_view select_room = "SELECT id, created_at, title, language FROM rooms WHERE id = ?1";
constexpr std::string_view select_rooms =
    "SELECT id, created_at, title, language FROM rooms ORDER BY created_at, id";
constexpr std::string_view select_invite =
    "SELECT id, room, role, side, name, created_at, expires_at, revoked_at FROM invites WHERE id = ?1";
constexpr std::string_view select_invites =
    "SELECT id, room, role, side, name, created_at, expires_at, revoked_at FROM invites "
    "WHERE room = ?1 ORDER BY created_at, id";
constexpr std::string_view select_audit_all =
    "SELECT at, actor, action, room, detail, remote FROM audit ORDER BY id";
constexpr std::string_view select_audit_room =
    "SELECT at, actor, action, room, detail, remote FROM audit WHERE room = ?1 ORDER BY id";

constexpr std::string_view select_receipt =
    "SELECT 1 FROM events WHERE room = ?1 AND command_participant = ?2 AND command_id = ?3 LIMIT 1";
constexpr std::string_view select_tail = "SELECT seq, hash FROM events WHERE room = ?1 ORDER BY seq DESC LIMIT 1";
constexpr std::string_view select_room_exists = "SELECT 1 FROM rooms WHERE id = ?1";
constexpr std::string_view insert_event =
    "INSERT INTO events (room, seq, ts, kind, body, payload_hash, prev_hash, hash, command_participant, command_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr std::string_view insert_room = "INSERT INTO rooms (id, created_at, title, language) VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view insert_invite =
    "INSERT INTO invites (id, room, role, side, name, created_at, expires_at, revoked_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view update_revoke =
    "UPDATE invites SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";
constexpr std::string_view insert_audit =
    "INSERT INTO audit (at, actor, action, room, detail, remote) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

// Read-only connections handed out one caller at a time.
class reader_pool {
 public:
  reader_pool(std::filesystem::path path, std::size_t max_readers, std::chrono::milliseconds busy_timeout)
      : path_(std::move(path)), max_(std::max<std::size_t>(1, max_readers)), busy_timeout_(busy_timeout) {}

  class lease {
   public:
    lease(reader_pool& pool, std::unique_ptr<sqlite::connection> db) : pool_(pool), db_(std::move(db)) {}
    ~lease() { pool_.give_back(std::move(db_)); }
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    sqlite::connection& operator*() const noexcept { return *db_; }

   private:
    reader_pool& pool_;
    std::unique_ptr<sqlite::connection> db_;
  };

  lease acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return lease(*this, std::move(db));
    }
    ++open_;
    lock.unlock();
    try {
      auto db = std::make_unique<sqlite::connection>(path_, sqlite::connection::mode::read_only);
      apply_pragmas(*db, busy_timeout_);
      return lease(*this, std::move(db));
    } catch (...) {
      lock.lock();
      --open_;
      available_.notify_one();
      throw;
    }
  }

 private:
  void give_back(std::unique_ptr<sqlite::connection> db) {
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(std::move(db));
    }
    available_.notify_one();
  }

  std::filesystem::path path_;
  std::size_t max_;
  std::chrono::milliseconds busy_timeout_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<sqlite::connection>> idle_;
  std::size_t open_ = 0;
};

void migrate(sqlite::connection& db) {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    int version = 0;
    {
      sqlite::statement read(db.handle(), "SELECT version FROM schema_version");
      sqlite::reset_guard guard(read);
      if (read.step())
        version = static_cast<int>(read.int64(0));
      else
        db.exec("INSERT INTO schema_version (version) VALUES (0)");
    }
    const int latest = latest_sqlite_schema_version();
    if (version > latest)
      throw std::runtime_error("schema version " + std::to_string(version) + " is newer than this server knows (" +
                               std::to_string(latest) + ")");
    for (const auto& m : sqlite_migrations()) {
      if (m.version <= version) continue;
      try {
        db.exec(m.sql);
      } catch (const sqlite::error& e) {
        throw std::runtime_error("migration to schema version " + std::to_string(m.version) +
                                 " failed: " + e.what());
      }
      version = m.version;
    }
    db.exec("UPDATE schema_version SET version = " + std::to_string(version));
    db.exec("COMMIT");
  } catch (...) {
    try {
      db.exec("ROLLBACK");
    } catch (const sqlite::error&) {
      // The failed statement may already have ended the transaction.
    }
    throw;
  }
}

}  // namespace

struct sqlite_store::impl {
  impl(const std::filesystem::path& data_dir, sqlite_store_options opts)
      : options(opts),
        path(data_dir / "kelisim.db"),
        writer_db(open_writer(path, opts)),
        checkpointer(path, *writer_db, opts.checkpoint_pages),
        readers(path, opts.max_readers, opts.busy_timeout) {
    // Fail now, not at the first read, if readers cannot open the database.
    { auto probe = readers.acquire(); }
    writer = std::thread([this] {
      pthread_setname_np(pthread_self(), "kelisim-writer");
      run_writer();
    });
  }

  ~impl() {
    {
      std::lock_guard lock(queue_mutex);
      stopping = true;
    }
    queue_ready.notify_all();
    if (writer.joinable()) writer.join();
  }

  static std::unique_ptr<sqlite::connection> open_writer(const std::filesystem::path& path,
                                                         const sqlite_store_options& opts) {
    // The writer's log writes are gathered into one per commit (coalescing_vfs.hpp), which is
    // safe because of synchronous = FULL below.
    auto db = std::make_unique<sqlite::connection>(path, sqlite::connection::mode::read_write_create,
                                                   sqlite::coalescing_vfs());
    try {
      apply_pragmas(*db, opts.busy_timeout);
      // 1 KiB pages (new databases only; an existing file keeps its size): a group commit writes
      // every page it touched in full, one index page per room among them, so small pages mean
      // less to write and fsync per event (benchmark (i), otherwise equal 10 s runs: 3.2 KB written
      // per event instead of 6.4 KB with 4 KiB pages). Set before WAL, which fixes the page size.
      db->exec("PRAGMA page_size = 1024");
      const auto journal = db->query_text("PRAGMA journal_mode = WAL");
      if (journal != "wal") throw std::runtime_error("cannot switch to WAL (journal_mode is " + journal + ")");
      // FULL: durable before visible — and what makes the coalescing VFS safe (its header).
      db->exec("PRAGMA synchronous = FULL");
      db->exec("PRAGMA foreign_keys = ON");
      // A request of several events runs in its own SAVEPOINT, and SQLite opens a statement
      // journal of its own for an INSERT it may have to undo (the foreign key): keep those
      // sub-journals in memory rather than in a temporary file (otherwise every touched page is
      // written out once more per request).
      db->exec("PRAGMA temp_store = MEMORY");
      // 4 MiB (4,096 pages): room for the largest group transaction's dirty pages (no spill
      // mid-batch) and every busy room's index leaf. Not more: when a B-tree split renumbers
      // pages, SQLite parks one at a page number past 1 GiB, and the next COMMIT then walks the
      // writer's whole page cache to drop pages beyond the end of the file. With 64 MiB that walk
      // was 9 % of the writer thread in benchmark (i), and the cache 70 MB of the server's RSS.
      db->exec("PRAGMA cache_size = -4096");
      migrate(*db);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot open database " + path.string() + ": " + e.what());
    }
    return db;
  }

  // ---- queue ----

  // False if the store is closing: then `job` is left as it was, not queued.
  bool enqueue(write_job& job) {
    job.enqueued = clock::now();
    bool wake = true;
    {
      std::lock_guard lock(queue_mutex);
      if (stopping) return false;
      if (job.what != write_job::kind::append) ++urgent_jobs;
      queued_weight += job.weight();
      // A writer waiting for company is woken only when the wait should end: a wake-up per
      // append would cost it a context switch each.
      wake = !lingering || company_wait_over();
      queue.push_back(std::move(job));
    }
    if (wake) queue_ready.notify_one();
    return true;
  }

  // Waiting for the writer from inside a completion would wait for ourselves forever.
  void refuse_on_writer_thread(std::string_view what) const {
    if (std::this_thread::get_id() == writer.get_id())
      throw store_error(std::string(what) + " called from an append completion (the writer thread) would deadlock");
  }

  // Runs an administrative write on the writer thread and waits for its answer.
  bool write_and_wait(std::string description, std::function<bool(sqlite::connection&)> op) {
    refuse_on_writer_thread(description);
    write_job job;
    job.what = write_job::kind::admin;
    job.admin = std::move(op);
    job.description = std::move(description);
    job.result = std::make_shared<std::promise<bool>>();
    auto answer = job.result->get_future();
    if (!enqueue(job)) throw store_error("store is closed");
    return answer.get();
  }

  void wait_for_queue() {
    refuse_on_writer_thread("waiting for queued writes");
    write_job barrier;
    barrier.what = write_job::kind::barrier;
    barrier.result = std::make_shared<std::promise<bool>>();
    auto reached = barrier.result->get_future();
    if (!enqueue(barrier)) return;
    reached.get();
  }

  void run_writer() {
    std::vector<write_job> batch;
    busy_gauge busy;
    std::unique_lock lock(queue_mutex);
    for (;;) {
      queue_ready.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping, and everything is done
      // While busy, let more appends join this transaction until it is full or its oldest has
      // waited enough.
      if (options.max_batch_wait.count() > 0 && busy.busy(queue.front().enqueued, options)) {
        const auto deadline = queue.front().enqueued + options.max_batch_wait;
        lingering = true;
        while (!company_wait_over()) {
          if (queue_ready.wait_until(lock, deadline) == std::cv_status::timeout) break;
        }
        lingering = false;
      }
      std::size_t weight = 0;
      std::size_t appends = 0;
      while (!queue.empty() && (batch.empty() || weight + queue.front().weight() <= options.max_batch_events)) {
        weight += queue.front().weight();
        if (queue.front().what != write_job::kind::append) --urgent_jobs;
        else ++appends;
        queued_weight -= queue.front().weight();
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      lock.unlock();
      commit_batch(batch);
      busy.committed(appends);
      batch.clear();
      checkpointer.between_transactions();
      lock.lock();
    }
  }

  // A wait for company ends when the store closes, someone waits for a queued administrative
  // write or barrier, or the transaction is full. Under queue_mutex.
  bool company_wait_over() const {
    return stopping || urgent_jobs > 0 || queued_weight >= options.max_batch_events;
  }

  // Whether the store is busy enough for an append to wait for company: the last transaction
  // with appends carried at least `busy_batch_appends` of them, and the oldest waiting append came
  // while that one was being written or shortly after (so the first append after a quiet spell
  // goes at once). Administrative writes and barriers leave the judgement as it was.
  struct busy_gauge {
    std::size_t last_appends = 0;
    clock::time_point last_commit_end{};

    bool busy(clock::time_point oldest_enqueued, const sqlite_store_options& options) const {
      if (options.busy_batch_appends == 0) return true;
      return last_appends >= options.busy_batch_appends && oldest_enqueued < last_commit_end + options.max_batch_wait;
    }

    void committed(std::size_t appends) {
      if (appends == 0) return;
      last_appends = appends;
      last_commit_end = clock::now();
    }
  };

  // ---- the writer thread ----

  chain_tail& tail_of(const room_id& room, std::unordered_map<room_id, chain_tail>& pending) {
    if (auto p = pending.find(room); p != pending.end()) return p->second;
    auto& cached = pending[room];
    if (auto c = tail_cache.find(room); c != tail_cache.end()) {
      cached = c->second;
      return cached;
    }
    auto& exists = writer_db->prepared(select_room_exists);
    sqlite::reset_guard exists_guard(exists);
    if (!exists.bind(1, room).step()) {
      pending.erase(room);
      throw refused("unknown room '" + room + "'");
    }
    auto& last = writer_db->prepared(select_tail);
    sqlite::reset_guard last_guard(last);
    if (last.bind(1, room).step()) cached = chain_tail{last.int64(0), last.text(1)};
    tail_cache[room] = cached;
    return cached;
  }

  static std::uint64_t receipt_fingerprint(const participant_id& participant, const std::string& command_id) {
    std::string key;
    key.reserve(participant.size() + 1 + command_id.size());
    key.append(participant).push_back('\x1f');
    key.append(command_id);
    return std::hash<std::string>{}(key);
  }

  // The fingerprints of a room's recorded command ids, read once per room (no index guards
  // receipts on disk: see schema version 2).
  std::unordered_set<std::uint64_t>& known_receipts(const room_id& room) {
    if (auto found = receipt_cache.find(room); found != receipt_cache.end()) return found->second;
    auto& known = receipt_cache[room];
    auto& s = writer_db->prepared(select_receipts);
    sqlite::reset_guard guard(s);
    s.bind(1, room);
    while (s.step()) known.insert(receipt_fingerprint(s.text(0), s.text(1)));
    return known;
  }

  // A command id already recorded for this participant in this room (committed, or earlier in
  // this transaction). A fingerprint match is confirmed on disk, so a collision refuses nothing.
  bool already_recorded(const room_id& room, const command_receipt& receipt, std::uint64_t fingerprint,
                        const std::vector<std::uint64_t>& staged) {
    const bool maybe = known_receipts(room).contains(fingerprint) ||
                       std::find(staged.begin(), staged.end(), fingerprint) != staged.end();
    if (!maybe) return false;
    auto& s = writer_db->prepared(select_receipt);
    sqlite::reset_guard guard(s);
    return s.bind(1, room).bind(2, receipt.participant).bind(3, receipt.command_id).step();
  }

  // Writes one append (inside a savepoint when it has several events); returns the number of
  // events written.
  // The receipt goes on the event its ack names.
  std::size_t write_append(const append_request& request, std::unordered_map<room_id, chain_tail>& pending,
                           std::unordered_map<room_id, std::vector<std::uint64_t>>& staged_receipts) {
    chain_tail tail = tail_of(request.room, pending);
    const auto& receipt = request.receipt;
    std::uint64_t fingerprint = 0;
    if (receipt) {
      if (std::none_of(request.events.begin(), request.events.end(),
                       [&](const new_event& e) { return e.seq == receipt->ack_seq; }))
        throw refused("the receipt of command '" + receipt->command_id + "' names seq " +
                      std::to_string(receipt->ack_seq) + ", which is not in its append");
      fingerprint = receipt_fingerprint(receipt->participant, receipt->command_id);
      if (already_recorded(request.room, *receipt, fingerprint, staged_receipts[request.room]))
        throw refused("duplicate command receipt in room '" + request.room + "' for participant '" +
                      receipt->participant + "', command id '" + receipt->command_id + "'");
    }
    auto& insert = writer_db->prepared(insert_event);
    for (const auto& event : request.events) {
      const bool answers = receipt && receipt->ack_seq == event.seq;
      if (event.seq != tail.seq + 1)
        throw refused("seq conflict in room '" + request.room + "': expected seq " + std::to_string(tail.seq + 1) +
                      ", got " + std::to_string(event.seq) + " (a second writer for this room?)");
      // Sealed in place (seal_event's rule, without copying the body).
      const auto payload_hash = sha256_hex(event.body);
      auto hash = chain_hash(tail.hash, event.seq, payload_hash);
      sqlite::reset_guard guard(insert);
      try {
        insert.bind(1, request.room)
            .bind(2, event.seq)
            .bind(3, event.ts)
            .bind(4, event.kind)
            .bind(5, event.body)
            .bind(6, payload_hash)
            .bind(7, tail.hash)
            .bind(8, hash);
        if (answers)
          insert.bind(9, receipt->participant).bind(10, receipt->command_id);
        else
          insert.bind(9, std::nullopt).bind(10, std::nullopt);
        insert.step();
      } catch (const sqlite::error& e) {
        if (!e.is_constraint()) throw;
        throw refused("seq conflict in room '" + request.room + "': seq " + std::to_string(event.seq) +
                      " is already stored (a second writer for this room?)");
      }
      tail = chain_tail{event.seq, std::move(hash)};
    }
    pending[request.room] = std::move(tail);
    if (receipt) staged_receipts[request.room].push_back(fingerprint);
    return request.events.size();
  }

  void commit_batch(std::vector<write_job>& batch) {
    std::vector<job_outcome> outcomes(batch.size());
    std::unordered_map<room_id, chain_tail> pending;
    std::unordered_map<room_id, std::vector<std::uint64_t>> staged_receipts;
    std::unordered_set<room_id> stale;  // rooms whose cached tail and receipts must be re-read
    std::size_t events = 0;
    bool any_append = false;
    double commit_seconds = 0;

    const auto fail_all = [&](const std::string& why) {
      for (auto& o : outcomes) o = job_outcome{false, false, why};
      for (const auto& [room, tail] : pending) stale.insert(room);
      events = 0;
    };

    try {
      writer_db->prepared("BEGIN IMMEDIATE").run();
      try {
        for (std::size_t i = 0; i < batch.size(); ++i) {
          auto& job = batch[i];
          auto& outcome = outcomes[i];
          if (job.what == write_job::kind::barrier) {
            outcome.ok = true;
            continue;
          }
          // A savepoint lets a failing job leave no trace in the batch. An append of one event
          // needs none: its only write is one INSERT, which SQLite undoes by itself when it
          // fails; for every message that spares two statements and a savepoint's bookkeeping.
          const bool single_insert = job.what == write_job::kind::append && job.request.events.size() == 1;
          if (!single_insert) writer_db->prepared("SAVEPOINT job").run();
          try {
            if (job.what == write_job::kind::append) {
              any_append = true;
              events += write_append(job.request, pending, staged_receipts);
            } else {
              outcome.value = job.admin(*writer_db);
            }
            if (!single_insert) writer_db->prepared("RELEASE job").run();
            outcome.ok = true;
          } catch (const std::exception& e) {
            outcome.error = e.what();
            if (job.what == write_job::kind::append) stale.insert(job.request.room);
            // SQLite may have ended the whole transaction (I/O error, disk full): then every
            // earlier request of this batch is gone too.
            if (writer_db->autocommit()) throw std::runtime_error(std::string("transaction aborted: ") + e.what());
            if (!single_insert) {
              writer_db->prepared("ROLLBACK TO job").run();
              writer_db->prepared("RELEASE job").run();
            }
          }
        }
        const auto started = clock::now();
        writer_db->prepared("COMMIT").run();
        commit_seconds = std::chrono::duration<double>(clock::now() - started).count();
      } catch (const std::exception& e) {
        fail_all(e.what());
        if (!writer_db->autocommit()) {
          try {
            writer_db->exec("ROLLBACK");
          } catch (const std::exception& rollback) {
            store_logger()->error("rollback failed: {}", rollback.what());
          }
        }
      }
    } catch (const std::exception& e) {
      fail_all(std::string("cannot begin transaction: ") + e.what());
    }

    for (auto& [room, tail] : pending) {
      if (!stale.contains(room)) tail_cache[room] = std::move(tail);
    }
    for (auto& [room, fingerprints] : staged_receipts) {
      if (stale.contains(room) || fingerprints.empty()) continue;
      if (auto known = receipt_cache.find(room); known != receipt_cache.end())
        known->second.insert(fingerprints.begin(), fingerprints.end());
    }
    for (const auto& room : stale) {
      tail_cache.erase(room);
      receipt_cache.erase(room);
    }

    {
      std::lock_guard lock(stats_mutex);
      if (any_append && events > 0) {
        ++counters.transactions;
        counters.events_committed += events;
        counters.last_batch_size = events;
        counters.max_batch_size = std::max<std::uint64_t>(counters.max_batch_size, events);
        counters.commit_seconds_total += commit_seconds;
      }
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].what != write_job::kind::append) continue;
        ++(outcomes[i].ok ? counters.appends_completed : counters.appends_failed);
      }
    }

    for (std::size_t i = 0; i < batch.size(); ++i) complete(batch[i], outcomes[i]);
  }

  static void complete(write_job& job, const job_outcome& outcome) {
    switch (job.what) {
      case write_job::kind::append:
        if (!outcome.ok)
          store_logger()->error("append to room '{}' failed: {}", job.request.room, outcome.error);
        try {
          if (job.done) job.done(append_result{outcome.ok, outcome.error});
        } catch (const std::exception& e) {
          store_logger()->error("append completion for room '{}' threw: {}", job.request.room, e.what());
        } catch (...) {
          store_logger()->error("append completion for room '{}' threw", job.request.room);
        }
        return;
      case write_job::kind::admin:
        if (!outcome.ok) store_logger()->error("{} failed: {}", job.description, outcome.error);
        if (!job.result) return;
        if (outcome.ok)
          job.result->set_value(outcome.value);
        else
          job.result->set_exception(std::make_exception_ptr(store_error(job.description + ": " + outcome.error)));
        return;
      case write_job::kind::barrier:
        job.result->set_value(true);
        return;
    }
  }

  // ---- reads ----

  // Runs a read; a failure becomes a store_error that says what was being read.
  template <typename Work>
  static auto reading(std::string_view what, Work&& work) {
    try {
      return work();
    } catch (const store_error&) {
      throw;
    } catch (const std::exception& e) {
      throw store_error(std::string(what) + ": " + e.what());
    }
  }

  // A read on one of the pooled connections.
  template <typename Read>
  auto read(std::string_view what, Read&& body) {
    return reading(what, [&] {
      auto lease = readers.acquire();
      return body(*lease);
    });
  }

  sqlite_store_options options;
  std::filesystem::path path;
  std::unique_ptr<sqlite::connection> writer_db;
  wal_checkpointer checkpointer;  // after writer_db: it unhooks itself from it first
  reader_pool readers;

  std::mutex queue_mutex;
  std::condition_variable queue_ready;
  std::deque<write_job> queue;
  std::size_t queued_weight = 0;
  std::size_t urgent_jobs = 0;  // queued admin writes and barriers: someone is waiting, do not linger
  bool lingering = false;       // the writer is waiting for company (busy_gauge)
  bool stopping = false;

  // Writer thread only.
  std::unordered_map<room_id, chain_tail> tail_cache;
  std::unordered_map<room_id, std::unordered_set<std::uint64_t>> receipt_cache;

  mutable std::mutex stats_mutex;
  store_stats counters;

  std::thread writer;
};

sqlite_store::sqlite_store(const std::filesystem::path& data_dir, sqlite_store_options options)
    : impl_(std::make_unique<impl>(data_dir, options)) {}

sqlite_store::~sqlite_store() = default;

const std::filesystem::path& sqlite_store::database_path() const noexcept { return impl_->path; }

void sqlite_store::append(append_request request, std::function<void(append_result)> done) {
  write_job job;
  job.what = write_job::kind::append;
  job.request = std::move(request);
  job.done = std::move(done);
  if (!impl_->enqueue(job) && job.done) job.done(append_result{false, "store is closed"});
}

std::vector<stored_event> sqlite_store::events_after(const room_id& room, seq_t after, std::size_t limit) {
  if (limit == 0) return {};
  const auto capped = static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  return impl_->read("reading events of room '" + room + "'", [&](sqlite::connection& db) {
    auto& s = db.prepared(select_events);
    sqlite::reset_guard guard(s);
    s.bind(1, room).bind(2, after).bind(3, capped);
    std::vector<stored_event> events;
    while (s.step()) events.push_back(read_event(room, s));
    return events;
  });
}

std::vector<command_receipt> sqlite_store::receipts(const room_id& room) {
  return impl_->read("reading receipts of room '" + room + "'", [&](sqlite::connection& db) {
    auto& s = db.prepared(select_receipts);
    sqlite::reset_guard guard(s);
    s.bind(1, room);
    std::vector<command_receipt> out;
    while (s.step()) out.push_back(command_receipt{s.text(0), s.text(1), s.int64(2)});
    return out;
  });
}

void sqlite_store::scan_events(const scanned_event& each) {
  impl::reading("scanning the events", [&] {
    // A connection of its own, memory-mapped and closed afterwards. Read room by room through the
    // index, a room's events cost a page read each (they are spread over the table in write
    // order): 40 % of start-up went to `pread`. Mapped, the scan takes no system call per page,
    // and closing the connection takes the mapping back out of the process's RSS, which the
    // pooled readers would keep.
    sqlite::connection db(impl_->path, sqlite::connection::mode::read_only);
    apply_pragmas(db, impl_->options.busy_timeout);
    db.exec("PRAGMA mmap_size = 2147418112");  // SQLite's default ceiling (SQLITE_MAX_MMAP_SIZE)
    auto& s = db.prepared(select_all_events);
    sqlite::reset_guard guard(s);
    while (s.step()) {
      const auto e = read_event(s.text(7), s);
      std::optional<command_receipt> receipt;
      if (!s.is_null(9)) receipt = command_receipt{s.text(8), s.text(9), e.seq};
      each(e, receipt);
    }
  });
}

bool sqlite_store::create_room(const room_record& room) {
  return impl_->write_and_wait("creating room '" + room.id + "'", [room](sqlite::connection& db) {
    auto& s = db.prepared(insert_room);
    sqlite::reset_guard guard(s);
    try {
      s.bind(1, room.id).bind(2, room.created_at).bind(3, room.title).bind(4, room.language).step();
    } catch (const sqlite::error& e) {
      if (e.is_constraint()) return false;
      throw;
    }
    return true;
  });
}

std::optional<room_record> sqlite_store::find_room(const room_id& id) {
  return impl_->read("reading room '" + id + "'", [&](sqlite::connection& db) -> std::optional<room_record> {
    auto& s = db.prepared(select_room);
    sqlite::reset_guard guard(s);
    if (!s.bind(1, id).step()) return std::nullopt;
    return read_room(s);
  });
}

std::vector<room_record> sqlite_store::rooms() {
  return impl_->read("reading rooms", [&](sqlite::connection& db) {
    auto& s = db.prepared(select_rooms);
    sqlite::reset_guard guard(s);
    std::vector<room_record> out;
    while (s.step()) out.push_back(read_room(s));
    return out;
  });
}

bool sqlite_store::add_invite(const invite_record& invite) {
  return impl_->write_and_wait("adding invite '" + invite.invite_id + "'", [invite](sqlite::connection& db) {
    auto& s = db.prepared(insert_invite);
    sqlite::reset_guard guard(s);
    try {
      s.bind(1, invite.invite_id)
          .bind(2, invite.room)
          .bind(3, protocol::to_string(invite.as))
          .bind(4, invite.side)
          .bind(5, invite.name)
          .bind(6, invite.created_at)
          .bind(7, invite.expires_at)
          .bind(8, invite.revoked_at)
          .step();
    } catch (const sqlite::error& e) {
      // The id exists already, or the room does not.
      if (e.is_constraint()) return false;
      throw;
    }
    return true;
  });
}

std::optional<invite_record> sqlite_store::find_invite(const std::string& invite_id) {
  return impl_->read("reading invite '" + invite_id + "'", [&](sqlite::connection& db) -> std::optional<invite_record> {
    auto& s = db.prepared(select_invite);
    sqlite::reset_guard guard(s);
    if (!s.bind(1, invite_id).step()) return std::nullopt;
    return read_invite(s);
  });
}

std::vector<invite_record> sqlite_store::invites(const room_id& room) {
  return impl_->read("reading invites of room '" + room + "'", [&](sqlite::connection& db) {
    auto& s = db.prepared(select_invites);
    sqlite::reset_guard guard(s);
    s.bind(1, room);
    std::vector<invite_record> out;
    while (s.step()) out.push_back(read_invite(s));
    return out;
  });
}

bool sqlite_store::revoke_invite(const std::string& invite_id, time_ms at) {
  return impl_->write_and_wait("revoking invite '" + invite_id + "'", [invite_id, at](sqlite::connection& db) {
    db.prepared(update_revoke).bind(1, invite_id).bind(2, at).run();
    return db.changes() == 1;
  });
}

void sqlite_store::audit(const audit_entry& entry) {
  write_job job;
  job.what = write_job::kind::admin;
  job.description = "writing audit entry '" + entry.action + "'";
  job.admin = [entry](sqlite::connection& db) {
    db.prepared(insert_audit)
        .bind(1, entry.at)
        .bind(2, entry.actor)
        .bind(3, entry.action)
        .bind(4, entry.room)
        .bind(5, entry.detail)
        .bind(6, entry.remote)
        .run();
    return true;
  };
  if (!impl_->enqueue(job))
    store_logger()->error("audit entry '{}' dropped: store is closed", entry.action);
}

std::vector<audit_entry> sqlite_store::audit_log(const std::optional<room_id>& room) {
  impl_->wait_for_queue();
  return impl_->read("reading the audit log", [&](sqlite::connection& db) {
    auto& s = db.prepared(room ? select_audit_room : select_audit_all);
    sqlite::reset_guard guard(s);
    if (room) s.bind(1, *room);
    std::vector<audit_entry> out;
    while (s.step()) out.push_back(read_audit(s));
    return out;
  });
}

void sqlite_store::flush() { impl_->wait_for_queue(); }

store_stats sqlite_store::stats() const {
  store_stats now;
  {
    std::lock_guard lock(impl_->stats_mutex);
    now = impl_->counters;
  }
  now.checkpoints = impl_->checkpointer.checkpoints();
  return now;
}

}  // namespace kelisim::store
