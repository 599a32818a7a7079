#pragma once
// Internal to kelisim_store: small RAII wrappers over sqlite3* and sqlite3_stmt*.
// Included only by the store's .cpp files, so no SQLite type leaks into the public headers.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kelisim::store::sqlite {

// A failed SQLite call: the primary result code (e.g. SQLITE_CONSTRAINT) and SQLite's message.
class error : public std::runtime_error {
 public:
  error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }
  bool is_constraint() const noexcept { return (code_ & 0xff) == SQLITE_CONSTRAINT; }

 private:
  int code_;
};

class statement {
 public:
  statement(sqlite3* db, std::string_view sql);

  statement& bind(int index, std::int64_t value);
  statement& bind(int index, std::string_view text);
  statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  statement& bind(int index, std::nullopt_t);
  statement& bind(int index, const std::optional<std::string>& text);
  statement& bind(int index, const std::optional<std::int64_t>& value);

  // True while a row is available; false when done. Throws sqlite::error on failure.
  bool step();
  // Runs a statement that returns no rows (or whose rows are ignored) and resets it.
  void run();
  // Clears bindings and state so the statement can be reused; always safe to call.
  void reset() noexcept;

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  struct finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
  };
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, finalizer> stmt_;
};

// Resets a statement when leaving a scope, whatever happens.
class reset_guard {
 public:
  explicit reset_guard(statement& s) noexcept : s_(s) {}
  ~reset_guard() { s_.reset(); }
  reset_guard(const reset_guard&) = delete;
  reset_guard& operator=(const reset_guard&) = delete;

 private:
  statement& s_;
};

// Process-wide settings that must precede SQLite's first use; called before every open and VFS
// registration, acts once. Memory statistics are off: with them, every sqlite3_malloc and
// sqlite3_free takes one global mutex, which the writer thread paid per bound text and per row.
void configure_library() noexcept;

class connection {
 public:
  enum class mode { read_write_create, read_only };

  // Throws std::runtime_error("cannot open database PATH: REASON") if it cannot. `vfs` names an
  // SQLite VFS (null: the default one).
  connection(const std::filesystem::path& path, mode m, const char* vfs = nullptr);

  // Runs one or more statements without results.
  void exec(std::string_view sql);
  // The first column of the first row as text (for PRAGMAs that answer).
  std::string query_text(std::string_view sql);

  // A prepared statement kept for reuse, keyed by its SQL text (a string literal).
  statement& prepared(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const noexcept { return sqlite3_changes(db_.get()); }
  // True when no transaction is open (SQLite may end one by itself after an I/O error).
  bool autocommit() const noexcept { return sqlite3_get_autocommit(db_.get()) != 0; }

  sqlite3* handle() const noexcept { return db_.get(); }
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  struct closer {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
  };
  std::filesystem::path path_;
  std::unique_ptr<sqlite3, closer> db_;
  std::unordered_map<std::string_view, std::unique_ptr<statement>> statements_;
};

[[noreturn]] void fail(sqlite3* db, int code, std::string_view context);

}  // namespace kelisim::store::sqlite
