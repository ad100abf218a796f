#pragma once
// Private to src/state: the open database, shared by state.cpp (filing and the
// outbox), stats.cpp (intake status) and erase.cpp (intake forget / purge).
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/errors.h"
#include "state/schema.h"
#include "state/state.h"

namespace intake::state {

inline std::int64_t to_seconds(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

inline Clock::time_point from_seconds(std::int64_t s) {
    return Clock::time_point(std::chrono::seconds(s));
}

/// The statements of the daemon's calls, each prepared once for the life of the
/// connection: for the small lookups of every message, SQLite took longer to
/// prepare a statement than to run it. A statement is reset when the handle
/// that use() gave goes, so no read stays open from one call to the next.
class Statements {
public:
    explicit Statements(SQLite::Database& db) : db_(db) {}

    class InUse {
    public:
        InUse(SQLite::Statement& cached, bool& busy) : statement_(&cached), busy_(&busy) {
            busy = true;
        }
        explicit InUse(std::unique_ptr<SQLite::Statement> own)
            : own_(std::move(own)), statement_(own_.get()) {}
        ~InUse() {
            statement_->tryReset();  // its error, if any, was thrown by the step
            if (busy_ != nullptr) *busy_ = false;
        }
        InUse(const InUse&) = delete;
        InUse& operator=(const InUse&) = delete;

        SQLite::Statement* operator->() const { return statement_; }

    private:
        std::unique_ptr<SQLite::Statement> own_;
        SQLite::Statement* statement_ = nullptr;
        bool* busy_ = nullptr;
    };

    /// The statement for `sql`, ready to bind; one of its own when the kept one is
    /// in use further up the call (a visitor calling back).
    InUse use(const std::string& sql) {
        Kept& kept = kept_[sql];
        // A failed prepare (a lock that outlasted the busy timeout) leaves the
        // entry empty, to be prepared again at the next call.
        if (!kept.statement) kept.statement = std::make_unique<SQLite::Statement>(db_, sql);
        if (kept.busy) return InUse(std::make_unique<SQLite::Statement>(db_, sql));
        kept.statement->clearBindings();  // nothing of the last call's values is kept
        return InUse(*kept.statement, kept.busy);
    }

private:
    struct Kept {
        std::unique_ptr<SQLite::Statement> statement;
        bool busy = false;
    };
    SQLite::Database& db_;
    std::unordered_map<std::string, Kept> kept_;
};

struct StateDb::Impl {
    std::string path;
    SQLite::Database db;
    Statements statements{db};  // after db: finalized before it closes

    explicit Impl(const std::string& file)
        : path(file),
          db(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX) {
        // The daemon and an admin's command (status, forget, purge) use the file at
        // once: wait for a brief lock instead of failing. Set first, so even
        // switching to WAL waits for a writer instead of failing.
        db.setBusyTimeout(10000);
        // WAL: readers (intake status) never block the daemon; FULL sync: a
        // committed filing survives a power cut, as the guarantees need.
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA synchronous = FULL");
        db.exec("PRAGMA foreign_keys = ON");
        // Erased applications must not linger in free pages of the file.
        db.exec("PRAGMA secure_delete = ON");
        // 512 KiB of page cache, not SQLite's 2 MB: the daemon's lookups are a few
        // index pages per message, and the default made its memory grow with
        // the database (issue 13: flat from 100 to 5,000 messages).
        db.exec("PRAGMA cache_size = -512");
        migrate(db, path);
    }
};

/// Maps SQLite failures to what the caller must do.
template <typename Fn>
auto guarded(const std::string& path, const char* action, Fn&& fn) {
    try {
        return fn();
    } catch (const SQLite::Exception& e) {
        const int code = e.getErrorCode();
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
            throw TransientError(
                std::string("state database ") + path + ": " + action + ": " + e.what(),
                "another process holds it locked (a second intake, or a backup tool); stop it");
        }
        if (code == SQLITE_FULL || code == SQLITE_IOERR) {
            throw TransientError(
                std::string("state database ") + path + ": " + action + ": " + e.what(),
                "check free space and the disk under storage.state_dir");
        }
        throw InternalError(std::string("state database ") + path + ": " + action + ": " + e.what(),
                            "keep a copy of the database and report this");
    }
}

}  // namespace intake::state
