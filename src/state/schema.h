#pragma once
// Versioned schema of the state database (PRAGMA user_version).
#include <SQLiteCpp/SQLiteCpp.h>

#include <string>

namespace intake::state {

int latest_schema_version();
/// Brings the database up to the latest version, one transaction per step.
void migrate(SQLite::Database& db, const std::string& path);

}  // namespace intake::state
