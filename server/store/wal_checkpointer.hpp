#pragma once
// Internal to kelisim_store: copies the write-ahead log back into the database on a thread of its
// own, so that no group commit waits for a whole checkpoint.
//
// SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold: that commit,
// and every delivery waiting on it, paid for copying thousands of pages and an fsync of the
// database file. Here the writer's commit only reports the log's length (sqlite3_wal_hook) and
// this thread copies the bulk (PASSIVE: the writer is never blocked), in passes until what the
// writer added meanwhile is small. The writer copies that remainder itself between two
// transactions: the log can start over only if it is fully copied when a transaction begins,
// which a writer that never pauses would otherwise never let happen.
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <thread>

#include "server/store/sqlite_db.hpp"

namespace kelisim::store {

class wal_checkpointer {
 public:
  // Opens its own connection to `path` and hooks into `writer`, whose automatic checkpoints stop.
  // Copying starts once the log holds `start_pages` pages.
  wal_checkpointer(const std::filesystem::path& path, sqlite::connection& writer, int start_pages);
  // Stops the thread; the last connection to close checkpoints what is left.
  ~wal_checkpointer();

  wal_checkpointer(const wal_checkpointer&) = delete;
  wal_checkpointer& operator=(const wal_checkpointer&) = delete;

  // Writer thread, between transactions: once the bulk is copied, copy the rest so that the next
  // transaction starts the log over. Cheap otherwise (one lock).
  void between_transactions();

  // Checkpoint passes run so far, by either thread (for tests and metrics).
  std::size_t checkpoints() const;

 private:
  enum class phase { idle, copying, caught_up };
  // A pass leaves at most this many pages for the writer to copy.
  static constexpr int small_remainder = 256;
  static constexpr int max_passes = 4;

  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  const int start_pages_;
  sqlite::connection db_;
  sqlite::connection& writer_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  phase phase_ = phase::idle;
  int log_pages_ = 0;  // as of the writer's last commit
  bool stopping_ = false;
  std::size_t checkpoints_ = 0;

  std::thread thread_;
};

}  // namespace kelisim::store
