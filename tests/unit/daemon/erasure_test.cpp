// Retention rules with a clock the test moves, and erasure carried out on a real
// filing root and state database in a temp dir.
#include "daemon/erasure.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "store/store.h"

namespace intake::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using state::Clock;

Clock::time_point at(int y, unsigned m, unsigned d, int hour = 0) {
    return sys_days(year(y) / month(m) / day(d)) + hours(hour);
}

config::Posting posting_with(std::optional<sys_seconds> deadline, std::optional<int> months) {
    config::Posting p;
    p.id = "project-lead";
    if (deadline) p.deadline = config::Deadline{*deadline, ""};
    p.retain_months_after_close = months;
    return p;
}

config::Config config_with(std::vector<config::Posting> postings, int retention_days = 0) {
    config::Config c;
    c.storage.retention_days = retention_days;
    config::Organisation org;
    org.id = "cemr";
    org.postings = std::move(postings);
    c.organisations.push_back(org);
    return c;
}

TEST(RetentionRules, APostingIsErasedOnlyOnceItsMonthsAfterTheDeadlineArePast) {
    // 2025-03-14T23:59:59+01:00, as in the shipped postings.
    const sys_seconds deadline = floor<seconds>(at(2025, 3, 14, 22)) + minutes(59) + seconds(59);
    const auto config = config_with({posting_with(deadline, 6)});
    EXPECT_EQ(erase_after(config.organisations[0].postings[0]),
              deadline + (sys_days(2025y / 9 / 14) - sys_days(2025y / 3 / 14)));
    EXPECT_TRUE(retention_rules(config, at(2025, 9, 14, 22)).closed_postings.empty());
    EXPECT_TRUE(retention_rules(config, at(2025, 3, 20)).empty());
    const auto later = retention_rules(config, at(2025, 9, 15));
    ASSERT_EQ(later.closed_postings.size(), 1u);
    EXPECT_EQ(later.closed_postings[0],
              (std::pair<std::string, std::string>{"cemr", "project-lead"}));
    EXPECT_FALSE(later.received_before);
}

TEST(RetentionRules, AMonthEndDeadlineEndsOnTheLastDayOfAShorterMonth) {
    const auto p = posting_with(sys_days(2025y / 8 / 31), 6);
    EXPECT_EQ(erase_after(p), Clock::time_point(sys_days(2026y / 2 / 28)));
}

TEST(RetentionRules, NoRuleWithoutMonthsOrWithoutADeadline) {
    EXPECT_FALSE(erase_after(posting_with(sys_days(2025y / 1 / 1), std::nullopt)));
    EXPECT_FALSE(erase_after(posting_with(std::nullopt, 3)));
    EXPECT_TRUE(
        retention_rules(config_with({posting_with(std::nullopt, std::nullopt)}), at(2040, 1, 1))
            .empty());
}

TEST(RetentionRules, RetentionDaysCountBackFromNow) {
    const auto rules = retention_rules(config_with({}, 30), at(2025, 4, 30, 12));
    ASSERT_TRUE(rules.received_before);
    EXPECT_EQ(*rules.received_before, at(2025, 3, 31, 12));
    EXPECT_FALSE(retention_rules(config_with({}, 0), at(2025, 4, 30)).received_before);
}

/// A filing root and a state database with three applications and two _failed/ entries.
class ErasureOnDisk : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "intake-erasure-XXXXXX").string();
        dir_ = mkdtemp(tmpl.data());
        config_ = config_with({posting_with(sys_days(2025y / 3 / 14), 1)});
        config_.storage.root = dir_ / "hr";
        config_.storage.state_dir = dir_ / "state";
        db_ = std::make_unique<state::StateDb>(config_.storage.state_dir);
        file("2025-01-10_marie_aaaaaa", "project-lead", "Marie@Example.org", "2025-01-10T09:00:00Z",
             1);
        file("2025-03-01_jean_bbbbbb", "project-lead", "jean@example.org", "2025-03-01T09:00:00Z",
             2);
        file("2025-04-01_marie_cccccc", "policy-internship", "marie@example.org",
             "2025-04-01T09:00:00Z", 3);
        failed("2025-01-11_111111111111",
               "From: Marie <MARIE@example.org>\r\nSubject: x\r\n\r\n\xff\xfe");
        failed("2025-04-02_222222222222", "From: jean@example.org\r\n\r\nbody");
    }
    void TearDown() override { fs::remove_all(dir_); }

    void file(const std::string& id, const std::string& posting, const std::string& email,
              const std::string& received_at, std::uint32_t uid) {
        record::Application app;
        app.id = id;
        app.organisation = "cemr";
        app.posting = posting;
        app.received_at = received_at;
        app.applicant = {"Someone", email};
        app.acknowledgement = {"queued", email, "en", std::nullopt, "", ""};
        store::file_application(config_.storage, app, {{"CV - Someone.txt", "cv"}}, "raw");
        state::Filing f{{"cemr", 1, uid},
                        "cemr",
                        "<" + id + ">",
                        "c-" + id,
                        state::Outcome::filed,
                        app,
                        {},
                        state::QueuedReply{"smtp", "a@cemr", email, "reply"},
                        {}};
        db_->commit_filing(f, Clock::now());
        store::write_index(config_.storage, "cemr", posting,
                           [&](const auto& visit) { db_->each_index_row("cemr", posting, visit); });
    }
    /// Set aside on the day its id names: purge goes by when reason.txt was written.
    void failed(const std::string& id, const std::string& raw) {
        const fs::path entry = store::file_failed(config_.storage, "cemr", id, raw, "reason");
        const int y = std::stoi(id.substr(0, 4));
        const unsigned m = static_cast<unsigned>(std::stoi(id.substr(5, 2)));
        const unsigned d = static_cast<unsigned>(std::stoi(id.substr(8, 2)));
        fs::last_write_time(entry / "reason.txt", std::chrono::file_clock::from_sys(at(y, m, d)));
    }
    std::string csv(const std::string& posting) {
        std::ifstream in(config_.storage.root / "cemr" / posting / "applications.csv");
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    fs::path folder(const std::string& posting, const std::string& id) {
        return config_.storage.root / "cemr" / posting / id;
    }

    fs::path dir_;
    config::Config config_;
    std::unique_ptr<state::StateDb> db_;
};

TEST_F(ErasureOnDisk, ForgetTakesEveryTraceOfOneAddressAndNothingElse) {
    const ErasurePlan plan = plan_forget(config_, *db_, "marie@EXAMPLE.org");
    ASSERT_EQ(plan.applications.size(), 2u);
    ASSERT_EQ(plan.failed_entries.size(), 1u);
    EXPECT_EQ(plan.failed_entries[0].filename(), "2025-01-11_111111111111");

    const ErasureReport report = carry_out(config_, *db_, plan);
    EXPECT_EQ(report.rows.applications, 2);
    EXPECT_EQ(report.rows.replies_queued, 2);
    EXPECT_FALSE(fs::exists(folder("project-lead", "2025-01-10_marie_aaaaaa")));
    EXPECT_FALSE(fs::exists(folder("policy-internship", "2025-04-01_marie_cccccc")));
    EXPECT_FALSE(fs::exists(config_.storage.root / "cemr/_failed/2025-01-11_111111111111"));
    EXPECT_TRUE(fs::exists(config_.storage.root / "cemr/_failed/2025-04-02_222222222222"));
    EXPECT_TRUE(fs::exists(folder("project-lead", "2025-03-01_jean_bbbbbb")));
    EXPECT_EQ(csv("project-lead").find("arie"), std::string::npos) << csv("project-lead");
    EXPECT_NE(csv("project-lead").find("jean@example.org"), std::string::npos);
    EXPECT_EQ(csv("policy-internship").find("marie"), std::string::npos);
    EXPECT_TRUE(db_->applications_from("marie@example.org").empty());
    EXPECT_EQ(db_->due_replies(Clock::now(), 10).size(), 1u);  // jean's
    // The log line names no one.
    const std::string line = log_summary(report);
    EXPECT_EQ(line.find("marie"), std::string::npos) << line;
    EXPECT_NE(line.find("aaaaaa"), std::string::npos) << line;
    // Nothing left: a second run finds nothing.
    EXPECT_TRUE(plan_forget(config_, *db_, "marie@example.org").empty());
}

TEST_F(ErasureOnDisk, PurgeTakesWhatIsOlderThanTheCutoff) {
    const ErasurePlan plan = plan_purge(config_, *db_, at(2025, 3, 15));
    ASSERT_EQ(plan.applications.size(), 2u);
    EXPECT_EQ(plan.applications[0].id, "2025-01-10_marie_aaaaaa");
    EXPECT_EQ(plan.applications[1].id, "2025-03-01_jean_bbbbbb");
    ASSERT_EQ(plan.failed_entries.size(), 1u);
    EXPECT_EQ(plan.failed_entries[0].filename(), "2025-01-11_111111111111");
    // Planning touches nothing (it is what --dry-run prints).
    EXPECT_TRUE(fs::exists(folder("project-lead", "2025-01-10_marie_aaaaaa")));
    EXPECT_EQ(db_->applications_received_before("2030-01-01T00:00:00Z").size(), 3u);
    carry_out(config_, *db_, plan);
    EXPECT_EQ(db_->applications_received_before("2030-01-01T00:00:00Z").size(), 1u);
    EXPECT_TRUE(fs::exists(folder("policy-internship", "2025-04-01_marie_cccccc")));
    EXPECT_TRUE(fs::exists(config_.storage.root / "cemr/_failed/2025-04-02_222222222222"));
}

TEST_F(ErasureOnDisk, PurgeCountsFromWhenAnEntryWasSetAsideNotFromItsName) {
    // Named by the message (no date, or a Date forged into the future), set aside long ago.
    for (const std::string id : {"333333333333", "2099-01-01_444444444444"}) {
        const fs::path entry = store::file_failed(config_.storage, "cemr", id, "x", "reason");
        fs::last_write_time(entry / "reason.txt",
                            std::chrono::file_clock::from_sys(at(2025, 2, 1)));
    }
    const ErasurePlan plan = plan_purge(config_, *db_, at(2025, 3, 15));
    std::vector<std::string> names;
    for (const auto& e : plan.failed_entries) names.push_back(e.filename().string());
    EXPECT_EQ(names, (std::vector<std::string>{"2025-01-11_111111111111", "2099-01-01_444444444444",
                                               "333333333333"}));
}

TEST_F(ErasureOnDisk, TheDailyPurgeErasesAClosedPostingWhenItsMonthsArePast) {
    const auto log = std::make_shared<spdlog::logger>("test");
    purge_by_rules(config_, *db_, *log, at(2025, 4, 14));  // deadline + 1 month, not past
    EXPECT_EQ(db_->applications_of_posting("cemr", "project-lead").size(), 2u);
    purge_by_rules(config_, *db_, *log, at(2025, 4, 15));
    EXPECT_TRUE(db_->applications_of_posting("cemr", "project-lead").empty());
    EXPECT_FALSE(fs::exists(folder("project-lead", "2025-03-01_jean_bbbbbb")));
    EXPECT_EQ(db_->applications_of_posting("cemr", "policy-internship").size(), 1u);
    EXPECT_EQ(csv("project-lead").find("jean"), std::string::npos);
}

}  // namespace
}  // namespace intake::daemon
