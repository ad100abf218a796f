// Erasure and the status statistics of the state database.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "state/state.h"

namespace intake::state {
namespace {

namespace fs = std::filesystem;

class EraseTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "intake-erase-XXXXXX").string();
        dir_ = mkdtemp(tmpl.data());
    }
    void TearDown() override { fs::remove_all(dir_); }

    static Filing filing(std::uint32_t uid, const std::string& id, const std::string& email,
                         const std::string& received_at = "2025-03-02T10:15:00Z",
                         const std::string& deadline = "on_time") {
        Filing f;
        f.message = {"cemr", 7, uid};
        f.organisation = "cemr";
        f.message_key = "<" + id + "@example.org>";
        f.content_key = "content-" + id;
        record::Application app;
        app.id = id;
        app.organisation = "cemr";
        app.posting = "policy-internship";
        app.received_at = received_at;
        app.applicant = {"Marie", email};
        app.deadline.status = deadline;
        app.acknowledgement = {"queued", email, "en", std::nullopt, "", ""};
        f.application = app;
        f.reply = QueuedReply{"cemr-smtp", "application@ccre-cemr.org", email,
                              "To: " + email + "\r\n\r\nDear Marie\r\n"};
        return f;
    }

    /// Every text in the database file, to prove an address is gone from it.
    std::string everything_in_database() {
        SQLite::Database db((dir_ / "intake.sqlite").string(), SQLite::OPEN_READONLY);
        std::string all;
        for (const char* table : {"messages", "message_keys", "applications", "outbox"}) {
            SQLite::Statement q(db, std::string("SELECT * FROM ") + table);
            while (q.executeStep()) {
                for (int i = 0; i < q.getColumnCount(); ++i)
                    all += q.getColumn(i).getString() + "|";
            }
        }
        return all;
    }

    fs::path dir_;
};

TEST_F(EraseTest, FindsAnApplicantsApplicationsWhateverTheCase) {
    StateDb db(dir_);
    db.commit_filing(filing(1, "app-1", "Marie.Dupont@Example.org"), Clock::now());
    db.commit_filing(filing(2, "app-2", "marie.dupont@example.org"), Clock::now());
    db.commit_filing(filing(3, "app-3", "jean@example.org"), Clock::now());
    const auto found = db.applications_from("MARIE.DUPONT@example.ORG");
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].id, "app-1");
    EXPECT_EQ(found[1].id, "app-2");
    EXPECT_EQ(found[0].posting, "policy-internship");
    EXPECT_TRUE(db.applications_from("marie@example.org").empty());
}

TEST_F(EraseTest, ErasingRemovesEveryRowWithPersonalDataAndKeepsTheUidKey) {
    StateDb db(dir_);
    const auto now = Clock::now();
    db.commit_filing(filing(1, "app-1", "marie@example.org"), now);
    db.commit_filing(filing(2, "app-2", "jean@example.org"), now);
    db.record_seen_again({"cemr", 8, 1}, "app-1", now);  // the same mail under a new UIDVALIDITY
    const auto sent = db.due_replies(now, 10);
    db.mark_sent(sent.at(0).id, now);  // app-1's reply went out, app-2's is queued

    const ErasedRows erased = db.erase_applications({"app-1"});
    EXPECT_EQ(erased.applications, 1);
    EXPECT_EQ(erased.replies_queued, 0);
    EXPECT_EQ(erased.replies_other, 1);
    EXPECT_EQ(erased.messages_scrubbed, 2);
    EXPECT_EQ(erased.message_keys, 1);

    EXPECT_FALSE(db.application("app-1"));
    EXPECT_FALSE(db.find_by_message_key("cemr", "<app-1@example.org>"));
    EXPECT_FALSE(db.find_by_content_key("cemr", "content-app-1"));
    // The server's message stays known, so it is never filed again, but no longer
    // names the application.
    const auto handled = db.find_handled({"cemr", 7, 1});
    ASSERT_TRUE(handled);
    EXPECT_EQ(handled->application_id, "erased");
    const std::string all = everything_in_database();
    EXPECT_EQ(all.find("marie@example.org"), std::string::npos) << all;
    EXPECT_EQ(all.find("app-1"), std::string::npos) << all;
    EXPECT_EQ(all.find("Dear Marie"), all.rfind("Dear Marie"));  // only jean's reply says it

    // The other applicant keeps everything, queued reply included.
    EXPECT_TRUE(db.application("app-2"));
    EXPECT_EQ(db.due_replies(now, 10).size(), 1u);
    EXPECT_EQ(db.erase_applications({"app-2"}).replies_queued, 1);
    EXPECT_TRUE(db.due_replies(now, 10).empty());
    EXPECT_TRUE(db.postings_with_applications().empty());
}

TEST_F(EraseTest, ErasingNothingOrAnUnknownIdChangesNothing) {
    StateDb db(dir_);
    db.commit_filing(filing(1, "app-1", "marie@example.org"), Clock::now());
    EXPECT_EQ(db.erase_applications({}).applications, 0);
    EXPECT_EQ(db.erase_applications({"no-such-id"}).applications, 0);
    EXPECT_TRUE(db.application("app-1"));
}

TEST_F(EraseTest, FindsApplicationsReceivedBeforeAnInstant) {
    StateDb db(dir_);
    db.commit_filing(filing(1, "old", "a@example.org", "2024-01-31T23:59:59Z"), Clock::now());
    db.commit_filing(filing(2, "edge", "b@example.org", "2024-02-01T00:00:00Z"), Clock::now());
    db.commit_filing(filing(3, "new", "c@example.org", "2025-06-01T08:00:00Z"), Clock::now());
    const auto old = db.applications_received_before("2024-02-01T00:00:00Z");
    ASSERT_EQ(old.size(), 1u);
    EXPECT_EQ(old[0].id, "old");
    EXPECT_EQ(db.applications_received_before("2030-01-01T00:00:00Z").size(), 3u);
    EXPECT_EQ(db.applications_of_posting("cemr", "policy-internship").size(), 3u);
    EXPECT_TRUE(db.applications_of_posting("cemr", "project-lead").empty());
}

TEST_F(EraseTest, StatusCountsPerMailboxPostingAndOutbox) {
    StateDb db(dir_);
    const auto t0 = Clock::time_point(std::chrono::seconds(1'700'000'000));
    db.commit_filing(filing(1, "a", "a@example.org", "2025-03-02T10:15:00Z", "on_time"), t0);
    db.commit_filing(filing(2, "b", "b@example.org", "2025-03-02T10:15:00Z", "late"),
                     t0 + std::chrono::hours(1));
    Filing failed;
    failed.message = {"cemr", 7, 3};
    failed.organisation = "cemr";
    failed.outcome = Outcome::failed;
    failed.failed_id = "2025-03-02_abc";
    db.commit_filing(failed, t0);

    const auto postings = db.posting_stats();
    ASSERT_EQ(postings.size(), 1u);
    EXPECT_EQ(postings[0].applications, 2);
    EXPECT_EQ(postings[0].on_time, 1);
    EXPECT_EQ(postings[0].late, 1);
    EXPECT_EQ(postings[0].no_deadline, 0);
    EXPECT_EQ(db.counts().oldest_queued_at, t0);

    db.record_poll("cemr", t0, std::nullopt);
    db.record_poll("atlantic-cities", t0, std::string("login refused"));
    db.record_poll("atlantic-cities", t0 + std::chrono::minutes(1), std::nullopt);
    const auto mailboxes = db.mailbox_stats();
    ASSERT_EQ(mailboxes.size(), 2u);
    EXPECT_EQ(mailboxes[0].mailbox, "atlantic-cities");
    EXPECT_EQ(mailboxes[0].handled, 0);
    EXPECT_EQ(mailboxes[0].last_poll_at, t0 + std::chrono::minutes(1));
    EXPECT_TRUE(mailboxes[0].last_poll_ok);
    EXPECT_EQ(mailboxes[0].last_error, "login refused");  // kept after a good pass
    EXPECT_EQ(mailboxes[0].last_error_at, t0);
    EXPECT_EQ(mailboxes[1].mailbox, "cemr");
    EXPECT_EQ(mailboxes[1].handled, 3);
    EXPECT_EQ(mailboxes[1].set_aside, 1);
    EXPECT_FALSE(mailboxes[1].last_error);
}

TEST_F(EraseTest, AVersionOneDatabaseIsMigrated) {
    {
        SQLite::Database v1((dir_ / "intake.sqlite").string(),
                            SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        v1.exec(
            "CREATE TABLE messages (mailbox TEXT, uid_validity INTEGER, uid INTEGER, outcome "
            "TEXT, application_id TEXT, handled_at INTEGER, PRIMARY KEY (mailbox, uid_validity, "
            "uid)); CREATE TABLE outbox (id INTEGER PRIMARY KEY, application_id TEXT, rcpt TEXT, "
            "created_at INTEGER);"
            "CREATE TABLE applications (id TEXT PRIMARY KEY, organisation TEXT, posting TEXT, "
            "email TEXT, content_key TEXT, received_at TEXT, handled_at INTEGER, ack_status "
            "TEXT, record TEXT);"
            "PRAGMA user_version = 1");
    }
    StateDb db(dir_);
    EXPECT_EQ(db.schema_version(), 4);
    db.record_poll("cemr", Clock::now(), std::nullopt);
    EXPECT_EQ(db.mailbox_stats().size(), 1u);
}

}  // namespace
}  // namespace intake::state
