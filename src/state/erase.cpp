// Erasure of applications from the state database (intake forget, intake purge,
// the daemon's daily purge). An erased application leaves no personal data
// behind in the database: its row, its replies (their text names the
// applicant) and its Message-ID key go; the handled-message rows of its server
// messages stay, scrubbed, so that the message still sitting in the processed
// folder is never filed and acknowledged again.
#include "state/state_impl.h"

namespace intake::state {
namespace {

/// What a scrubbed handled-message row points to instead of the application id,
/// which carries the applicant's name.
constexpr const char* kErased = "erased";

std::vector<ApplicationRef> read_refs(SQLite::Statement& q) {
    std::vector<ApplicationRef> out;
    while (q.executeStep()) {
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                       q.getColumn(2).getString(), q.getColumn(3).getString()});
    }
    return out;
}

constexpr const char* kSelectRefs =
    "SELECT id, organisation, posting, received_at FROM applications ";

std::int64_t run(SQLite::Database& db, const char* sql, const std::string& id) {
    SQLite::Statement q(db, sql);
    q.bind(1, id);
    return q.exec();
}

}  // namespace

std::vector<ApplicationRef> StateDb::applications_from(const std::string& email) {
    return guarded(impl_->path, "find an applicant's applications", [&] {
        // lower() folds ASCII only, which is what addresses are written in; the
        // index on email cannot serve a folded match, a scan is fine for a rare command.
        SQLite::Statement q(
            impl_->db,
            std::string(kSelectRefs) + "WHERE lower(email) = lower(?) ORDER BY received_at, id");
        q.bind(1, email);
        return read_refs(q);
    });
}

std::vector<ApplicationRef> StateDb::applications_received_before(const std::string& utc) {
    return guarded(impl_->path, "find old applications", [&] {
        // received_at is always written as YYYY-MM-DDTHH:MM:SSZ, so text order is time order.
        SQLite::Statement q(
            impl_->db, std::string(kSelectRefs) + "WHERE received_at < ? ORDER BY received_at, id");
        q.bind(1, utc);
        return read_refs(q);
    });
}

std::vector<ApplicationRef> StateDb::applications_of_posting(const std::string& organisation,
                                                             const std::string& posting) {
    return guarded(impl_->path, "list a posting's applications", [&] {
        SQLite::Statement q(impl_->db,
                            std::string(kSelectRefs) +
                                "WHERE organisation = ? AND posting = ? ORDER BY received_at, id");
        q.bind(1, organisation);
        q.bind(2, posting);
        return read_refs(q);
    });
}

ErasedRows StateDb::erase_applications(const std::vector<std::string>& ids) {
    ErasedRows erased;
    if (ids.empty()) return erased;
    guarded(impl_->path, "erase applications", [&] {
        SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        auto& db = impl_->db;
        for (const auto& id : ids) {
            erased.replies_queued +=
                run(db, "DELETE FROM outbox WHERE application_id = ? AND status = 'queued'", id);
            erased.replies_other += run(db, "DELETE FROM outbox WHERE application_id = ?", id);
            SQLite::Statement scrub(db,
                                    "UPDATE messages SET application_id = ? "
                                    "WHERE application_id = ?");
            scrub.bind(1, kErased);
            scrub.bind(2, id);
            erased.messages_scrubbed += scrub.exec();
            erased.message_keys += run(db, "DELETE FROM message_keys WHERE application_id = ?", id);
            erased.applications += run(db, "DELETE FROM applications WHERE id = ?", id);
        }
        tx.commit();
    });
    // The old pages stay in the WAL until a checkpoint copies the new ones over
    // them; truncate it now. A reader (the daemon) may keep it from finishing:
    // then the next checkpoint does it, which SQLite runs on its own soon.
    try {
        impl_->db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const SQLite::Exception&) {
        // Best effort by design (see above); the erasure itself is committed.
    }
    return erased;
}

}  // namespace intake::state
