#include "state/schema.h"

#include <array>
#include <string>

#include "base/errors.h"

namespace intake::state {
namespace {

// Each entry migrates from version i to i + 1. Never edit a released step:
// append a new one, so every older database reaches the same schema.
constexpr std::array<const char*, 4> kMigrations = {
    R"sql(
    CREATE TABLE messages (
        mailbox        TEXT    NOT NULL,
        uid_validity   INTEGER NOT NULL,
        uid            INTEGER NOT NULL,
        outcome        TEXT    NOT NULL,   -- filed, failed, duplicate
        application_id TEXT    NOT NULL,
        handled_at     INTEGER NOT NULL,
        PRIMARY KEY (mailbox, uid_validity, uid)
    );
    CREATE TABLE message_keys (
        organisation   TEXT NOT NULL,
        message_key    TEXT NOT NULL,
        application_id TEXT NOT NULL,
        PRIMARY KEY (organisation, message_key)
    );
    CREATE TABLE applications (
        id           TEXT PRIMARY KEY,
        organisation TEXT    NOT NULL,
        posting      TEXT    NOT NULL,
        email        TEXT    NOT NULL,
        content_key  TEXT    NOT NULL,
        received_at  TEXT    NOT NULL,
        handled_at   INTEGER NOT NULL,
        ack_status   TEXT    NOT NULL,
        record       TEXT    NOT NULL      -- application.json
    );
    CREATE INDEX applications_by_posting ON applications (organisation, posting);
    CREATE INDEX applications_by_email ON applications (email);
    CREATE INDEX applications_by_content ON applications (organisation, content_key);
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        application_id  TEXT    NOT NULL,
        smtp            TEXT    NOT NULL,
        mail_from       TEXT    NOT NULL,
        rcpt            TEXT    NOT NULL,
        data            BLOB    NOT NULL,
        status          TEXT    NOT NULL,  -- queued, sent, failed
        attempts        INTEGER NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT
    );
    CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
    )sql",
    // 2: the outcome of each mailbox's last pass, for `intake status`; and an
    // index for erasing one application's replies (intake forget / purge).
    R"sql(
    CREATE TABLE mailbox_polls (
        mailbox       TEXT PRIMARY KEY,
        last_poll_at  INTEGER NOT NULL,
        last_poll_ok  INTEGER NOT NULL,   -- 1: the pass went to the end
        last_error    TEXT,               -- the most recent error, kept after a good pass
        last_error_at INTEGER
    );
    CREATE INDEX outbox_by_application ON outbox (application_id);
    CREATE INDEX messages_by_application ON messages (application_id);
    )sql",
    // v3: the reply rate is asked of the outbox per message: by recipient, not a scan.
    R"sql(
    CREATE INDEX outbox_by_rcpt ON outbox (rcpt, created_at);
    )sql",
    // v4: each application's CSV row (record::IndexRow as text), so a posting's CSV
    // is rewritten without parsing every record; NULL for rows kept before.
    R"sql(
    ALTER TABLE applications ADD COLUMN index_row TEXT;
    )sql",
};

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

void migrate(SQLite::Database& db, const std::string& path) {
    const int version = db.execAndGet("PRAGMA user_version").getInt();
    if (version > latest_schema_version()) {
        throw ConfigError("state database " + path + " has schema version " +
                              std::to_string(version) + ", newer than this intake (" +
                              std::to_string(latest_schema_version()) + ")",
                          "run the newer intake, or restore a backup of the database");
    }
    for (int v = version; v < latest_schema_version(); ++v) {
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        db.exec(kMigrations[static_cast<std::size_t>(v)]);
        db.exec("PRAGMA user_version = " + std::to_string(v + 1));
        tx.commit();
    }
}

}  // namespace intake::state
