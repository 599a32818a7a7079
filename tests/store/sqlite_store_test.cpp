// What only the SQLite store has: group commit, migrations, opening errors, a second writer.
#include "server/store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "server/store/hash_chain.hpp"
#include "server/store/sqlite_migrations.hpp"
#include "temp_dir.hpp"

namespace kelisim::store {
namespace {

using namespace std::chrono_literals;

new_event message(seq_t seq) {
  return new_event{seq, 1'700'000'000'000 + seq, "message", R"({"text":"word )" + std::to_string(seq) + R"("})"};
}

append_result append_and_wait(transcript_store& store, append_request r) {
  auto promise = std::make_shared<std::promise<append_result>>();
  auto result = promise->get_future();
  store.append(std::move(r), [promise](append_result a) { promise->set_value(std::move(a)); });
  if (result.wait_for(10s) != std::future_status::ready) return {false, "not completed within 10 s"};
  return result.get();
}

// Reads one integer with a plain SQLite connection, bypassing the store.
std::int64_t query_int(const std::filesystem::path& db_path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
    value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

void exec(const std::filesystem::path& db_path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(sqlite_store, appends_from_many_rooms_share_transactions) {
  testing::temp_dir dir;
  sqlite_store store(dir.path());
  constexpr int rooms = 20;
  constexpr int per_room = 100;
  constexpr int threads = 4;
  for (int r = 0; r < rooms; ++r) ASSERT_TRUE(store.create_room(room_record{"room" + std::to_string(r), r, "t", "en"}));

  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> senders;
  // Each thread owns whole rooms (one writer per room) and never waits for a completion.
  for (int t = 0; t < threads; ++t) {
    senders.emplace_back([&, t] {
      for (seq_t s = 1; s <= per_room; ++s) {
        for (int r = t; r < rooms; r += threads) {
          store.append(append_request{"room" + std::to_string(r), {message(s)},
                                      command_receipt{"p" + std::to_string(r), "c" + std::to_string(s), s}},
                       [&](append_result result) { ++(result.ok ? ok : failed); });
        }
      }
    });
  }
  for (auto& t : senders) t.join();
  store.flush();

  EXPECT_EQ(ok.load(), rooms * per_room);
  EXPECT_EQ(failed.load(), 0);
  const auto stats = store.stats();
  EXPECT_EQ(stats.events_committed, static_cast<std::uint64_t>(rooms * per_room));
  EXPECT_EQ(stats.appends_completed, static_cast<std::uint64_t>(rooms * per_room));
  // Group commit: one transaction per event would make this 2000.
  EXPECT_LE(stats.transactions * 10, stats.events_committed) << "transactions: " << stats.transactions;
  EXPECT_GT(stats.max_batch_size, 10u);
  EXPECT_LE(stats.max_batch_size, sqlite_store_options{}.max_batch_events);
  EXPECT_GT(stats.commit_seconds_total, 0.0);
  for (int r = 0; r < rooms; ++r) {
    const auto events = store.events_after("room" + std::to_string(r), 0);
    ASSERT_EQ(events.size(), static_cast<std::size_t>(per_room));
    EXPECT_EQ(verify_chain(events), std::nullopt);
  }
}

TEST(sqlite_store, a_batch_never_exceeds_its_event_bound) {
  testing::temp_dir dir;
  sqlite_store_options options;
  options.max_batch_events = 8;
  options.max_batch_wait = 20ms;
  sqlite_store store(dir.path(), options);
  ASSERT_TRUE(store.create_room(room_record{"r1", 1, "t", "en"}));
  for (seq_t s = 1; s <= 100; ++s) store.append(append_request{"r1", {message(s)}, std::nullopt}, nullptr);
  store.flush();
  const auto stats = store.stats();
  EXPECT_EQ(stats.events_committed, 100u);
  EXPECT_LE(stats.max_batch_size, 8u);
  EXPECT_GE(stats.transactions, 13u);
}

TEST(sqlite_store, a_lone_append_on_a_quiet_store_does_not_wait_for_company) {
  testing::temp_dir dir;
  sqlite_store_options options;
  options.max_batch_wait = 1h;  // were it applied, the append below would not complete in 10 s
  sqlite_store store(dir.path(), options);
  ASSERT_TRUE(store.create_room(room_record{"r1", 1, "t", "en"}));
  EXPECT_TRUE(append_and_wait(store, append_request{"r1", {message(1)}, std::nullopt}).ok);
  EXPECT_TRUE(append_and_wait(store, append_request{"r1", {message(2)}, std::nullopt}).ok);
}

// Makes the store busy: holds the writer inside the completion of an append to room r1 (seq 1)
// while three more queue up, so that they make one transaction of three appends.
void make_busy(sqlite_store& store) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  store.append(append_request{"r1", {message(1)}, std::nullopt}, [&](append_result) {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();
  auto ok = std::make_shared<std::atomic<int>>(0);
  for (seq_t s = 2; s <= 4; ++s)
    store.append(append_request{"r1", {message(s)}, std::nullopt}, [ok](append_result r) { ok->fetch_add(r.ok); });
  release.set_value();
  store.flush();
  ASSERT_EQ(ok->load(), 3);
}

sqlite_store_options waiting_while_busy(std::chrono::microseconds wait) {
  sqlite_store_options options;
  options.max_batch_wait = wait;
  options.busy_batch_appends = 3;
  return options;
}

TEST(sqlite_store, while_busy_an_append_waits_for_company) {
  testing::temp_dir dir;
  sqlite_store store(dir.path(), waiting_while_busy(1s));
  ASSERT_TRUE(store.create_room(room_record{"r1", 1, "t", "en"}));
  make_busy(store);
  const auto transactions = store.stats().transactions;

  // Right after, a lone append waits the full second for others to join it.
  const auto sent = std::chrono::steady_clock::now();
  EXPECT_TRUE(append_and_wait(store, append_request{"r1", {message(5)}, std::nullopt}).ok);
  EXPECT_GE(std::chrono::steady_clock::now() - sent, 1s);
  EXPECT_EQ(store.stats().transactions, transactions + 1);
  EXPECT_EQ(store.stats().events_committed, 5u);
}

TEST(sqlite_store, a_waiting_transaction_goes_as_soon_as_it_is_full) {
  testing::temp_dir dir;
  auto options = waiting_while_busy(20s);  // longer than append_and_wait's 10 s
  options.max_batch_events = 4;
  sqlite_store store(dir.path(), options);
  ASSERT_TRUE(store.create_room(room_record{"r1", 1, "t", "en"}));
  make_busy(store);
  const auto transactions = store.stats().transactions;

  // The first append waits; the rest come from another thread (by then it is usually waiting).
  store.append(append_request{"r1", {message(5)}, std::nullopt}, nullptr);
  auto last = std::async(std::launch::async, [&] {
    for (seq_t s = 6; s <= 7; ++s) store.append(append_request{"r1", {message(s)}, std::nullopt}, nullptr);
    return append_and_wait(store, append_request{"r1", {message(8)}, std::nullopt});
  });
  EXPECT_TRUE(last.get().ok);
  EXPECT_EQ(store.stats().transactions, transactions + 1);
  EXPECT_EQ(store.stats().events_committed, 8u);
}

TEST(sqlite_store, an_administrative_write_ends_the_wait_for_company) {
  testing::temp_dir dir;
  sqlite_store store(dir.path(), waiting_while_busy(20s));
  ASSERT_TRUE(store.create_room(room_record{"r1", 1, "t", "en"}));
  make_busy(store);

  // Someone waits for the administrative write (queued from another thread, by when the append
  // usually waits): it goes at once, and the waiting append with it.
  auto waiting = std::make_shared<std::promise<append_result>>();
  auto appended = waiting->get_future();
  store.append(append_request{"r1", {message(5)}, std::nullopt}, [waiting](append_result r) { waiting->set_value(r); });
  auto created = std::async(std::launch::async, [&] { return store.create_room(room_record{"r2", 1, "t", "en"}); });
  ASSERT_EQ(created.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(created.get());
  ASSERT_EQ(appended.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(appended.get().ok);
}

TEST(sqlite_store, the_database_is_wal_and_at_the_latest_schema_version) {
  testing::temp_dir dir;
  { sqlite_store store(dir.path()); }
  const auto db = dir.path() / "kelisim.db";
  EXPECT_EQ(query_int(db, "SELECT version FROM schema_version"), latest_sqlite_schema_version());
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM schema_version"), 1);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
  EXPECT_EQ(query_int(db, "PRAGMA page_size"), 1024);
  // Events in write order, found through the unique (room, seq) index.
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'events_by_room' "
                          "AND tbl_name = 'events'"),
            1);
  for (const char* table : {"rooms", "events", "invites", "audit"}) {
    const std::string sql = std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
                            table + "'";
    EXPECT_EQ(query_int(db, sql.c_str()), 1) << table;
  }
}

TEST(sqlite_store, reopening_keeps_everything_and_continues_the_chain) {
  testing::temp_dir dir;
  {
    sqlite_store store(dir.path());
    ASSERT_TRUE(store.create_room(room_record{"r1", 1, "Neighbours", "kk"}));
    ASSERT_TRUE(store.add_invite(invite_record{"i1", "r1", protocol::role::party, "A", "Асқар", 1, 2, std::nullopt}));
    ASSERT_TRUE(append_and_wait(store, {"r1", {message(1), message(2)}, command_receipt{"p", "c1", 2}}).ok);
    store.audit(audit_entry{5, "admin", "room_created", "r1", "", ""});
  }
  sqlite_store reopened(dir.path());
  EXPECT_EQ(reopened.find_room("r1")->title, "Neighbours");
  EXPECT_EQ(reopened.find_invite("i1")->name, "Асқар");
  EXPECT_EQ(reopened.receipts("r1").size(), 1u);
  EXPECT_EQ(reopened.audit_log(std::nullopt).size(), 1u);
  // The writer learns the room's tail from the database.
  EXPECT_FALSE(append_and_wait(reopened, {"r1", {message(1)}, std::nullopt}).ok);
  ASSERT_TRUE(append_and_wait(reopened, {"r1", {message(3)}, std::nullopt}).ok);
  const auto events = reopened.events_after("r1", 0);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(verify_chain(events), std::nullopt);
  EXPECT_EQ(query_int(reopened.database_path(), "SELECT version FROM schema_version"),
            latest_sqlite_schema_version());
}

TEST(sqlite_store, a_version_1_database_keeps_its_receipts_on_the_answering_events) {
  testing::temp_dir dir;
  const auto db = dir.path() / "kelisim.db";
  {
    // A database as schema version 1 left it: receipts in their own table.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    exec(db, std::string(sqlite_migrations()[0].sql).c_str());
    exec(db, "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);");
    exec(db, "INSERT INTO rooms VALUES ('r1', 1, 't', 'kk')");
  }
  // Events written the version-1 way, through SQL, with a chain the store will continue.
  {
    std::string previous(zero_hash);
    for (seq_t s = 1; s <= 3; ++s) {
      const auto e = seal_event("r1", message(s), previous);
      previous = e.hash;
      const std::string insert = "INSERT INTO events VALUES ('r1', " + std::to_string(e.seq) + ", " + std::to_string(e.ts) +
                                 ", 'message', '" + e.body + "', '" + e.payload_hash + "', '" + e.prev_hash + "', '" +
                                 e.hash + "')";
      exec(db, insert.c_str());
    }
    exec(db, "INSERT INTO command_receipts VALUES ('r1', 'p1', 'c1', 1), ('r1', 'p2', 'c9', 3)");
  }
  sqlite_store store(dir.path());
  const auto receipts = store.receipts("r1");
  ASSERT_EQ(receipts.size(), 2u);
  EXPECT_EQ(receipts[0].participant, "p1");
  EXPECT_EQ(receipts[0].command_id, "c1");
  EXPECT_EQ(receipts[0].ack_seq, 1);
  EXPECT_EQ(receipts[1].command_id, "c9");
  EXPECT_EQ(receipts[1].ack_seq, 3);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'command_receipts'"), 0);
  // Schema 3 moved the events, in order, into a table with a rowid.
  EXPECT_EQ(query_int(db, "SELECT group_concat(seq) = '1,2,3' FROM (SELECT seq FROM events ORDER BY id)"), 1);
  // New receipts land beside the old ones and the chain goes on.
  ASSERT_TRUE(append_and_wait(store, {"r1", {message(4), message(5)}, command_receipt{"p1", "c2", 5}}).ok);
  const auto after = store.receipts("r1");
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[2].ack_seq, 5);
  EXPECT_EQ(verify_chain(store.events_after("r1", 0)), std::nullopt);
}

TEST(sqlite_store, checkpoints_run_beside_the_writer_and_keep_the_log_small) {
  testing::temp_dir dir;
  sqlite_store_options options;
  options.checkpoint_pages = 64;
  sqlite_store store(dir.path(), options);
  ASSERT_TRUE(store.create_room(room_record{"r1", 1, "t", "en"}));
  // One commit per event: at least two log pages each, about 3 MB of log if nothing were copied back.
  constexpr seq_t events = 1500;
  for (seq_t s = 1; s <= events; ++s) ASSERT_TRUE(append_and_wait(store, {"r1", {message(s)}, std::nullopt}).ok);
  EXPECT_GT(store.stats().checkpoints, 0u);
  const auto log = dir.path() / "kelisim.db-wal";
  ASSERT_TRUE(std::filesystem::exists(log));
  EXPECT_LT(std::filesystem::file_size(log), 1'000'000u);
  const auto stored = store.events_after("r1", 0);
  EXPECT_EQ(stored.size(), static_cast<std::size_t>(events));
  EXPECT_EQ(verify_chain(stored), std::nullopt);
}

TEST(sqlite_store, a_receipt_must_name_an_event_of_its_append) {
  testing::temp_dir dir;
  sqlite_store store(dir.path());
  ASSERT_TRUE(store.create_room(room_record{"r1", 1, "t", "en"}));
  EXPECT_FALSE(append_and_wait(store, {"r1", {message(1)}, command_receipt{"p", "c1", 7}}).ok);
  EXPECT_TRUE(store.events_after("r1", 0).empty());
  ASSERT_TRUE(append_and_wait(store, {"r1", {message(1)}, command_receipt{"p", "c1", 1}}).ok);
  EXPECT_EQ(store.receipts("r1").size(), 1u);
}

TEST(sqlite_store, a_database_from_a_newer_server_is_refused) {
  testing::temp_dir dir;
  { sqlite_store store(dir.path()); }
  exec(dir.path() / "kelisim.db", "UPDATE schema_version SET version = 999");
  try {
    sqlite_store store(dir.path());
    FAIL() << "opened a database with schema version 999";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cannot open database"), std::string::npos) << what;
    EXPECT_NE(what.find("newer"), std::string::npos) << what;
  }
}

TEST(sqlite_store, opening_failures_are_one_clear_line) {
  testing::temp_dir dir;
  try {
    sqlite_store store(dir.path() / "missing");
    FAIL() << "opened a database in a missing directory";
  } catch (const std::runtime_error& e) {
    const std::string expected = "cannot open database " + (dir.path() / "missing" / "kelisim.db").string() +
                                 ": unable to open database file";
    EXPECT_EQ(std::string(e.what()), expected);
  }

  std::ofstream(dir.path() / "kelisim.db") << "this is not a database, it is a shopping list";
  try {
    sqlite_store store(dir.path());
    FAIL() << "opened a file that is not a database";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("file is not a database"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

TEST(sqlite_store, a_second_writer_for_a_room_fails_loudly) {
  // Two stores on one database stand for two nodes that both believe they own room r1.
  testing::temp_dir dir;
  sqlite_store first(dir.path());
  sqlite_store second(dir.path());
  ASSERT_TRUE(first.create_room(room_record{"r1", 1, "t", "en"}));
  ASSERT_TRUE(append_and_wait(first, {"r1", {message(1)}, std::nullopt}).ok);

  // The second node has not seen seq 1: UNIQUE(room, seq) fences it off.
  const auto fenced = append_and_wait(second, {"r1", {message(1)}, std::nullopt});
  EXPECT_FALSE(fenced.ok);
  EXPECT_NE(fenced.error.find("seq conflict"), std::string::npos) << fenced.error;

  // It re-reads the tail after a failure, so it can continue the true chain...
  ASSERT_TRUE(append_and_wait(second, {"r1", {message(2)}, std::nullopt}).ok);
  // ...and now the first node's cached tail is stale: it fails instead of forking the chain.
  const auto stale = append_and_wait(first, {"r1", {message(2)}, std::nullopt});
  EXPECT_FALSE(stale.ok);
  EXPECT_NE(stale.error.find("already stored"), std::string::npos) << stale.error;
  ASSERT_TRUE(append_and_wait(first, {"r1", {message(3)}, std::nullopt}).ok);

  const auto events = first.events_after("r1", 0);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(verify_chain(events), std::nullopt);
  EXPECT_EQ(first.stats().appends_failed, 1u);
  EXPECT_EQ(second.stats().appends_failed, 1u);
}

TEST(sqlite_store, a_refused_insert_leaves_no_trace_and_its_group_commit_goes_on) {
  // An append of one event runs without a savepoint: its INSERT, refused by UNIQUE(room, seq),
  // must undo itself and leave the other appends of the same transaction standing.
  testing::temp_dir dir;
  sqlite_store_options batching;
  batching.max_batch_wait = 200ms;  // the three appends below share one transaction
  batching.busy_batch_appends = 0;
  sqlite_store first(dir.path(), batching);
  sqlite_store second(dir.path());
  ASSERT_TRUE(first.create_room(room_record{"r1", 1, "t", "en"}));
  ASSERT_TRUE(first.create_room(room_record{"r2", 1, "t", "en"}));
  ASSERT_TRUE(append_and_wait(first, {"r1", {message(1)}, std::nullopt}).ok);
  ASSERT_TRUE(append_and_wait(second, {"r1", {message(2)}, std::nullopt}).ok);  // first's tail is stale now
  const auto transactions_before = first.stats().transactions;

  std::promise<append_result> before, refused, after;
  first.append({"r2", {message(1)}, std::nullopt}, [&](append_result r) { before.set_value(r); });
  first.append({"r1", {message(2)}, command_receipt{"p1", "c-lost", 2}}, [&](append_result r) { refused.set_value(r); });
  first.append({"r2", {message(2)}, command_receipt{"p1", "c-kept", 2}}, [&](append_result r) { after.set_value(r); });
  EXPECT_TRUE(before.get_future().get().ok);
  const auto failed = refused.get_future().get();
  EXPECT_FALSE(failed.ok);
  EXPECT_NE(failed.error.find("already stored"), std::string::npos) << failed.error;
  EXPECT_TRUE(after.get_future().get().ok);
  EXPECT_EQ(first.stats().transactions, transactions_before + 1) << "the appends did not share a transaction";

  EXPECT_EQ(first.events_after("r2", 0).size(), 2u);
  const auto r1 = first.events_after("r1", 0);
  ASSERT_EQ(r1.size(), 2u);
  EXPECT_EQ(verify_chain(r1), std::nullopt);
  const auto db = dir.path() / "kelisim.db";
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM events WHERE command_id = 'c-lost'"), 0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM events WHERE command_id = 'c-kept'"), 1);
}

TEST(sqlite_store, appends_after_close_are_refused_not_lost) {
  testing::temp_dir dir;
  auto store = std::make_unique<sqlite_store>(dir.path());
  ASSERT_TRUE(store->create_room(room_record{"r1", 1, "t", "en"}));
  std::atomic<int> completed{0};
  for (seq_t s = 1; s <= 50; ++s)
    store->append(append_request{"r1", {message(s)}, std::nullopt}, [&](append_result r) {
      EXPECT_TRUE(r.ok) << r.error;
      ++completed;
    });
  store.reset();  // the destructor completes what was queued
  EXPECT_EQ(completed.load(), 50);
  sqlite_store reopened(dir.path());
  EXPECT_EQ(reopened.events_after("r1", 0).size(), 50u);
}

TEST(sqlite_store, a_completion_sees_its_events_and_cannot_deadlock_the_writer) {
  testing::temp_dir dir;
  sqlite_store store(dir.path());
  ASSERT_TRUE(store.create_room(room_record{"r1", 1, "t", "en"}));
  std::promise<std::pair<std::size_t, std::string>> seen;
  auto result = seen.get_future();
  store.append(append_request{"r1", {message(1)}, std::nullopt}, [&](append_result r) {
    EXPECT_TRUE(r.ok) << r.error;
    std::string refusal;
    try {
      store.flush();
    } catch (const store_error& e) {
      refusal = e.what();
    }
    seen.set_value({store.events_after("r1", 0).size(), refusal});
  });
  ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
  const auto [visible, refusal] = result.get();
  EXPECT_EQ(visible, 1u);  // durable before visible: committed when done runs
  EXPECT_NE(refusal.find("deadlock"), std::string::npos) << refusal;
}

TEST(sqlite_store, reads_run_concurrently_with_writes) {
  testing::temp_dir dir;
  sqlite_store_options options;
  options.max_readers = 2;
  sqlite_store store(dir.path(), options);
  ASSERT_TRUE(store.create_room(room_record{"r1", 1, "t", "en"}));
  std::atomic<bool> writing{true};
  std::vector<std::thread> readers;
  std::atomic<int> broken{0};
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (writing) {
        const auto events = store.events_after("r1", 0);
        if (verify_chain(events)) ++broken;
      }
    });
  }
  for (seq_t s = 1; s <= 300; ++s) store.append(append_request{"r1", {message(s)}, std::nullopt}, nullptr);
  store.flush();
  writing = false;
  for (auto& t : readers) t.join();
  EXPECT_EQ(broken.load(), 0);
  EXPECT_EQ(store.events_after("r1", 0).size(), 300u);
}

}  // namespace
}  // namespace kelisim::store
