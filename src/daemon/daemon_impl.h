#pragma once
// The daemon's private state, shared by daemon.cpp (passes) and run_loop.cpp.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "daemon/daemon.h"
#include "docs/docs.h"
#include "imap/imap.h"
#include "outbox/outbox.h"
#include "state/state.h"
#include "store/store.h"

namespace intake::daemon {

struct Daemon::Impl {
    std::shared_ptr<const config::Config> config;
    spdlog::logger& log;
    /// Started first (the program intake-reader): every document is read in a
    /// child of it.
    docs::ReaderService reader;
    std::unique_ptr<state::StateDb> db;
    /// One connection per mailbox, kept across passes.
    std::map<std::string, std::unique_ptr<imap::MailboxClient>> clients;
    /// Remembers the folders it made; files without fsync until a group's sync.
    store::Filer filer;

    Impl(std::shared_ptr<const config::Config> c, spdlog::logger& l);

    imap::MailboxClient& client_for(const config::Mailbox& mailbox);

    /// Handles every message waiting in these mailboxes, one batch of
    /// max_messages_per_pass per mailbox in turn, so that a full mailbox does not
    /// starve the others; stops between messages when `stop_requested` says so.
    void drain(const std::vector<const config::Mailbox*>& mailboxes, PassReport& report,
               const std::function<bool()>& stop_requested);
    /// One batch of one mailbox, skipping UIDs already attempted in this drain (a
    /// message the server would not let go must not be tried forever). Returns
    /// whether untried messages remain.
    bool poll_batch(const config::Mailbox& mailbox, PassReport& report,
                    const std::function<bool()>& stop_requested,
                    std::set<std::uint32_t>& attempted);
    /// Records the pass's end (and its error) for `intake status`.
    void note_pass(const config::Mailbox& mailbox, const std::optional<std::string>& error);
    /// The daily purge by the retention rules; a failure is logged, never fatal.
    void purge_by_retention_rules();
    /// Writes a reply's final status (already in the database) into the record;
    /// notes the posting whose CSV must change.
    void on_reply_final(const std::string& application_id,
                        std::set<std::pair<std::string, std::string>>& changed);

    /// One pass's replies: sent while the drain goes on (pump() between messages,
    /// so that the SMTP server's time overlaps the drain's) and after it (finish());
    /// each posting whose replies changed gets its CSV rewritten once, at the end.
    class PassReplies {
    public:
        explicit PassReplies(Impl& daemon);

        /// Between two messages: records what has been sent and starts what is due;
        /// never waits, never throws (finish() tries again what this could not).
        void pump() noexcept;
        /// After the drain: every reply still due, then the records and the CSVs.
        void finish(PassReport& report);

    private:
        Impl& daemon_;
        std::set<std::pair<std::string, std::string>> changed_;
        outbox::Courier courier_;
        bool pump_failed_ = false;
    };
};

}  // namespace intake::daemon
