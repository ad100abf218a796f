// Faults the daemon must survive without losing or doubling anything: a
// renumbered mailbox and a kill in the middle of a pass.
#include <csignal>
#include <map>
#include <random>
#include <thread>

#include "e2e/e2e.h"
#include "fixtures/process.h"

namespace intake::e2e {
namespace {

using namespace std::chrono_literals;

/// A distinct application per n: its own sender, Message-ID and attachment.
std::string application(const std::string& base, int n) {
    std::string mail = base;
    auto replace = [&](const std::string& from, const std::string& to) {
        mail.replace(mail.find(from), from.size(), to);
    };
    replace("<decide_cemr_platforma_lowercase_re@example.pt>",
            "<fault-" + std::to_string(n) + "@example.pt>");
    replace("From: Ana Silva <ana.silva@example.pt>",
            "From: Ana Silva <ana.silva" + std::to_string(n) + "@example.pt>");
    return mail;
}

TEST_F(IntakeE2E, ARenumberedMailboxIsNotFiledAgain) {
    const std::string mail = sample("decide_cemr_platforma_lowercase_re.eml");
    // A message handled and committed, whose move the server then lost.
    imap_.append(kCemrFolder, mail);
    ASSERT_EQ(intake("once"), 0) << output_;
    imap_.append(kCemrFolder, mail);
    const auto old_validity = imap_.uid_validity(kCemrFolder);
    EXPECT_GT(imap_.change_uid_validity(kCemrFolder), old_validity);

    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(application_folders().size(), 1u);
    EXPECT_EQ(smtp_.received().size(), 1u);
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
}

TEST_F(IntakeE2E, AKillMidPassLosesNothingAndFilesNothingTwice) {
    constexpr int kMessages = 25;
    const std::string base = sample("decide_cemr_platforma_lowercase_re.eml");
    for (int n = 0; n < kMessages; ++n) imap_.append(kCemrFolder, application(base, n));

    // Killed without warning somewhere in the middle of its first pass.
    write_config("", /*poll_interval_seconds=*/1);
    {
        fixtures::Process daemon({INTAKE_EXE, "run", "--config", config_file().string()},
                                 work_.path() / "run.log");
        std::mt19937 random(std::random_device{}());
        std::this_thread::sleep_for(std::chrono::milliseconds(150 + random() % 600));
        daemon.signal(SIGKILL);
        daemon.stop();
    }
    // The next passes finish the work.
    for (int pass = 0; pass < 3 && !imap_.uids(kCemrFolder).empty(); ++pass) intake("once");
    ASSERT_EQ(intake("once"), 0) << output_;

    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
    EXPECT_EQ(imap_.uids("Intake/Processed/cemr").size(), static_cast<size_t>(kMessages));
    EXPECT_EQ(application_folders().size(), static_cast<size_t>(kMessages));
    std::map<std::string, int> replies;
    for (const auto& m : smtp_.received()) ++replies[m.recipients.at(0)];
    EXPECT_EQ(replies.size(), static_cast<size_t>(kMessages));  // nobody unanswered
    int extra = 0;
    for (const auto& [to, count] : replies) extra += count - 1;
    // A kill between the SMTP server's acceptance and the outbox's record of it
    // can resend one reply; nothing else may double.
    EXPECT_LE(extra, 1);
}

}  // namespace
}  // namespace intake::e2e
