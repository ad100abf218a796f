#include "state/state.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace intake::state {
namespace {

namespace fs = std::filesystem;

class StateTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "intake-state-XXXXXX").string();
        dir_ = mkdtemp(tmpl.data());
    }
    void TearDown() override { fs::remove_all(dir_); }

    static Filing filing(std::uint32_t uid, const std::string& id, const std::string& email) {
        Filing f;
        f.message = {"cemr", 7, uid};
        f.organisation = "cemr";
        f.message_key = "<" + id + "@example.org>";
        f.content_key = "content-" + id;
        record::Application app;
        app.id = id;
        app.organisation = "cemr";
        app.posting = "policy-internship";
        app.received_at = "2025-03-02T10:15:00Z";
        app.applicant = {"Marie", email};
        app.acknowledgement = {"queued", email, "en", std::nullopt, "", ""};
        f.application = app;
        f.reply = QueuedReply{"cemr-smtp", "application@ccre-cemr.org", email, "mail bytes\r\n"};
        return f;
    }

    fs::path dir_;
};

std::vector<record::IndexRow> index_rows(StateDb& db) {
    std::vector<record::IndexRow> rows;
    db.each_index_row("cemr", "policy-internship",
                      [&](const record::IndexRow& row) { rows.push_back(row); });
    return rows;
}

TEST_F(StateTest, CommitRecordsMessageApplicationAndReplyTogether) {
    StateDb db(dir_);
    EXPECT_EQ(db.schema_version(), 4);
    const auto now = Clock::now();
    db.commit_filing(filing(42, "app-1", "marie@example.org"), now);

    const auto handled = db.find_handled({"cemr", 7, 42});
    ASSERT_TRUE(handled);
    EXPECT_EQ(handled->outcome, Outcome::filed);
    EXPECT_EQ(handled->application_id, "app-1");
    EXPECT_FALSE(db.find_handled({"cemr", 8, 42}));  // another UIDVALIDITY is another message
    EXPECT_EQ(db.find_by_message_key("cemr", "<app-1@example.org>"), "app-1");
    EXPECT_FALSE(db.find_by_message_key("atlantic-cities", "<app-1@example.org>"));
    EXPECT_EQ(db.find_by_content_key("cemr", "content-app-1"), "app-1");
    EXPECT_TRUE(db.acknowledged_since("cemr", "marie@example.org", "policy-internship",
                                      now - std::chrono::hours(1)));
    EXPECT_FALSE(db.acknowledged_since("cemr", "marie@example.org", "project-lead",
                                       now - std::chrono::hours(1)));

    const auto due = db.due_replies(now, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].reply.data, "mail bytes\r\n");
    EXPECT_EQ(due[0].reply.rcpt, "marie@example.org");
    const auto rows = index_rows(db);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].values[3], "marie@example.org");
    EXPECT_EQ(db.application("app-1")->applicant.email, "marie@example.org");
}

// The daemon keeps its statements prepared; one left open after a call would keep
// its read of the file, and an admin's change (intake forget, another process)
// would stay unseen by the daemon.
TEST_F(StateTest, KeptStatementsHoldNoReadBetweenCallsAndCanBeNested) {
    StateDb daemon(dir_);
    const auto now = Clock::now();
    daemon.commit_filing(filing(42, "app-1", "marie@example.org"), now);
    daemon.commit_filing(filing(43, "app-2", "rui@example.org"), now);
    ASSERT_TRUE(daemon.find_handled({"cemr", 7, 42}));  // a row found, the rest not read
    ASSERT_EQ(daemon.due_replies(now, 1).size(), 1u);   // one of two rows read
    {
        StateDb admin(dir_);
        admin.commit_filing(filing(44, "app-3", "ana@example.org"), now);
    }
    const auto seen = daemon.find_handled({"cemr", 7, 44});
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->application_id, "app-3");
    EXPECT_EQ(daemon.due_replies(now, 10).size(), 3u);

    // The same statement again while the first use still reads its rows.
    std::vector<std::size_t> inner;
    daemon.each_index_row("cemr", "policy-internship", [&](const record::IndexRow&) {
        std::size_t rows = 0;
        daemon.each_index_row("cemr", "policy-internship",
                              [&](const record::IndexRow&) { ++rows; });
        inner.push_back(rows);
    });
    EXPECT_EQ(inner, (std::vector<std::size_t>{3, 3, 3}));
}

TEST_F(StateTest, CommitFilingsRecordsAGroupAndItsSeenAgainMessagesAtOnce) {
    StateDb db(dir_);
    const auto now = Clock::now();
    Filing failed;
    failed.message = {"cemr", 7, 3};
    failed.organisation = "cemr";
    failed.outcome = Outcome::failed;
    failed.failed_id = "2025-03-02_abcdef123456";
    db.commit_filings(
        {filing(1, "app-1", "ana@example.org"), filing(2, "app-2", "rui@example.org"), failed},
        {SeenAgain{{"cemr", 7, 4}, "app-1"}}, now);

    EXPECT_EQ(db.find_handled({"cemr", 7, 1})->application_id, "app-1");
    EXPECT_EQ(db.find_handled({"cemr", 7, 2})->application_id, "app-2");
    EXPECT_EQ(db.find_handled({"cemr", 7, 3})->outcome, Outcome::failed);
    const auto again = db.find_handled({"cemr", 7, 4});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->outcome, Outcome::duplicate);
    EXPECT_EQ(again->application_id, "app-1");
    EXPECT_EQ(index_rows(db).size(), 2u);
    EXPECT_EQ(db.due_replies(now, 10).size(), 2u);
}

TEST_F(StateTest, OutboxRetriesThenSendsOnce) {
    StateDb db(dir_);
    const auto now = Clock::now();
    db.commit_filing(filing(1, "app-1", "a@example.org"), now);
    const auto item = db.due_replies(now, 10).at(0);
    db.mark_retry(item.id, now + std::chrono::minutes(2), "451 try later");
    EXPECT_TRUE(db.due_replies(now, 10).empty());
    const auto later = db.due_replies(now + std::chrono::minutes(3), 10);
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later[0].attempts, 1);
    EXPECT_EQ(db.application("app-1")->acknowledgement.status, "queued");
    db.mark_sent(item.id, now);
    EXPECT_TRUE(db.due_replies(now + std::chrono::hours(5), 10).empty());
    // The record says so in the same transaction.
    EXPECT_EQ(db.application("app-1")->acknowledgement.status, "sent");
    const Counts c = db.counts();
    EXPECT_EQ(c.outbox_sent, 1);
    EXPECT_EQ(c.outbox_queued, 0);
}

TEST_F(StateTest, KeepsTheRecordAsFiledAndRewritesItAsApplicationJsonWhenTheReplyIsSent) {
    StateDb db(dir_);
    const auto now = Clock::now();
    Filing f = filing(1, "app-1", "a@example.org");
    f.record = record::to_text(*f.application);
    db.commit_filing(f, now);
    const auto kept = db.record_text("app-1");
    ASSERT_TRUE(kept.has_value());
    EXPECT_EQ(kept->organisation, "cemr");
    EXPECT_EQ(kept->posting, "policy-internship");
    EXPECT_EQ(kept->text, f.record);  // the filer's text, not another serialisation

    db.mark_sent(db.due_replies(now, 10).at(0).id, now);
    record::Application sent = *f.application;
    sent.acknowledgement.status = "sent";
    EXPECT_EQ(db.record_text("app-1")->text, record::to_text(sent));
    EXPECT_FALSE(db.record_text("app-2").has_value());
}

TEST_F(StateTest, MakesTheRecordFromTheApplicationWhenTheFilingHasNoText) {
    StateDb db(dir_);
    const Filing f = filing(1, "app-1", "a@example.org");
    db.commit_filing(f, Clock::now());
    EXPECT_EQ(db.record_text("app-1")->text, record::to_text(*f.application));
}

TEST_F(StateTest, KeepsEachApplicationsCsvRowWithItsCurrentAcknowledgement) {
    StateDb db(dir_);
    const auto now = Clock::now();
    Filing first = filing(1, "app-1", "a@example.org");
    first.application->subject = "Policy Internship";
    db.commit_filing(first, now);
    db.commit_filing(filing(2, "app-2", "b@example.org"), now);
    db.mark_sent(db.due_replies(now, 10).at(0).id, now);

    const auto rows = index_rows(db);
    ASSERT_EQ(rows.size(), 2u);
    record::Application sent = *first.application;
    sent.acknowledgement.status = "sent";
    EXPECT_EQ(rows[0].values, record::index_row(sent).values);
    EXPECT_EQ(rows[0].values[4], "Policy Internship");
    EXPECT_EQ(rows[1].id(), "app-2");
    EXPECT_EQ(rows[1].values[record::kAcknowledgementColumn], "queued");
}

TEST_F(StateTest, TheCsvRowComesFromTheKeptRowNotFromTheRecord) {
    StateDb db(dir_);
    db.commit_filing(filing(1, "app-1", "a@example.org"), Clock::now());
    {
        SQLite::Database raw((dir_ / "intake.sqlite").string(), SQLite::OPEN_READWRITE);
        raw.exec("UPDATE applications SET record = '{}'");  // parsing it would throw
    }
    const auto rows = index_rows(db);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].values[3], "a@example.org");
}

TEST_F(StateTest, AnApplicationKeptBeforeCsvRowsGetsItsRowFromItsRecord) {
    StateDb db(dir_);
    const auto now = Clock::now();
    const Filing f = filing(1, "app-1", "a@example.org");
    db.commit_filing(f, now);
    db.mark_failed(db.due_replies(now, 10).at(0).id, "550 no such user");
    {
        SQLite::Database raw((dir_ / "intake.sqlite").string(), SQLite::OPEN_READWRITE);
        raw.exec("UPDATE applications SET index_row = NULL");  // as schema v3 left it
    }
    record::Application failed = *f.application;
    failed.acknowledgement.status = "failed";
    const auto rows = index_rows(db);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].values, record::index_row(failed).values);
}

TEST_F(StateTest, CountsTheApplicationsOfEachPosting) {
    StateDb db(dir_);
    const auto now = Clock::now();
    db.commit_filing(filing(1, "app-1", "a@example.org"), now);
    db.commit_filing(filing(2, "app-2", "b@example.org"), now);
    Filing other = filing(3, "app-3", "c@example.org");
    other.application->posting = "project-lead";
    db.commit_filing(other, now);
    const auto postings = db.postings_with_applications();
    ASSERT_EQ(postings.size(), 2u);
    EXPECT_EQ(postings[0].posting, "policy-internship");
    EXPECT_EQ(postings[0].applications, 2);
    EXPECT_EQ(postings[1].posting, "project-lead");
    EXPECT_EQ(postings[1].applications, 1);
}

TEST_F(StateTest, AFailedReplyIsFailedInItsRecordToo) {
    StateDb db(dir_);
    const auto now = Clock::now();
    db.commit_filing(filing(1, "app-1", "a@example.org"), now);
    db.mark_failed(db.due_replies(now, 10).at(0).id, "550 no such user");
    EXPECT_EQ(db.application("app-1")->acknowledgement.status, "failed");
    EXPECT_EQ(db.counts().outbox_failed, 1);
}

TEST_F(StateTest, SurvivesReopeningAndKeepsTheSchema) {
    {
        StateDb db(dir_);
        db.commit_filing(filing(5, "app-5", "b@example.org"), Clock::now());
    }
    StateDb again(dir_);
    EXPECT_EQ(again.schema_version(), 4);
    EXPECT_TRUE(again.find_handled({"cemr", 7, 5}));
}

TEST_F(StateTest, FailedMessagesAreHandledWithoutApplication) {
    StateDb db(dir_);
    Filing f;
    f.message = {"cemr", 7, 9};
    f.organisation = "cemr";
    f.outcome = Outcome::failed;
    f.failed_id = "2025-01-01_abc";
    db.commit_filing(f, Clock::now());
    const auto handled = db.find_handled({"cemr", 7, 9});
    ASSERT_TRUE(handled);
    EXPECT_EQ(handled->outcome, Outcome::failed);
    EXPECT_EQ(db.counts().failed, 1);
    EXPECT_TRUE(db.due_replies(Clock::now(), 10).empty());
}

}  // namespace
}  // namespace intake::state

namespace intake::state {
namespace {

class ReplyHistoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "intake-history-XXXXXX").string();
        dir_ = mkdtemp(tmpl.data());
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

constexpr const char* kOurs = "application@ccre-cemr.org";

TEST_F(ReplyHistoryTest, AnyReplyToASenderCountsAndNoticesAreToldApart) {
    StateDb db(dir_);
    const auto now = Clock::now();
    const auto hour_ago = now - std::chrono::hours(1);
    EXPECT_FALSE(db.replied_since(kOurs, "flo@example.org", hour_ago));

    // A notice about a set-aside message: an outbox row under "_failed/<id>".
    Filing notice;
    notice.message = {"cemr", 7, 1};
    notice.organisation = "cemr";
    notice.outcome = Outcome::failed;
    notice.failed_id = "2025-03-02_abc";
    notice.reply = QueuedReply{"smtp", kOurs, "flo@example.org", "notice\r\n"};
    db.commit_filing(notice, now);

    EXPECT_TRUE(db.replied_since(kOurs, "flo@example.org", hour_ago));
    EXPECT_TRUE(db.notified_since(kOurs, "flo@example.org", hour_ago));
    EXPECT_FALSE(db.replied_since(kOurs, "flo@example.org", now + std::chrono::seconds(5)));
    EXPECT_FALSE(db.replied_since("rh@atlanticcities.eu", "flo@example.org", hour_ago));
    EXPECT_FALSE(db.replied_since(kOurs, "other@example.org", hour_ago));
    const auto due = db.due_replies(now, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].application_id, "_failed/2025-03-02_abc");
}

TEST_F(ReplyHistoryTest, ABounceMarksTheApplicationAndIsRecordedAsHandled) {
    StateDb db(dir_);
    Filing f;
    f.message = {"cemr", 7, 1};
    f.organisation = "cemr";
    f.message_key = "<m@x>";
    f.content_key = "c";
    record::Application app;
    app.id = "app-1";
    app.organisation = "cemr";
    app.posting = "policy-internship";
    app.received_at = "2025-03-02T10:15:00Z";
    app.applicant = {"Marie", "marie@example.org"};
    app.acknowledgement = {"sent", "marie@example.org", "en", std::nullopt, "", ""};
    f.application = app;
    db.commit_filing(f, Clock::now());
    EXPECT_FALSE(
        db.replied_since(kOurs, "marie@example.org", Clock::now() - std::chrono::hours(1)));

    db.record_bounce({"cemr", 7, 2}, "app-1", "the acknowledgement bounced: 5.1.1", Clock::now());
    const auto stored = db.application("app-1");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->acknowledgement.status, "bounced");
    EXPECT_EQ(stored->acknowledgement.reason, "the acknowledgement bounced: 5.1.1");
    const auto handled = db.find_handled({"cemr", 7, 2});
    ASSERT_TRUE(handled);
    EXPECT_EQ(handled->outcome, Outcome::bounce);
    EXPECT_EQ(handled->application_id, "app-1");
}

}  // namespace
}  // namespace intake::state
