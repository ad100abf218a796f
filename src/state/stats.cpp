// What `intake status` reads: each mailbox's last pass (recorded by the daemon
// after every pass) with its handled and set-aside counts, and each posting's
// applications by deadline status.
#include <map>

#include "state/state_impl.h"

namespace intake::state {

void StateDb::record_poll(const std::string& mailbox, Clock::time_point at,
                          const std::optional<std::string>& error) {
    guarded(impl_->path, "record a mailbox pass", [&] {
        // The last error is kept after a good pass: "failed at 03:00, fine since"
        // is what an admin looking at status wants to see.
        SQLite::Statement q(impl_->db,
                            "INSERT INTO mailbox_polls (mailbox, last_poll_at, last_poll_ok, "
                            "last_error, last_error_at) VALUES (?1, ?2, ?3, ?4, "
                            "CASE WHEN ?4 IS NULL THEN NULL ELSE ?2 END) "
                            "ON CONFLICT (mailbox) DO UPDATE SET last_poll_at = ?2, "
                            "last_poll_ok = ?3, "
                            "last_error = COALESCE(?4, last_error), "
                            "last_error_at = CASE WHEN ?4 IS NULL THEN last_error_at ELSE ?2 END");
        q.bind(1, mailbox);
        q.bind(2, to_seconds(at));
        q.bind(3, error ? 0 : 1);
        if (error)
            q.bind(4, *error);
        else
            q.bind(4);
        q.exec();
    });
}

std::vector<MailboxStats> StateDb::mailbox_stats() {
    return guarded(impl_->path, "read mailbox statistics", [&] {
        std::map<std::string, MailboxStats> by_name;
        SQLite::Statement counts(impl_->db,
                                 "SELECT mailbox, COUNT(*), SUM(outcome = 'failed') FROM messages "
                                 "GROUP BY mailbox");
        while (counts.executeStep()) {
            auto& m = by_name[counts.getColumn(0).getString()];
            m.handled = counts.getColumn(1).getInt64();
            m.set_aside = counts.getColumn(2).getInt64();
        }
        SQLite::Statement polls(impl_->db,
                                "SELECT mailbox, last_poll_at, last_poll_ok, last_error, "
                                "last_error_at FROM mailbox_polls");
        while (polls.executeStep()) {
            auto& m = by_name[polls.getColumn(0).getString()];
            m.last_poll_at = from_seconds(polls.getColumn(1).getInt64());
            m.last_poll_ok = polls.getColumn(2).getInt() != 0;
            if (!polls.getColumn(3).isNull()) m.last_error = polls.getColumn(3).getString();
            if (!polls.getColumn(4).isNull())
                m.last_error_at = from_seconds(polls.getColumn(4).getInt64());
        }
        std::vector<MailboxStats> out;
        for (auto& [name, stats] : by_name) {
            stats.mailbox = name;
            out.push_back(std::move(stats));
        }
        return out;
    });
}

std::vector<PostingStats> StateDb::posting_stats() {
    return guarded(impl_->path, "read posting statistics", [&] {
        // The deadline status lives only in the record (application.json).
        SQLite::Statement q(
            impl_->db,
            "SELECT organisation, posting, COUNT(*), "
            "SUM(json_extract(record, '$.deadline.status') = 'on_time'), "
            "SUM(json_extract(record, '$.deadline.status') = 'late'), "
            "SUM(json_extract(record, '$.deadline.status') = 'none') "
            "FROM applications GROUP BY organisation, posting ORDER BY organisation, posting");
        std::vector<PostingStats> out;
        while (q.executeStep()) {
            out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                           q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                           q.getColumn(4).getInt64(), q.getColumn(5).getInt64()});
        }
        return out;
    });
}

}  // namespace intake::state
