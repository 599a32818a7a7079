#include "server/store/sqlite_db.hpp"

#include <limits>
#include <mutex>

namespace kelisim::store::sqlite {

void fail(sqlite3* db, int code, std::string_view context) {
  std::string message(context);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw error(code, message);
}

statement::statement(sqlite3* db, std::string_view sql) : db_(db) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) fail(db, rc, "prepare");
}

statement& statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

statement& statement::bind(int index, std::string_view text) {
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw error(SQLITE_TOOBIG, "bind: text too large");
  // SQLITE_TRANSIENT: SQLite copies, so the caller's string may go away before step().
  const int rc = sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

statement& statement::bind(int index, std::nullopt_t) {
  const int rc = sqlite3_bind_null(stmt_.get(), index);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

statement& statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind(index, std::nullopt);
}

statement& statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind(index, std::nullopt);
}

bool statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, "step");
}

void statement::run() {
  reset_guard guard(*this);
  while (step()) {
  }
}

void statement::reset() noexcept {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t statement::int64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

std::string statement::text(int column) const {
  const auto* data = sqlite3_column_text(stmt_.get(), column);
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  return data != nullptr ? std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size))
                         : std::string();
}

bool statement::is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }

void configure_library() noexcept {
  static std::once_flag configured;
  // SQLITE_MISUSE means SQLite was already initialised by someone else: it then keeps its
  // defaults, which are correct, only slower.
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

connection::connection(const std::filesystem::path& path, mode m, const char* vfs) : path_(path) {
  configure_library();
  const int flags = (m == mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
  db_.reset(raw);
  if (rc != SQLITE_OK) {
    const std::string reason = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    throw std::runtime_error("cannot open database " + path.string() + ": " + reason);
  }
  sqlite3_extended_result_codes(raw, 1);
}

void connection::exec(std::string_view sql) {
  const std::string copy(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_.get(), copy.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string reason = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw error(rc, reason);
  }
}

std::string connection::query_text(std::string_view sql) {
  statement s(db_.get(), sql);
  reset_guard guard(s);
  return s.step() ? s.text(0) : std::string();
}

statement& connection::prepared(std::string_view sql) {
  auto& slot = statements_[sql];
  if (!slot) slot = std::make_unique<statement>(db_.get(), sql);
  return *slot;
}

}  // namespace kelisim::store::sqlite
