#include "state/state.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "base/errors.h"
#include "state/schema.h"
#include "state/state_impl.h"

namespace intake::state {
namespace {

std::string_view outcome_text(Outcome o) {
    switch (o) {
        case Outcome::filed:
            return "filed";
        case Outcome::failed:
            return "failed";
        case Outcome::bounce:
            return "bounce";
        case Outcome::duplicate:
            break;
    }
    return "duplicate";
}

Outcome outcome_from(const std::string& s) {
    if (s == "filed") return Outcome::filed;
    if (s == "failed") return Outcome::failed;
    if (s == "bounce") return Outcome::bounce;
    return Outcome::duplicate;
}

record::Application parse_record(const std::string& text) {
    return record::from_json(nlohmann::ordered_json::parse(text));
}

std::optional<record::Application> find_record(Statements& statements, const std::string& id) {
    const auto q = statements.use("SELECT record FROM applications WHERE id = ?");
    q->bind(1, id);
    if (!q->executeStep()) return std::nullopt;
    return parse_record(q->getColumn(0).getString());
}

void insert_filing(Statements& statements, const Filing& f, Clock::time_point now) {
    const std::string id = f.application ? f.application->id : f.failed_id;
    const auto handled =
        statements.use("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?, ?, ?)");
    handled->bind(1, f.message.mailbox);
    handled->bind(2, static_cast<std::int64_t>(f.message.uid_validity));
    handled->bind(3, static_cast<std::int64_t>(f.message.uid));
    handled->bind(4, std::string(outcome_text(f.outcome)));
    handled->bind(5, id);
    handled->bind(6, to_seconds(now));
    handled->exec();
    if (f.application) {
        const auto& app = *f.application;
        const auto key = statements.use("INSERT OR IGNORE INTO message_keys VALUES (?, ?, ?)");
        key->bind(1, f.organisation);
        key->bind(2, f.message_key);
        key->bind(3, app.id);
        key->exec();
        const auto insert = statements.use(
            "INSERT OR REPLACE INTO applications VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insert->bind(1, app.id);
        insert->bind(2, app.organisation);
        insert->bind(3, app.posting);
        insert->bind(4, app.applicant.email);
        insert->bind(5, f.content_key);
        insert->bind(6, app.received_at);
        insert->bind(7, to_seconds(now));
        insert->bind(8, app.acknowledgement.status);
        insert->bind(9, f.record.empty() ? record::to_text(app) : f.record);
        insert->bind(10, record::to_text(record::index_row(app)));
        insert->exec();
    }
    if (f.reply) {
        const auto queue = statements.use(
            "INSERT INTO outbox (application_id, smtp, mail_from, rcpt, "
            "data, status, created_at, next_attempt_at) "
            "VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)");
        queue->bind(
            1, f.application ? f.application->id : std::string(kFailedNoticePrefix) + f.failed_id);
        queue->bind(2, f.reply->smtp);
        queue->bind(3, f.reply->mail_from);
        queue->bind(4, f.reply->rcpt);
        queue->bind(5, f.reply->data.data(), static_cast<int>(f.reply->data.size()));
        queue->bind(6, to_seconds(now));
        queue->bind(7, to_seconds(now));
        queue->exec();
    }
}

void insert_seen_again(Statements& statements, const SeenAgain& s, Clock::time_point now) {
    const auto q =
        statements.use("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, 'duplicate', ?, ?)");
    q->bind(1, s.message.mailbox);
    q->bind(2, static_cast<std::int64_t>(s.message.uid_validity));
    q->bind(3, static_cast<std::int64_t>(s.message.uid));
    q->bind(4, s.application_id);
    q->bind(5, to_seconds(now));
    q->exec();
}

/// Inside the caller's transaction: the acknowledgement status in the application's
/// row and record; an application that is gone (erased) is left so.
void update_ack(Statements& statements, const std::string& application_id,
                const std::string& status, const std::optional<std::string>& reason) {
    const auto read = statements.use("SELECT record FROM applications WHERE id = ?");
    read->bind(1, application_id);
    if (!read->executeStep()) return;  // erased meanwhile
    const std::string record =
        record::with_acknowledgement(read->getColumn(0).getString(), status, reason);
    const auto write =
        statements.use("UPDATE applications SET ack_status = ?, record = ? WHERE id = ?");
    write->bind(1, status);
    write->bind(2, record);
    write->bind(3, application_id);
    write->exec();
}

/// The final status of an outbox reply, in its application.
void update_ack_of_reply(Statements& statements, std::int64_t outbox_id,
                         const std::string& status) {
    const auto q = statements.use("SELECT application_id FROM outbox WHERE id = ?");
    q->bind(1, outbox_id);
    if (!q->executeStep()) return;
    update_ack(statements, q->getColumn(0).getString(), status, std::nullopt);
}

}  // namespace

namespace {

/// What the admin can do about a database that would not open.
std::string open_hint(int code) {
    switch (code & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return "another process holds it locked (a second intake, or a backup tool); stop "
                   "it and start again";
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
            return "the file is damaged: restore intake.sqlite from a backup (intake never "
                   "starts afresh on its own, since a new database would file and answer "
                   "every message still in the inboxes again)";
        case SQLITE_FULL:
        case SQLITE_IOERR:
            return "check free space and the disk under storage.state_dir";
        default:
            return "check storage.state_dir and that the intake user may write there";
    }
}

}  // namespace

StateDb::StateDb(const std::filesystem::path& state_dir) {
    std::error_code error;
    std::filesystem::create_directories(state_dir, error);
    const std::filesystem::path path = state_dir / "intake.sqlite";
    const std::string file = path.string();
    // SQLite takes an empty file for a new database: after a disk accident that
    // would silently start afresh, so an empty file is refused like a damaged one.
    if (std::filesystem::exists(path, error) && std::filesystem::file_size(path, error) == 0 &&
        !error) {
        throw ConfigError("the state database " + file + " is an empty file",
                          open_hint(SQLITE_NOTADB) +
                              "; delete the empty file only if this is a "
                              "first start");
    }
    try {
        impl_ = std::make_unique<Impl>(file);
    } catch (const SQLite::Exception& e) {
        throw ConfigError("cannot open the state database " + file + ": " + e.what(),
                          open_hint(e.getErrorCode()));
    }
}

StateDb::~StateDb() = default;

std::unique_ptr<StateDb> StateDb::another_connection() const {
    return std::make_unique<StateDb>(std::filesystem::path(impl_->path).parent_path());
}

std::optional<Handled> StateDb::find_handled(const MessageRef& m) {
    return guarded(impl_->path, "find handled message", [&]() -> std::optional<Handled> {
        const auto q = impl_->statements.use(
            "SELECT outcome, application_id FROM messages "
            "WHERE mailbox = ? AND uid_validity = ? AND uid = ?");
        q->bind(1, m.mailbox);
        q->bind(2, static_cast<std::int64_t>(m.uid_validity));
        q->bind(3, static_cast<std::int64_t>(m.uid));
        if (!q->executeStep()) return std::nullopt;
        return Handled{outcome_from(q->getColumn(0).getString()), q->getColumn(1).getString()};
    });
}

std::optional<std::string> StateDb::find_by_message_key(const std::string& organisation,
                                                        const std::string& key) {
    return guarded(impl_->path, "find message key", [&]() -> std::optional<std::string> {
        const auto q = impl_->statements.use(
            "SELECT application_id FROM message_keys "
            "WHERE organisation = ? AND message_key = ?");
        q->bind(1, organisation);
        q->bind(2, key);
        if (!q->executeStep()) return std::nullopt;
        return q->getColumn(0).getString();
    });
}

std::optional<std::string> StateDb::find_by_content_key(const std::string& organisation,
                                                        const std::string& key) {
    return guarded(impl_->path, "find content key", [&]() -> std::optional<std::string> {
        const auto q = impl_->statements.use(
            "SELECT id FROM applications WHERE organisation = ? AND content_key = ? "
            "ORDER BY handled_at, id LIMIT 1");
        q->bind(1, organisation);
        q->bind(2, key);
        if (!q->executeStep()) return std::nullopt;
        return q->getColumn(0).getString();
    });
}

bool StateDb::acknowledged_since(const std::string& organisation, const std::string& email,
                                 const std::string& posting, Clock::time_point since) {
    return guarded(impl_->path, "check reply rate", [&] {
        const auto q = impl_->statements.use(
            "SELECT 1 FROM applications WHERE organisation = ? AND email = ? "
            "AND posting = ? AND handled_at >= ? "
            "AND ack_status IN ('queued', 'sent') LIMIT 1");
        q->bind(1, organisation);
        q->bind(2, email);
        q->bind(3, posting);
        q->bind(4, to_seconds(since));
        return q->executeStep();
    });
}

namespace {

/// Is there an outbox row from `mail_from` to `rcpt` created since then that the SQL
/// condition `which` selects?
bool outbox_has(Statements& statements, const char* which, const std::string& mail_from,
                const std::string& rcpt, Clock::time_point since) {
    const auto q =
        statements.use(std::string("SELECT 1 FROM outbox WHERE rcpt = ? AND created_at >= ? "
                                   "AND mail_from = ? AND ") +
                       which + " LIMIT 1");
    q->bind(1, rcpt);
    q->bind(2, to_seconds(since));
    q->bind(3, mail_from);
    return q->executeStep();
}

}  // namespace

bool StateDb::replied_since(const std::string& mail_from, const std::string& rcpt,
                            Clock::time_point since) {
    return guarded(impl_->path, "check reply rate", [&] {
        return outbox_has(impl_->statements, "status != 'failed'", mail_from, rcpt, since);
    });
}

bool StateDb::notified_since(const std::string& mail_from, const std::string& rcpt,
                             Clock::time_point since) {
    return guarded(impl_->path, "check notice rate", [&] {
        return outbox_has(impl_->statements, "substr(application_id, 1, 8) = '_failed/'", mail_from,
                          rcpt, since);
    });
}

void StateDb::commit_filing(const Filing& f, Clock::time_point now) {
    commit_filings({f}, {}, now);
}

void StateDb::commit_filings(const std::vector<Filing>& filings,
                             const std::vector<SeenAgain>& seen_again, Clock::time_point now) {
    if (filings.empty() && seen_again.empty()) return;
    guarded(impl_->path, "commit a filing", [&] {
        SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        for (const Filing& f : filings) insert_filing(impl_->statements, f, now);
        for (const SeenAgain& s : seen_again) insert_seen_again(impl_->statements, s, now);
        tx.commit();
    });
}

void StateDb::record_seen_again(const MessageRef& m, const std::string& application_id,
                                Clock::time_point now) {
    guarded(impl_->path, "record a message seen again", [&] {
        insert_seen_again(impl_->statements, SeenAgain{m, application_id}, now);
    });
}

void StateDb::each_index_row(const std::string& organisation, const std::string& posting,
                             const std::function<void(const record::IndexRow&)>& visit) {
    guarded(impl_->path, "list applications", [&] {
        const auto q = impl_->statements.use(
            "SELECT index_row, ack_status, id FROM applications "
            "WHERE organisation = ? AND posting = ? ORDER BY received_at, id");
        q->bind(1, organisation);
        q->bind(2, posting);
        while (q->executeStep()) {
            std::optional<record::IndexRow> row;
            if (!q->getColumn(0).isNull()) {
                row = record::index_row_from_text(q->getColumn(0).getString(),
                                                  q->getColumn(1).getString());
            }
            if (!row) {  // kept before rows were (schema v4): made from the record
                const auto app = find_record(impl_->statements, q->getColumn(2).getString());
                if (!app) continue;  // erased by another process meanwhile
                row = record::index_row(*app);
            }
            visit(*row);
        }
    });
}

std::optional<record::Application> StateDb::application(const std::string& id) {
    return guarded(impl_->path, "read an application",
                   [&] { return find_record(impl_->statements, id); });
}

std::optional<StateDb::RecordText> StateDb::record_text(const std::string& id) {
    return guarded(impl_->path, "read an application", [&]() -> std::optional<RecordText> {
        const auto q = impl_->statements.use(
            "SELECT organisation, posting, record FROM applications WHERE id = ?");
        q->bind(1, id);
        if (!q->executeStep()) return std::nullopt;
        return RecordText{q->getColumn(0).getString(), q->getColumn(1).getString(),
                          q->getColumn(2).getString()};
    });
}

std::vector<StateDb::PostingCount> StateDb::postings_with_applications() {
    return guarded(impl_->path, "list postings", [&] {
        const auto q = impl_->statements.use(
            "SELECT organisation, posting, COUNT(*) FROM applications GROUP BY 1, 2 ORDER BY 1, 2");
        std::vector<PostingCount> out;
        while (q->executeStep()) {
            out.push_back({q->getColumn(0).getString(), q->getColumn(1).getString(),
                           q->getColumn(2).getInt64()});
        }
        return out;
    });
}

std::vector<OutboxItem> StateDb::due_replies(Clock::time_point now, int limit) {
    return guarded(impl_->path, "read the outbox", [&] {
        const auto q = impl_->statements.use(
            "SELECT id, application_id, smtp, mail_from, rcpt, data, attempts, "
            "created_at FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at, id LIMIT ?");
        q->bind(1, to_seconds(now));
        q->bind(2, limit);
        std::vector<OutboxItem> items;
        while (q->executeStep()) {
            OutboxItem item;
            item.id = q->getColumn(0).getInt64();
            item.application_id = q->getColumn(1).getString();
            item.reply = {q->getColumn(2).getString(), q->getColumn(3).getString(),
                          q->getColumn(4).getString(), q->getColumn(5).getString()};
            item.attempts = q->getColumn(6).getInt();
            item.created_at = from_seconds(q->getColumn(7).getInt64());
            items.push_back(std::move(item));
        }
        return items;
    });
}

void StateDb::mark_sent(std::int64_t id, Clock::time_point now) {
    guarded(impl_->path, "mark a reply sent", [&] {
        // With the application's record in the same transaction: one sync of the
        // database per reply, and never a reply sent whose record says queued.
        SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        const auto q = impl_->statements.use(
            "UPDATE outbox SET status = 'sent', attempts = attempts + 1, "
            "next_attempt_at = ?, last_error = NULL WHERE id = ?");
        q->bind(1, to_seconds(now));
        q->bind(2, id);
        q->exec();
        update_ack_of_reply(impl_->statements, id, "sent");
        tx.commit();
    });
}

void StateDb::mark_retry(std::int64_t id, Clock::time_point next_attempt,
                         const std::string& error) {
    guarded(impl_->path, "reschedule a reply", [&] {
        const auto q = impl_->statements.use(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, "
            "last_error = ? WHERE id = ?");
        q->bind(1, to_seconds(next_attempt));
        q->bind(2, error);
        q->bind(3, id);
        q->exec();
    });
}

void StateDb::mark_failed(std::int64_t id, const std::string& error) {
    guarded(impl_->path, "mark a reply failed", [&] {
        SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        const auto q = impl_->statements.use(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, "
            "last_error = ? WHERE id = ?");
        q->bind(1, error);
        q->bind(2, id);
        q->exec();
        update_ack_of_reply(impl_->statements, id, "failed");
        tx.commit();
    });
}

void StateDb::set_ack_status(const std::string& application_id, const std::string& status,
                             const std::optional<std::string>& reason) {
    guarded(impl_->path, "update an acknowledgement", [&] {
        SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        update_ack(impl_->statements, application_id, status, reason);
        tx.commit();
    });
}

void StateDb::record_bounce(const MessageRef& m, const std::string& application_id,
                            const std::string& reason, Clock::time_point now) {
    guarded(impl_->path, "record a bounce", [&] {
        SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        update_ack(impl_->statements, application_id, "bounced", reason);
        const auto q = impl_->statements.use(
            "INSERT OR REPLACE INTO messages VALUES (?, ?, ?, 'bounce', ?, ?)");
        q->bind(1, m.mailbox);
        q->bind(2, static_cast<std::int64_t>(m.uid_validity));
        q->bind(3, static_cast<std::int64_t>(m.uid));
        q->bind(4, application_id);
        q->bind(5, to_seconds(now));
        q->exec();
        tx.commit();
    });
}

Counts StateDb::counts() {
    return guarded(impl_->path, "count", [&] {
        Counts c;
        auto count = [&](const char* sql) { return impl_->db.execAndGet(sql).getInt64(); };
        c.handled = count("SELECT COUNT(*) FROM messages");
        c.filed = count("SELECT COUNT(*) FROM messages WHERE outcome = 'filed'");
        c.failed = count("SELECT COUNT(*) FROM messages WHERE outcome = 'failed'");
        c.duplicates = count("SELECT COUNT(*) FROM messages WHERE outcome = 'duplicate'");
        c.outbox_queued = count("SELECT COUNT(*) FROM outbox WHERE status = 'queued'");
        c.outbox_sent = count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'");
        c.outbox_failed = count("SELECT COUNT(*) FROM outbox WHERE status = 'failed'");
        const SQLite::Column oldest =
            impl_->db.execAndGet("SELECT MIN(created_at) FROM outbox WHERE status = 'queued'");
        if (!oldest.isNull()) c.oldest_queued_at = from_seconds(oldest.getInt64());
        return c;
    });
}

int StateDb::schema_version() {
    return guarded(impl_->path, "read the schema version",
                   [&] { return impl_->db.execAndGet("PRAGMA user_version").getInt(); });
}

}  // namespace intake::state
