// intake run as systemd runs it: it files what arrives while it runs, keeps
// the running configuration when a reload brings a bad one, and stops cleanly
// on SIGTERM.
#include <sys/wait.h>

#include <csignal>
#include <thread>

#include "e2e/e2e.h"
#include "fixtures/eventually.h"
#include "fixtures/process.h"

namespace intake::e2e {
namespace {

using namespace std::chrono_literals;

using fixtures::eventually;

TEST_F(IntakeE2E, RunFilesWhatArrivesReloadsAndStopsOnSigterm) {
    write_config("", /*poll_interval_seconds=*/1);  // so the test need not wait long
    const std::string text = fixtures::read_file(config_file());

    const auto log = work_.path() / "run.log";
    fixtures::Process daemon({INTAKE_EXE, "run", "--config", config_file().string()}, log);
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    ASSERT_TRUE(eventually([&] { return smtp_.received().size() == 1; }))
        << fixtures::read_file(log);
    EXPECT_EQ(application_folders().size(), 1u);

    // A reload that brings a broken configuration is refused; the daemon goes on.
    fixtures::write_file(config_file(), text + "\nnot_a_key = 1\n");
    daemon.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] {
        return fixtures::read_file(log).find("reload refused") != std::string::npos;
    })) << fixtures::read_file(log);
    imap_.append(kCemrFolder, sample("decide_cemr_projects_lead_fwd.eml"));
    ASSERT_TRUE(eventually([&] { return smtp_.received().size() == 2; }))
        << fixtures::read_file(log);

    daemon.signal(SIGTERM);
    ASSERT_TRUE(eventually([&] { return !daemon.running(); }, 10s)) << fixtures::read_file(log);
    const int status = daemon.stop();
    EXPECT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_NE(fixtures::read_file(log).find("intake stopping on signal 15"), std::string::npos);
}

TEST_F(IntakeE2E, RunAnswersMailAsItArrivesThroughIdle) {
    // Polling alone would take ten minutes: only IDLE can answer within the test.
    write_config("", /*poll_interval_seconds=*/600);
    const auto log = work_.path() / "run.log";
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    fixtures::Process daemon({INTAKE_EXE, "run", "--config", config_file().string()}, log);
    // The first pass, which follows the start of IDLE, answers what was there before.
    ASSERT_TRUE(eventually([&] { return smtp_.received().size() == 1; }))
        << fixtures::read_file(log);

    imap_.append(kCemrFolder, sample("decide_cemr_projects_lead_fwd.eml"));
    ASSERT_TRUE(eventually([&] { return smtp_.received().size() == 2; }))
        << fixtures::read_file(log);
    EXPECT_EQ(smtp_.received()[1].recipients, std::vector<std::string>{"tomas.novak@example.cz"});
    EXPECT_EQ(application_folders().size(), 2u);
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
    // The other mailbox is watched too.
    imap_.append(kAtlanticFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    ASSERT_TRUE(eventually([&] { return smtp_.received().size() == 3; }))
        << fixtures::read_file(log);
    EXPECT_TRUE(imap_.uids(kAtlanticFolder).empty());

    // A reload reconnects IDLE with the new configuration and goes on answering.
    daemon.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] {
        return fixtures::read_file(log).find("configuration reloaded") != std::string::npos;
    })) << fixtures::read_file(log);
    std::string resent = sample("decide_cemr_projects_lead_fwd.eml");
    const std::string id = "decide_cemr_projects_lead_fwd@example.cz";
    resent.replace(resent.find(id), id.size(), "after-reload@example.cz");
    imap_.append(kCemrFolder, resent);
    ASSERT_TRUE(eventually([&] { return application_folders().size() == 4; }))
        << fixtures::read_file(log);

    daemon.signal(SIGTERM);
    ASSERT_TRUE(eventually([&] { return !daemon.running(); }, 10s)) << fixtures::read_file(log);
    EXPECT_EQ(WEXITSTATUS(daemon.stop()), 0);
    const std::string text = fixtures::read_file(log);
    EXPECT_NE(text.find("mailbox cemr: waiting for new mail in INBOX with IMAP IDLE"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("IMAP IDLE stopped"), std::string::npos) << text;
}

TEST_F(IntakeE2E, RunGetsIdleBackAfterAServerRestart) {
    write_config("", /*poll_interval_seconds=*/600);
    const auto log = work_.path() / "run.log";
    fixtures::Process daemon({INTAKE_EXE, "run", "--config", config_file().string()}, log);
    ASSERT_TRUE(eventually([&] {
        const std::string text = fixtures::read_file(log);
        return text.find("mailbox cemr: waiting for new mail") != std::string::npos &&
               text.find("mailbox atlantic-cities: waiting for new mail") != std::string::npos;
    })) << fixtures::read_file(log);

    imap_.stop();
    ASSERT_TRUE(eventually([&] {
        return fixtures::read_file(log).find("mailbox cemr: IMAP IDLE stopped") !=
               std::string::npos;
    })) << fixtures::read_file(log);
    imap_.start();
    // Appended while intake may still be reconnecting: the pass that follows a
    // new IDLE connection finds it, or IDLE announces it.
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    ASSERT_TRUE(eventually([&] { return smtp_.received().size() == 1; }))
        << fixtures::read_file(log);
    ASSERT_TRUE(eventually([&] {
        return fixtures::read_file(log).find("mailbox cemr: IMAP IDLE works again") !=
               std::string::npos;
    })) << fixtures::read_file(log);
    // And IDLE, not a pass that happened to follow the restart, answers the next one.
    imap_.append(kCemrFolder, sample("decide_cemr_projects_lead_fwd.eml"));
    ASSERT_TRUE(eventually([&] { return smtp_.received().size() == 2; }))
        << fixtures::read_file(log);
    EXPECT_EQ(application_folders().size(), 2u);
}

/// A server that does not announce IDLE.
class IntakeE2EWithoutIdle : public IntakeE2E {
protected:
    static fixtures::DovecotOptions without_idle() {
        fixtures::DovecotOptions options;
        options.idle = false;
        return options;
    }
    IntakeE2EWithoutIdle() : IntakeE2E(without_idle()) {}
};

TEST_F(IntakeE2EWithoutIdle, RunFallsBackToPollingAndSaysSoOnce) {
    write_config("", /*poll_interval_seconds=*/1);
    const auto log = work_.path() / "run.log";
    fixtures::Process daemon({INTAKE_EXE, "run", "--config", config_file().string()}, log);
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    ASSERT_TRUE(eventually([&] { return smtp_.received().size() == 1; }))
        << fixtures::read_file(log);
    EXPECT_EQ(application_folders().size(), 1u);
    std::this_thread::sleep_for(2s);  // a few more passes, still one warning per mailbox

    daemon.signal(SIGTERM);
    ASSERT_TRUE(eventually([&] { return !daemon.running(); }, 10s)) << fixtures::read_file(log);
    const std::string text = fixtures::read_file(log);
    const std::string warning = "mailbox cemr: " + imap_.url() + " does not offer IMAP IDLE";
    const size_t first = text.find(warning);
    ASSERT_NE(first, std::string::npos) << text;
    EXPECT_EQ(text.find(warning, first + 1), std::string::npos) << text;
    EXPECT_EQ(text.find("with IMAP IDLE"), std::string::npos) << text;
}

}  // namespace
}  // namespace intake::e2e
