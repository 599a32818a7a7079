#include "server/store/wal_checkpointer.hpp"

#include <pthread.h>

#include <stdexcept>
#include <string>

#include "server/store/store_log.hpp"

namespace kelisim::store {
namespace {

// PASSIVE: copies what no reader still needs, never waits for the writer or readers.
// Returns the number of frames copied so far, or -1 if the checkpoint failed.
int checkpoint_passive(sqlite3* db) {
  int log = 0;
  int copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
  if (rc == SQLITE_OK) return copied;
  // BUSY: another checkpoint is running; it does the work.
  if (rc != SQLITE_BUSY) store_logger()->warn("checkpoint failed: {}", sqlite3_errmsg(db));
  return -1;
}

}  // namespace

wal_checkpointer::wal_checkpointer(const std::filesystem::path& path, sqlite::connection& writer, int start_pages)
    : start_pages_(start_pages), db_(path, sqlite::connection::mode::read_write_create), writer_(writer) {
  // A connection opens the log on its first read; until then a checkpoint does nothing at all
  // (SQLite 3.40 reports -1 frames and succeeds).
  if (const auto mode = db_.query_text("PRAGMA journal_mode"); mode != "wal")
    throw std::runtime_error("checkpointer: the database is not in WAL mode (" + mode + ")");
  // Replaces the writer's automatic checkpoint (sqlite3_wal_autocheckpoint is this same hook).
  sqlite3_wal_hook(writer_.handle(), &wal_checkpointer::on_commit, this);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "kelisim-ckpt");
    run();
  });
}

wal_checkpointer::~wal_checkpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::size_t wal_checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

// Runs on the writer thread inside each COMMIT: only note the length, wake the thread if due.
int wal_checkpointer::on_commit(void* self, sqlite3*, const char*, int pages) {
  auto& me = *static_cast<wal_checkpointer*>(self);
  {
    std::lock_guard lock(me.mutex_);
    me.log_pages_ = pages;
    if (me.phase_ != phase::idle || pages < me.start_pages_) return SQLITE_OK;
    me.phase_ = phase::copying;
  }
  me.wake_.notify_one();
  return SQLITE_OK;
}

void wal_checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || phase_ == phase::copying; });
    if (stopping_) return;
    for (int pass = 0; pass < max_passes && !stopping_; ++pass) {
      lock.unlock();
      const int copied = checkpoint_passive(db_.handle());
      lock.lock();
      ++checkpoints_;
      if (copied < 0 || log_pages_ - copied <= small_remainder) break;
    }
    phase_ = phase::caught_up;
  }
}

void wal_checkpointer::between_transactions() {
  {
    std::lock_guard lock(mutex_);
    if (phase_ != phase::caught_up) return;
  }
  checkpoint_passive(writer_.handle());
  std::lock_guard lock(mutex_);
  ++checkpoints_;
  phase_ = phase::idle;
}

}  // namespace kelisim::store
