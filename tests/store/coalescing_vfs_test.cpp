// The writer's VFS gathers a commit's log writes into one, and nothing it holds back is lost or
// seen out of order: other connections see exactly what was committed, a transaction larger than
// what is held at once and a rolled-back one leave the database as SQLite alone would.
#include <gtest/gtest.h>

#include <string>

#include "server/store/coalescing_vfs.hpp"
#include "server/store/sqlite_db.hpp"
#include "temp_dir.hpp"

namespace kelisim::store::sqlite {
namespace {

using mode = connection::mode;

// The writer's settings that matter here: small pages, the log, a sync at every commit.
std::unique_ptr<connection> open_writer(const std::filesystem::path& path, int cache_pages = 2000) {
  auto db = std::make_unique<connection>(path, mode::read_write_create, coalescing_vfs());
  db->exec("PRAGMA page_size = 1024");
  EXPECT_EQ(db->query_text("PRAGMA journal_mode = WAL"), "wal");
  db->exec("PRAGMA synchronous = FULL");
  db->exec("PRAGMA cache_size = " + std::to_string(cache_pages));
  db->exec("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  return db;
}

void insert_notes(connection& db, int count, int body_bytes) {
  auto& insert = db.prepared("INSERT INTO notes (body) VALUES (?1)");
  for (int i = 0; i < count; ++i) insert.bind(1, std::string(static_cast<std::size_t>(body_bytes), 'a' + i % 26)).run();
}

std::string count_and_length(connection& db) {
  return db.query_text("SELECT count(*) || '/' || coalesce(sum(length(body)), 0) FROM notes");
}

TEST(coalescing_vfs, a_commit_reaches_the_log_in_one_write_and_other_connections_see_it_at_once) {
  testing::temp_dir dir;
  const auto path = dir.path() / "notes.db";
  auto writer = open_writer(path);
  insert_notes(*writer, 1, 10);  // the log's header and first commit
  connection reader(path, mode::read_only);
  EXPECT_EQ(count_and_length(reader), "1/10");

  const auto before = coalescing_vfs_counts();
  writer->exec("BEGIN");
  insert_notes(*writer, 40, 300);  // about 12 KB of pages
  writer->exec("COMMIT");
  const auto after = coalescing_vfs_counts();

  // SQLite writes each frame as a header and a page: dozens of writes asked, one made.
  EXPECT_GE(after.log_writes_asked - before.log_writes_asked, 20u);
  EXPECT_EQ(after.log_writes_made - before.log_writes_made, 1u);
  EXPECT_EQ(count_and_length(reader), "41/12010");
}

TEST(coalescing_vfs, a_transaction_larger_than_what_is_held_and_spilled_mid_way_commits_whole) {
  testing::temp_dir dir;
  const auto path = dir.path() / "notes.db";
  {
    // A 20-page cache spills to the log long before COMMIT, and SQLite reads spilled pages back.
    auto writer = open_writer(path, 20);
    const auto before = coalescing_vfs_counts();
    writer->exec("BEGIN");
    insert_notes(*writer, 3000, 700);  // about 2 MB: many pieces of at most 64 KiB
    writer->exec("UPDATE notes SET body = body || 'z' WHERE id % 7 = 0");
    writer->exec("COMMIT");
    const auto made = coalescing_vfs_counts().log_writes_made - before.log_writes_made;
    EXPECT_GE(made, 2000u * 1024 / (64 * 1024));
    EXPECT_EQ(writer->query_text("PRAGMA integrity_check"), "ok");
  }
  // Read back through the default VFS, after the writer closed (and checkpointed) the log.
  connection reader(path, mode::read_only);
  EXPECT_EQ(reader.query_text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(count_and_length(reader), "3000/" + std::to_string(3000 * 700 + 3000 / 7));
}

TEST(coalescing_vfs, a_rolled_back_transaction_leaves_nothing_and_the_next_commit_is_intact) {
  testing::temp_dir dir;
  const auto path = dir.path() / "notes.db";
  auto writer = open_writer(path, 20);
  insert_notes(*writer, 5, 100);
  connection reader(path, mode::read_only);

  writer->exec("BEGIN");
  insert_notes(*writer, 500, 700);  // spills frames into the log, which the rollback abandons
  writer->exec("ROLLBACK");
  EXPECT_EQ(count_and_length(reader), "5/500");

  // The next transaction writes over the abandoned frames.
  writer->exec("BEGIN");
  insert_notes(*writer, 3, 50);
  writer->exec("COMMIT");
  EXPECT_EQ(count_and_length(reader), "8/650");
  EXPECT_EQ(reader.query_text("PRAGMA integrity_check"), "ok");
}

// Memory statistics would make every SQLite allocation take one process-wide mutex; the store
// turns them off before SQLite's first use, so the count of bytes in use is never kept.
TEST(sqlite_library, keeps_no_memory_statistics) {
  testing::temp_dir dir;
  auto writer = open_writer(dir.path() / "notes.db");
  insert_notes(*writer, 10, 1000);
  EXPECT_EQ(sqlite3_memory_used(), 0);
}

}  // namespace
}  // namespace kelisim::store::sqlite
