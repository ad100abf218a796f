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

}  // namespace
}  // namespace intake::e2e
