#pragma once
// Internal to kelisim_store: an SQLite VFS that gathers the writes to a write-ahead log and hands
// them to the kernel as one write when SQLite syncs the log.
//
// Why: SQLite writes every WAL frame as two writes (its 24-byte header, then the page). With
// 1 KiB pages and 100 busy rooms, a group commit is dozens of frames, and in benchmark (i) the
// writer made about six `pwrite` calls per event — more system calls than the server's `sendmsg`
// to all recipients together. Gathered, a commit is one `pwrite` and one `fdatasync`.
//
// Safe only with `synchronous = FULL` (the writer's setting, see sqlite_store.cpp): then SQLite
// syncs the log at every commit before it publishes the commit to other connections, so nothing
// another connection may read is still held here. Everything else that could observe the file
// (a read, its size, a truncation, a lock change, a file control, closing) first writes out what
// is held. A crash loses at most what was never synced, as without this layer.
#include <cstdint>

namespace kelisim::store::sqlite {

// The VFS's name for sqlite3_open_v2; registers it (not as the default) on first use.
const char* coalescing_vfs();

// Counts since the process started, for tests and the curious: writes SQLite asked for on a log,
// and writes this layer made for them.
struct coalescing_counts {
  std::uint64_t log_writes_asked = 0;
  std::uint64_t log_writes_made = 0;
};
coalescing_counts coalescing_vfs_counts() noexcept;

}  // namespace kelisim::store::sqlite
