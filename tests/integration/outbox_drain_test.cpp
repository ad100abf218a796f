// The outbox sends every reply that is due in one delivery pass, however many
// are queued: more than one batch of them reaches the real SMTP server, once each.
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "fixtures/smtp_server.h"
#include "fixtures/temp_dir.h"
#include "integration/outbox_setup.h"
#include "outbox/outbox.h"

namespace intake {
namespace {

/// `count` filings, each with a reply queued to an applicant of its own.
void queue_replies(state::StateDb& db, int count, state::Clock::time_point now) {
    for (int n = 0; n < count; ++n) {
        db.commit_filing(
            outbox_test::queued_filing("app-" + std::to_string(n),
                                       "applicant" + std::to_string(n) + "@example.org",
                                       static_cast<std::uint32_t>(n + 1)),
            now);
    }
}

/// A real SMTP server, a configuration sending through it and a state database.
class OutboxDrain : public ::testing::Test {
protected:
    fixtures::SmtpServer smtp_;
    fixtures::TempDir dir_{"intake-outbox-drain"};
    const config::Config config_ = outbox_test::outbox_config(dir_, smtp_.url());
    state::StateDb db_{dir_ / "state"};
    const state::Clock::time_point now_ = state::Clock::now();
    spdlog::logger log_{"test", std::make_shared<spdlog::sinks::null_sink_mt>()};
};

TEST_F(OutboxDrain, EveryDueReplyLeavesInOnePassBeyondOneBatch) {
    constexpr int kQueued = 230;  // more than two of the outbox's batches
    queue_replies(db_, kQueued, now_);

    int finals = 0;
    const outbox::DeliveryReport report = outbox::deliver_due(
        db_, config_, log_, now_, [&](const std::string&, const std::string&) { ++finals; });

    EXPECT_EQ(report.sent, kQueued);
    EXPECT_EQ(finals, kQueued);
    const auto received = smtp_.received();
    ASSERT_EQ(received.size(), static_cast<std::size_t>(kQueued));
    std::set<std::string> recipients;
    for (const auto& m : received) recipients.insert(m.recipients.at(0));
    EXPECT_EQ(recipients.size(), static_cast<std::size_t>(kQueued));  // each once
    EXPECT_TRUE(db_.due_replies(now_, 1000).empty());
}

TEST_F(OutboxDrain, RepliesGoOutSideBySideButOnlyOneAtATimeIsCommittedUnrecorded) {
    // A kill between the server's acceptance of a reply and the outbox's record of
    // it sends that reply again: whatever runs side by side, never two at once.
    smtp_.set_commit_delay(std::chrono::milliseconds(40));
    constexpr int kQueued = 12;
    queue_replies(db_, kQueued, now_);

    const outbox::DeliveryReport report = outbox::deliver_due(
        db_, config_, log_, now_, [](const std::string&, const std::string&) {});

    EXPECT_EQ(report.sent, kQueued);
    const auto received = smtp_.received();
    ASSERT_EQ(received.size(), static_cast<std::size_t>(kQueued));
    std::set<std::string> connections;
    for (const auto& m : received) connections.insert(m.peer);
    EXPECT_GT(connections.size(), 1u);  // side by side, over several connections
    auto commits = smtp_.commits();
    ASSERT_EQ(commits.size(), static_cast<std::size_t>(kQueued));
    std::sort(commits.begin(), commits.end());
    for (std::size_t i = 1; i < commits.size(); ++i) {
        EXPECT_LE(commits[i - 1].second, commits[i].first)
            << "commits " << i - 1 << " and " << i << " overlapped";
    }
}

TEST_F(OutboxDrain, AReplyAcceptedIsRecordedByItsSenderSoTheNextCommitsWithoutAnotherPump) {
    // A drain's thread calls pump() once a message; the replies started by one
    // pump must not wait for the next one to pass the commit turn along.
    constexpr std::size_t kQueued = 3;  // the replies one pump starts side by side
    queue_replies(db_, static_cast<int>(kQueued), now_);

    std::set<std::string> finals;
    outbox::Courier courier(db_, config_, log_,
                            [&](const std::string& id, const std::string& status) {
                                finals.insert(id + " " + status);
                            });
    courier.pump(now_);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while ((smtp_.received().size() < kQueued || !db_.due_replies(now_, 10).empty()) &&
           std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(smtp_.received().size(), kQueued);     // all committed on the server…
    EXPECT_TRUE(db_.due_replies(now_, 10).empty());  // …and each recorded as sent
    EXPECT_TRUE(finals.empty());                     // the caller hears of them at its next call

    const outbox::DeliveryReport report = courier.finish(now_);
    EXPECT_EQ(report.sent, static_cast<int>(kQueued));
    EXPECT_EQ(finals, (std::set<std::string>{"app-0 sent", "app-1 sent", "app-2 sent"}));
    EXPECT_EQ(smtp_.received().size(), kQueued);  // none twice
}

}  // namespace
}  // namespace intake
