// Secrets and personal data stay out of the logs: a full run of `intake check`
// and `intake once` (applications with attachments, one set aside over a limit)
// writes no password, no body text and no attachment file name to its output.
// A password file every user may read is a warning naming it.
#include <filesystem>
#include <regex>

#include "e2e/e2e.h"

namespace intake::e2e {
namespace {

namespace fs = std::filesystem;

/// Every filename="…" a raw message names.
std::vector<std::string> attachment_names(const std::string& raw) {
    std::vector<std::string> names;
    const std::regex quoted("filename=\"([^\"]+)\"");
    for (std::sregex_iterator it(raw.begin(), raw.end(), quoted), end; it != end; ++it) {
        names.push_back((*it)[1]);
    }
    return names;
}

TEST_F(IntakeE2E, NoPasswordBodyTextOrAttachmentNameReachesTheLogs) {
    fs::permissions(imap_.password_file(), fs::perms::owner_read | fs::perms::owner_write);
    const std::string body_text = "Quokka-7f3e9 is my unique sentence for this test.";
    std::string ana = sample("decide_cemr_platforma_lowercase_re.eml");
    const std::string hello = "Hello, please find my application attached.";
    ASSERT_NE(ana.find(hello), std::string::npos);
    ana.replace(ana.find(hello), hello.size(), hello + " " + body_text);
    const std::vector<std::string> mails = {ana, sample("decide_cemr_assistant_late.eml"),
                                            sample("decide_cemr_projects_lead_fwd.eml")};
    const std::string spanish = sample("decide_ac_speculative_es.eml");
    const std::string too_big = sample("gmail_policy_internship.eml");

    std::vector<std::string> names;
    for (const auto& m : mails) imap_.append(kCemrFolder, m);
    imap_.append(kAtlanticFolder, spanish);
    for (const auto* m : {&mails[0], &mails[1], &mails[2], &spanish, &too_big}) {
        for (auto& n : attachment_names(*m)) names.push_back(std::move(n));
    }
    ASSERT_GE(names.size(), 9u);

    std::string logs;
    EXPECT_EQ(intake("check"), 0) << output_;
    logs += output_;
    EXPECT_EQ(intake("once"), 0) << output_;
    logs += output_;
    ASSERT_EQ(application_folders().size(), 4u) << logs;
    ASSERT_GE(smtp_.received().size(), 3u) << logs;
    // Then one set aside over a limit: its reason is logged as an error.
    write_config("[limits]\nmax_attachment_bytes = 60\n");
    imap_.append(kCemrFolder, too_big);
    EXPECT_EQ(intake("once"), 1) << output_;
    logs += output_;
    ASSERT_NE(output_.find("max_attachment_bytes"), std::string::npos) << output_;

    EXPECT_EQ(logs.find(imap_.password()), std::string::npos) << logs;
    EXPECT_EQ(logs.find("Quokka-7f3e9"), std::string::npos) << logs;
    for (const auto& name : names) {
        EXPECT_EQ(logs.find(name), std::string::npos) << name << " in:\n" << logs;
        const std::string stem = name.substr(0, name.rfind('.'));
        EXPECT_EQ(logs.find(stem), std::string::npos) << stem << " in:\n" << logs;
    }
    EXPECT_EQ(logs.find("readable by every user"), std::string::npos) << logs;
}

TEST_F(IntakeE2E, APasswordFileEveryUserMayReadIsAWarningNamingIt) {
    const fs::path file = imap_.password_file();
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
    const std::string warning =
        "warning password file " + file.string() + " is readable by every user (mode 0604)";
    EXPECT_EQ(intake("check"), 0) << output_;  // a warning, not a failure
    EXPECT_NE(output_.find(warning), std::string::npos) << output_;
    // Two mailboxes share the file: it is named once.
    EXPECT_EQ(output_.find(warning), output_.rfind(warning)) << output_;
    EXPECT_EQ(intake("once"), 0) << output_;  // and at the daemon's start
    EXPECT_NE(output_.find(warning), std::string::npos) << output_;

    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    EXPECT_EQ(intake("check"), 0) << output_;
    EXPECT_EQ(output_.find("readable by every user"), std::string::npos) << output_;
}

}  // namespace
}  // namespace intake::e2e
