#include "server/store/coalescing_vfs.hpp"
#include "server/store/sqlite_db.hpp"

#include <sqlite3.h>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

namespace kelisim::store::sqlite {
namespace {

constexpr const char* vfs_name = "kelisim-coalescing";
// A transaction larger than this is written out in pieces of at most this size. The unix VFS
// writes at most 128 KiB - 1 bytes per call (it masks the length to 17 bits and reports a
// longer write as short, SQLITE_FULL), and one held piece plus one page must stay below that.
constexpr std::size_t max_held_bytes = 64 * 1024;

std::atomic<std::uint64_t> writes_asked{0};
std::atomic<std::uint64_t> writes_made{0};

// What SQLite allocates for an open file: ours first, the default VFS's file right behind it.
struct layered_file {
  sqlite3_file base;    // SQLite calls our methods through this
  sqlite3_file* inner;  // the default VFS's file, in the same allocation
  bool gathers;         // a write-ahead log; every other file passes straight through
  sqlite3_int64 held_at;
  std::string held;  // contiguous bytes from held_at, not yet written
};

constexpr std::size_t inner_offset =
    (sizeof(layered_file) + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) * alignof(std::max_align_t);

layered_file& self(sqlite3_file* file) { return *reinterpret_cast<layered_file*>(file); }
sqlite3_file* inner(sqlite3_file* file) { return self(file).inner; }
const sqlite3_io_methods& inner_methods(sqlite3_file* file) { return *inner(file)->pMethods; }
sqlite3_vfs* inner(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

int write_out(sqlite3_file* file) {
  auto& f = self(file);
  if (f.held.empty()) return SQLITE_OK;
  writes_made.fetch_add(1, std::memory_order_relaxed);
  const int rc = inner_methods(file).xWrite(f.inner, f.held.data(), static_cast<int>(f.held.size()), f.held_at);
  // Dropped even when the write failed: the error fails the SQLite call that caused it (a commit's
  // sync, usually), and the frames of a failed commit are never read; SQLite writes them anew.
  f.held.clear();
  return rc;
}

// ---- the file ----

int file_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  auto& f = self(file);
  if (!f.gathers) return inner_methods(file).xWrite(f.inner, data, amount, offset);
  writes_asked.fetch_add(1, std::memory_order_relaxed);
  const bool follows = offset == f.held_at + static_cast<sqlite3_int64>(f.held.size());
  if (!f.held.empty() && (!follows || f.held.size() + static_cast<std::size_t>(amount) > max_held_bytes)) {
    if (const int rc = write_out(file); rc != SQLITE_OK) return rc;
  }
  if (f.held.empty()) f.held_at = offset;
  f.held.append(static_cast<const char*>(data), static_cast<std::size_t>(amount));
  return SQLITE_OK;
}

int file_close(sqlite3_file* file) {
  const int written = write_out(file);
  const int closed = inner_methods(file).xClose(inner(file));
  self(file).~layered_file();
  return written != SQLITE_OK ? written : closed;
}

// Reads, syncs, size, truncation and locks: whatever is held goes out first, then the call.
template <auto method, typename... Args>
int after_write_out(sqlite3_file* file, Args... args) {
  if (const int rc = write_out(file); rc != SQLITE_OK) return rc;
  return (inner_methods(file).*method)(inner(file), args...);
}

int file_check_reserved_lock(sqlite3_file* file, int* out) {
  return inner_methods(file).xCheckReservedLock(inner(file), out);
}

int file_sector_size(sqlite3_file* file) { return inner_methods(file).xSectorSize(inner(file)); }

int file_device_characteristics(sqlite3_file* file) {
  return inner_methods(file).xDeviceCharacteristics(inner(file));
}

// Shared memory belongs to the database file, which passes straight through.
int file_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  const auto& m = inner_methods(file);
  return m.iVersion >= 2 && m.xShmMap ? m.xShmMap(inner(file), region, size, extend, out) : SQLITE_IOERR_SHMMAP;
}

int file_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  const auto& m = inner_methods(file);
  return m.iVersion >= 2 && m.xShmLock ? m.xShmLock(inner(file), offset, n, flags) : SQLITE_IOERR_SHMLOCK;
}

void file_shm_barrier(sqlite3_file* file) {
  const auto& m = inner_methods(file);
  if (m.iVersion >= 2 && m.xShmBarrier) m.xShmBarrier(inner(file));
}

int file_shm_unmap(sqlite3_file* file, int delete_flag) {
  const auto& m = inner_methods(file);
  return m.iVersion >= 2 && m.xShmUnmap ? m.xShmUnmap(inner(file), delete_flag) : SQLITE_OK;
}

int file_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  *out = nullptr;
  if (const int rc = write_out(file); rc != SQLITE_OK) return rc;
  const auto& m = inner_methods(file);
  return m.iVersion >= 3 && m.xFetch ? m.xFetch(inner(file), offset, amount, out) : SQLITE_OK;
}

int file_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  const auto& m = inner_methods(file);
  return m.iVersion >= 3 && m.xUnfetch ? m.xUnfetch(inner(file), offset, page) : SQLITE_OK;
}

const sqlite3_io_methods file_methods = {
    3,
    file_close,
    after_write_out<&sqlite3_io_methods::xRead>,
    file_write,
    after_write_out<&sqlite3_io_methods::xTruncate>,
    after_write_out<&sqlite3_io_methods::xSync>,
    after_write_out<&sqlite3_io_methods::xFileSize>,
    after_write_out<&sqlite3_io_methods::xLock>,
    after_write_out<&sqlite3_io_methods::xUnlock>,
    file_check_reserved_lock,
    after_write_out<&sqlite3_io_methods::xFileControl>,
    file_sector_size,
    file_device_characteristics,
    file_shm_map,
    file_shm_lock,
    file_shm_barrier,
    file_shm_unmap,
    file_fetch,
    file_unfetch,
};

// ---- the VFS: opening files is ours, the rest is the default VFS's ----

int vfs_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* f = new (file) layered_file{};
  f->inner = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + inner_offset);
  f->inner->pMethods = nullptr;
  const int rc = inner(vfs)->xOpen(inner(vfs), name, f->inner, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->inner->pMethods != nullptr) f->inner->pMethods->xClose(f->inner);
    f->~layered_file();
    file->pMethods = nullptr;
    return rc;
  }
  f->gathers = (flags & SQLITE_OPEN_WAL) != 0;
  f->base.pMethods = &file_methods;
  return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return inner(vfs)->xDelete(inner(vfs), name, sync_dir);
}
int vfs_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return inner(vfs)->xAccess(inner(vfs), name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return inner(vfs)->xFullPathname(inner(vfs), name, size, out);
}
void* vfs_dl_open(sqlite3_vfs* vfs, const char* name) { return inner(vfs)->xDlOpen(inner(vfs), name); }
void vfs_dl_error(sqlite3_vfs* vfs, int size, char* out) { inner(vfs)->xDlError(inner(vfs), size, out); }
void (*vfs_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return inner(vfs)->xDlSym(inner(vfs), handle, symbol);
}
void vfs_dl_close(sqlite3_vfs* vfs, void* handle) { inner(vfs)->xDlClose(inner(vfs), handle); }
int vfs_randomness(sqlite3_vfs* vfs, int size, char* out) { return inner(vfs)->xRandomness(inner(vfs), size, out); }
int vfs_sleep(sqlite3_vfs* vfs, int microseconds) { return inner(vfs)->xSleep(inner(vfs), microseconds); }
int vfs_current_time(sqlite3_vfs* vfs, double* out) { return inner(vfs)->xCurrentTime(inner(vfs), out); }
int vfs_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
  return inner(vfs)->xGetLastError(inner(vfs), size, out);
}
int vfs_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return inner(vfs)->xCurrentTimeInt64(inner(vfs), out);
}

sqlite3_vfs layered_vfs{};
std::once_flag registered;

void register_vfs() {
  configure_library();
  sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
  // Version 2 gives xCurrentTimeInt64, which SQLite prefers; the system-call hooks of version 3
  // are for tests of SQLite itself and stay the default VFS's.
  if (base == nullptr || base->iVersion < 2) throw std::runtime_error("SQLite has no usable default VFS");
  layered_vfs.iVersion = 2;
  layered_vfs.szOsFile = static_cast<int>(inner_offset) + base->szOsFile;
  layered_vfs.mxPathname = base->mxPathname;
  layered_vfs.zName = vfs_name;
  layered_vfs.pAppData = base;
  layered_vfs.xOpen = vfs_open;
  layered_vfs.xDelete = vfs_delete;
  layered_vfs.xAccess = vfs_access;
  layered_vfs.xFullPathname = vfs_full_pathname;
  layered_vfs.xDlOpen = vfs_dl_open;
  layered_vfs.xDlError = vfs_dl_error;
  layered_vfs.xDlSym = vfs_dl_sym;
  layered_vfs.xDlClose = vfs_dl_close;
  layered_vfs.xRandomness = vfs_randomness;
  layered_vfs.xSleep = vfs_sleep;
  layered_vfs.xCurrentTime = vfs_current_time;
  layered_vfs.xGetLastError = vfs_get_last_error;
  layered_vfs.xCurrentTimeInt64 = vfs_current_time_int64;
  if (const int rc = sqlite3_vfs_register(&layered_vfs, 0); rc != SQLITE_OK)
    throw std::runtime_error(std::string("cannot register the SQLite VFS: ") + sqlite3_errstr(rc));
}

}  // namespace

const char* coalescing_vfs() {
  std::call_once(registered, register_vfs);
  return vfs_name;
}

coalescing_counts coalescing_vfs_counts() noexcept {
  return {writes_asked.load(std::memory_order_relaxed), writes_made.load(std::memory_order_relaxed)};
}

}  // namespace kelisim::store::sqlite
