#pragma once
// The state database (SQLite, WAL): which server messages were handled, every
// application filed, and the reply outbox. It is the daemon's commit point: a
// message counts as handled only once commit_filing() has recorded it together
// with its application and its queued reply, in one transaction. Only this
// module sees SQLite. The schema is versioned; opening an older database
// migrates it, opening a newer one is refused.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record/application.h"

namespace intake::state {

using Clock = std::chrono::system_clock;

struct MessageRef {
    std::string mailbox;
    std::uint32_t uid_validity = 0;
    std::uint32_t uid = 0;
};

/// bounce: a delivery report about one of our replies, noted on its application.
enum class Outcome { filed, failed, duplicate, bounce };

struct Handled {
    Outcome outcome = Outcome::filed;
    std::string application_id;  ///< or the _failed folder id
};

struct QueuedReply {
    std::string smtp;       ///< name of the SMTP server
    std::string mail_from;  ///< envelope sender
    std::string rcpt;
    std::string data;  ///< the whole mail
};

/// Everything one handled message changes, committed at once.
struct Filing {
    MessageRef message;
    std::string organisation;
    std::string message_key;  ///< Message-ID, or sha256 of the raw bytes without one
    std::string content_key;  ///< sender + attachments: the same application sent again
    Outcome outcome = Outcome::filed;
    std::optional<record::Application> application;  ///< filed and duplicate outcomes
    std::string failed_id;                           ///< failed outcome
    std::optional<QueuedReply> reply;
    /// application.json as filed (record::to_text of `application`); made from
    /// `application` when empty.
    std::string record;
};

/// The outbox's application_id of a notice about a set-aside message, before its id.
inline constexpr std::string_view kFailedNoticePrefix = "_failed/";

/// A message already filed under another UID (UIDVALIDITY changed, or a copy).
struct SeenAgain {
    MessageRef message;
    std::string application_id;
};

struct OutboxItem {
    std::int64_t id = 0;
    std::string application_id;
    QueuedReply reply;
    int attempts = 0;
    Clock::time_point created_at;
};

struct Counts {
    std::int64_t handled = 0, filed = 0, failed = 0, duplicates = 0;
    std::int64_t outbox_queued = 0, outbox_sent = 0, outbox_failed = 0;
    std::optional<Clock::time_point> oldest_queued_at;  ///< the reply waiting longest
};

/// One mailbox as `intake status` shows it.
struct MailboxStats {
    std::string mailbox;
    std::int64_t handled = 0;    ///< messages handled (filed, duplicate, set aside)
    std::int64_t set_aside = 0;  ///< of which filed under _failed/
    std::optional<Clock::time_point> last_poll_at;
    bool last_poll_ok = false;
    std::optional<std::string> last_error;  ///< the most recent one, even after a good pass
    std::optional<Clock::time_point> last_error_at;
};

/// One posting's applications by deadline status (spec §6).
struct PostingStats {
    std::string organisation, posting;
    std::int64_t applications = 0, on_time = 0, late = 0, no_deadline = 0;
};

/// What erasure needs to know of an application, without reading its record.
struct ApplicationRef {
    std::string id, organisation, posting;
    std::string received_at;  ///< UTC, 2025-03-02T10:15:00Z
};

/// Rows erase_applications() removed or scrubbed.
struct ErasedRows {
    std::int64_t applications = 0;
    std::int64_t replies_queued = 0;  ///< replies that will now never be sent
    std::int64_t replies_other = 0;   ///< sent or failed replies (their text is personal data)
    std::int64_t messages_scrubbed = 0;
    std::int64_t message_keys = 0;
};

class StateDb {
public:
    /// Opens (creating and migrating) <dir>/intake.sqlite. Throws ConfigError
    /// when the folder is not writable, TransientError when the file is locked.
    explicit StateDb(const std::filesystem::path& state_dir);
    ~StateDb();
    StateDb(const StateDb&) = delete;
    StateDb& operator=(const StateDb&) = delete;
    /// A second connection to the same file, for another thread (one connection
    /// is used by one thread at a time): SQLite takes their writes one after the
    /// other, each waiting for the other's (the busy timeout).
    std::unique_ptr<StateDb> another_connection() const;

    std::optional<Handled> find_handled(const MessageRef& message);
    /// The application already filed for this Message-ID in this organisation.
    std::optional<std::string> find_by_message_key(const std::string& organisation,
                                                   const std::string& message_key);
    /// The first application filed with the same sender and attachments.
    std::optional<std::string> find_by_content_key(const std::string& organisation,
                                                   const std::string& content_key);
    /// Was an acknowledgement queued for this sender and posting since `since`?
    bool acknowledged_since(const std::string& organisation, const std::string& email,
                            const std::string& posting, Clock::time_point since);

    /// Was any reply (acknowledgement or notice) from `mail_from` queued for `rcpt`
    /// since `since`, whatever the posting? The per-sender brake against floods.
    bool replied_since(const std::string& mail_from, const std::string& rcpt,
                       Clock::time_point since);
    /// Was a notice about a set-aside message (too large) queued for `rcpt` since then?
    bool notified_since(const std::string& mail_from, const std::string& rcpt,
                        Clock::time_point since);

    /// The commit point of one message (see pipeline.cpp). A reply queued with a
    /// failed outcome (a notice) is filed in the outbox under "_failed/<failed_id>".
    void commit_filing(const Filing& filing, Clock::time_point now);
    /// The commit point of a group of messages (see batch.cpp): all of them in one
    /// transaction, so a group costs one sync of the database, not one per message.
    void commit_filings(const std::vector<Filing>& filings,
                        const std::vector<SeenAgain>& seen_again, Clock::time_point now);
    /// A message already filed under another UID (UIDVALIDITY changed, or a copy).
    void record_seen_again(const MessageRef& message, const std::string& application_id,
                           Clock::time_point now);

    /// The CSV row of each application of the posting, one at a time and in CSV
    /// order, with its current acknowledgement status: the row kept at filing, or,
    /// for an application filed before rows were kept, one made from its record.
    void each_index_row(const std::string& organisation, const std::string& posting,
                        const std::function<void(const record::IndexRow&)>& visit);
    std::optional<record::Application> application(const std::string& id);
    /// An application's record as kept (record::to_text), with where it is filed.
    struct RecordText {
        std::string organisation;
        std::string posting;
        std::string text;
    };
    std::optional<RecordText> record_text(const std::string& id);
    /// Postings that have applications, with how many.
    struct PostingCount {
        std::string organisation;
        std::string posting;
        std::int64_t applications = 0;
    };
    std::vector<PostingCount> postings_with_applications();

    // The outbox.
    std::vector<OutboxItem> due_replies(Clock::time_point now, int limit);
    /// Marks the reply sent, and its application's acknowledgement "sent", at once.
    void mark_sent(std::int64_t id, Clock::time_point now);
    void mark_retry(std::int64_t id, Clock::time_point next_attempt, const std::string& error);
    /// Marks the reply failed, and its application's acknowledgement "failed", at once.
    void mark_failed(std::int64_t id, const std::string& error);
    /// Updates the acknowledgement status in the stored record.
    void set_ack_status(const std::string& application_id, const std::string& status,
                        const std::optional<std::string>& reason);
    /// In one transaction: the application's acknowledgement becomes "bounced"
    /// (with the reason), and the bounce message is recorded as handled.
    void record_bounce(const MessageRef& message, const std::string& application_id,
                       const std::string& reason, Clock::time_point now);

    Counts counts();
    int schema_version();

    // intake status (stats.cpp).
    /// After each mailbox pass: when, and the error that ended it (nullopt: it went to the end).
    void record_poll(const std::string& mailbox, Clock::time_point at,
                     const std::optional<std::string>& error);
    /// Every mailbox that has handled messages or been polled, by name.
    std::vector<MailboxStats> mailbox_stats();
    /// Every posting with applications, by organisation and posting.
    std::vector<PostingStats> posting_stats();

    // Erasure: intake forget / purge and the daily purge (erase.cpp).
    /// Applications whose sender address is `email`, compared case-insensitively.
    std::vector<ApplicationRef> applications_from(const std::string& email);
    /// Applications received before `utc` (ISO 8601 UTC, as received_at is written).
    std::vector<ApplicationRef> applications_received_before(const std::string& utc);
    std::vector<ApplicationRef> applications_of_posting(const std::string& organisation,
                                                        const std::string& posting);
    /// In one transaction: deletes the applications, their replies (queued or not)
    /// and Message-ID keys; the handled-message rows stay, so the server's message
    /// is never filed again, but no longer name the application. Erased content is
    /// overwritten in the file (secure_delete) and the WAL is checkpointed.
    ErasedRows erase_applications(const std::vector<std::string>& ids);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace intake::state
