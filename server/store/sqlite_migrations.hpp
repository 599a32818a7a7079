#pragma once
// The SQLite schema as an ordered list of forward migrations. A database records the last one
// applied in schema_version; start-up applies the rest in one transaction. Never edit a
// migration that has shipped: append a new one.
#include <span>
#include <string_view>

namespace kelisim::store {

struct sqlite_migration {
  int version;           // 1, 2, 3, ... in order
  std::string_view sql;  // one or more statements
};

std::span<const sqlite_migration> sqlite_migrations() noexcept;

// The version a database has after every migration ran.
int latest_sqlite_schema_version() noexcept;

}  // namespace kelisim::store
