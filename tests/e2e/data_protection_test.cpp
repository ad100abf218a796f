// Data protection end to end: intake forget, intake purge (and the daemon's
// purge at start) erase real filed applications, their index rows, state and
// queued replies, and nothing else; intake status --json counts what is there;
// run as root, these commands leave every file to the service's user.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <ctime>
#include <thread>

#include "e2e/e2e.h"
#include "fixtures/process.h"
#include "record/application.h"
#include "state/state.h"

namespace intake::e2e {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using namespace std::chrono_literals;

constexpr const char* kAna = "ana.silva@example.pt";     // decide_cemr_platforma_lowercase_re.eml
constexpr const char* kMarta = "marta.ruiz@example.es";  // decide_ac_speculative_es.eml

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// The mail with another Message-ID (a new application, not the same message again).
std::string with_message_id(std::string mail, const std::string& id) {
    const auto at = mail.find("Message-ID: <");
    const auto end = mail.find('>', at);
    return mail.replace(at, end + 1 - at, "Message-ID: <" + id + ">");
}

/// The mail dated `age` ago: with no Received line, the Date header is its arrival time.
std::string dated(std::string mail, std::chrono::hours age) {
    const std::time_t t =
        std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - age);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char date[64];
    std::strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
    const auto at = mail.find("Date: ");
    return mail.replace(at, mail.find('\n', at) - at, date);
}

class DataProtection : public IntakeE2E {
protected:
    fs::path state_dir() const { return work_.path() / "state"; }

    Json status() {
        EXPECT_EQ(intake("status --json"), 0) << output_;
        return Json::parse(output_);
    }
    /// Every application folder whose name contains `slug`.
    std::vector<fs::path> folders_of(const std::string& slug) const {
        std::vector<fs::path> out;
        for (const auto& f : application_folders()) {
            if (f.filename().string().find(slug) != std::string::npos) out.push_back(f);
        }
        return out;
    }
    std::vector<fs::path> failed_entries(const std::string& organisation) const {
        std::vector<fs::path> out;
        const fs::path dir = hr() / organisation / "_failed";
        if (!fs::exists(dir)) return out;
        for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
        return out;
    }
    static const Json& posting(const Json& status, const std::string& id) {
        for (const auto& p : status["postings"]) {
            if (p["posting"] == id) return p;
        }
        throw std::runtime_error("no posting " + id);
    }
    static const Json& mailbox(const Json& status, const std::string& name) {
        for (const auto& m : status["mailboxes"]) {
            if (m["name"] == name) return m;
        }
        throw std::runtime_error("no mailbox " + name);
    }
};

TEST_F(DataProtection, ForgetErasesOneApplicantEverywhereAndNoOneElse) {
    const std::string ana = sample("decide_cemr_platforma_lowercase_re.eml");
    // First a mail from Ana that is set aside under _failed/ (over a limit)...
    write_config("[limits]\nmax_attachment_bytes = 60\n");
    imap_.append(kCemrFolder, with_message_id(ana, "too-big@example.pt"));
    ASSERT_EQ(intake("once"), 1) << output_;
    ASSERT_EQ(failed_entries("cemr").size(), 1u);
    // ...then her application and Marta's, while the SMTP server refuses, so the
    // replies stay queued.
    write_config("[replies]\nretry_after_seconds = 1\n");
    smtp_.set_failure(fixtures::SmtpServer::Stage::data, 451);
    imap_.append(kCemrFolder, ana);
    imap_.append(kAtlanticFolder, sample("decide_ac_speculative_es.eml"));
    ASSERT_EQ(intake("once"), 0) << output_;
    ASSERT_EQ(folders_of("ana-silva").size(), 1u);
    ASSERT_EQ(folders_of("marta-ruiz").size(), 1u);
    EXPECT_EQ(status()["outbox"]["queued"], 2);
    const fs::path ana_csv = hr() / "cemr/platforma-internship/applications.csv";
    ASSERT_NE(fixtures::read_file(ana_csv).find(kAna), std::string::npos);

    ASSERT_EQ(intake("forget ANA.Silva@Example.PT"), 0) << output_;
    const std::string printed = output_;
    // What it prints: the application id, its folder, the _failed/ entry, the counts.
    EXPECT_NE(printed.find("erased application 2025-03-10_ana-silva_"), std::string::npos)
        << printed;
    EXPECT_NE(printed.find((hr() / "cemr/platforma-internship").string()), std::string::npos);
    EXPECT_NE(printed.find("erased _failed/ entry"), std::string::npos) << printed;
    EXPECT_NE(printed.find("1 queued repl"), std::string::npos) << printed;
    // Neither the printout nor the log names the address.
    EXPECT_EQ(lower(printed).find(kAna), std::string::npos) << printed;

    // Her folder, her _failed/ entry, her CSV row, her state and her reply: gone.
    EXPECT_TRUE(folders_of("ana-silva").empty());
    EXPECT_TRUE(failed_entries("cemr").empty());
    EXPECT_EQ(fixtures::read_file(ana_csv).find("ana"), std::string::npos);
    EXPECT_TRUE(fixtures::read_file(ana_csv).starts_with("\xEF\xBB\xBFid,"));  // the header stays
    {
        state::StateDb db(state_dir());
        EXPECT_TRUE(db.applications_from(kAna).empty());
        EXPECT_EQ(db.applications_from(kMarta).size(), 1u);
    }
    const Json after = status();
    EXPECT_EQ(after["outbox"]["queued"], 1);
    EXPECT_EQ(posting(after, "platforma-internship")["applications"], 0);
    EXPECT_EQ(posting(after, "speculative")["applications"], 1);

    // Marta keeps everything, and only she is answered once the server accepts.
    ASSERT_EQ(folders_of("marta-ruiz").size(), 1u);
    EXPECT_NE(
        fixtures::read_file(hr() / "atlantic-cities/speculative/applications.csv").find(kMarta),
        std::string::npos);
    smtp_.clear_failure();
    std::this_thread::sleep_for(1500ms);
    ASSERT_EQ(intake("once"), 0) << output_;
    const auto replies = smtp_.received();
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].recipients, (std::vector<std::string>{kMarta}));

    // Forgetting again finds nothing and says so.
    ASSERT_EQ(intake("forget ana.silva@example.pt"), 0) << output_;
    EXPECT_NE(output_.find("nothing to erase"), std::string::npos) << output_;
    EXPECT_EQ(intake("forget not-an-address"), 2) << output_;
}

TEST_F(DataProtection, PurgeDryRunChangesNothingAndPurgeTakesOnlyTheOldOnes) {
    // Ana's mail is dated 10 March 2025; Marta's is re-dated to yesterday.
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    imap_.append(kAtlanticFolder, dated(sample("decide_ac_speculative_es.eml"), 24h));
    ASSERT_EQ(intake("once"), 0) << output_;
    const auto before = tree();
    ASSERT_EQ(application_folders().size(), 2u);

    ASSERT_EQ(intake("purge --older-than 30 --dry-run"), 0) << output_;
    EXPECT_NE(output_.find("would erase application 2025-03-10_ana-silva_"), std::string::npos)
        << output_;
    EXPECT_EQ(output_.find("marta"), std::string::npos) << output_;
    EXPECT_EQ(tree(), before);
    EXPECT_EQ(posting(status(), "platforma-internship")["applications"], 1);

    ASSERT_EQ(intake("purge --older-than 30"), 0) << output_;
    EXPECT_TRUE(folders_of("ana-silva").empty());
    EXPECT_EQ(folders_of("marta-ruiz").size(), 1u);
    const Json after = status();
    EXPECT_EQ(posting(after, "platforma-internship")["applications"], 0);
    EXPECT_EQ(posting(after, "speculative")["applications"], 1);
    EXPECT_EQ(intake("purge"), 2) << output_;  // --older-than is required
}

TEST_F(DataProtection, StatusJsonCountsMailboxesPostingsAndTheOutbox) {
    imap_.stop();
    EXPECT_EQ(intake("once"), 1) << output_;
    Json s = status();
    EXPECT_EQ(mailbox(s, "cemr")["last_poll_ok"], false);
    EXPECT_TRUE(mailbox(s, "cemr")["last_error"].is_string()) << s.dump(2);
    imap_.start();

    write_config("[limits]\nmax_attachment_bytes = 60\n");
    imap_.append(kCemrFolder, with_message_id(sample("decide_cemr_platforma_lowercase_re.eml"),
                                              "set-aside@example.pt"));
    EXPECT_EQ(intake("once"), 1) << output_;
    write_config();
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));  // no deadline
    imap_.append(kCemrFolder, sample("decide_cemr_assistant_late.eml"));          // late
    imap_.append(kCemrFolder, sample("decide_cemr_projects_lead_fwd.eml"));       // on time
    imap_.append(kAtlanticFolder, sample("decide_ac_speculative_es.eml"));
    ASSERT_EQ(intake("once"), 0) << output_;

    s = status();
    const Json& cemr = mailbox(s, "cemr");
    EXPECT_EQ(cemr["handled"], 4);
    EXPECT_EQ(cemr["set_aside"], 1);
    EXPECT_EQ(cemr["last_poll_ok"], true);
    EXPECT_TRUE(cemr["last_poll_at"].get<std::string>().ends_with("Z"));
    EXPECT_TRUE(cemr["last_error"].is_string());  // the outage is still shown, with its time
    EXPECT_TRUE(cemr["last_error_at"].is_string());
    EXPECT_EQ(mailbox(s, "atlantic-cities")["handled"], 1);
    EXPECT_EQ(mailbox(s, "atlantic-cities")["set_aside"], 0);

    EXPECT_EQ(posting(s, "platforma-internship")["deadline"]["none"], 1);
    EXPECT_EQ(posting(s, "assistant-logistics-administration")["deadline"]["late"], 1);
    EXPECT_EQ(posting(s, "project-lead")["deadline"]["on_time"], 1);
    EXPECT_EQ(posting(s, "project-lead")["applications"], 1);
    EXPECT_EQ(posting(s, "speculative")["applications"], 1);
    EXPECT_EQ(posting(s, "policy-internship")["applications"], 0);  // configured, empty
    EXPECT_EQ(s["outbox"]["sent"], 4);
    EXPECT_EQ(s["outbox"]["queued"], 0);
    EXPECT_TRUE(s["outbox"]["oldest_queued_at"].is_null());

    // The plain text stays as it was, with a line per mailbox at the end.
    ASSERT_EQ(intake("status"), 0) << output_;
    EXPECT_TRUE(
        output_.starts_with("messages: 5 handled (4 filed, 0 duplicates or seen again, "
                            "1 set aside under _failed/)\n"))
        << output_;
    EXPECT_NE(output_.find("mailbox cemr: last pass "), std::string::npos) << output_;
}

TEST_F(DataProtection, RunPurgesByTheRetentionRulesAtStart) {
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));  // 2025-03-10
    imap_.append(kAtlanticFolder, dated(sample("decide_ac_speculative_es.eml"), 24h));
    ASSERT_EQ(intake("once"), 0) << output_;
    ASSERT_EQ(application_folders().size(), 2u);

    // storage.retention_days = 30, in the harness's [storage] table.
    write_config("", /*poll_interval_seconds=*/1);
    std::string text = fixtures::read_file(config_file());
    const std::string state_line = "state_dir = \"state\"\n";
    text.replace(text.find(state_line), state_line.size(), state_line + "retention_days = 30\n");
    fixtures::write_file(config_file(), text);

    const auto log = work_.path() / "run.log";
    fixtures::Process daemon({INTAKE_EXE, "run", "--config", config_file().string()}, log);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (fixtures::read_file(log).find("daily purge") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    daemon.stop();
    const std::string lines = fixtures::read_file(log);
    EXPECT_NE(lines.find("daily purge: erased 1 application(s)"), std::string::npos) << lines;
    EXPECT_TRUE(folders_of("ana-silva").empty());
    EXPECT_EQ(folders_of("marta-ruiz").size(), 1u);
    // Ids in the log are short ids: no name, no address.
    EXPECT_EQ(lower(lines).find("ana"), std::string::npos) << lines;
}

/// Every file and folder below `dir` whose owner is not `uid`.
std::vector<std::string> not_owned_by(const fs::path& dir, uid_t uid) {
    std::vector<std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        struct stat st {};
        if (::lstat(entry.path().c_str(), &st) == 0 && st.st_uid != uid) {
            out.push_back(entry.path().string() + " uid " + std::to_string(st.st_uid));
        }
    }
    return out;
}

void chown_tree(const fs::path& dir, uid_t uid, gid_t gid) {
    ASSERT_EQ(::chown(dir.c_str(), uid, gid), 0) << dir;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        ASSERT_EQ(::lchown(entry.path().c_str(), uid, gid), 0) << entry.path();
    }
}

TEST_F(DataProtection, RootCommandsLeaveEveryFileToTheStateDirectorysOwner) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root: it checks what root's forget, purge, status and once leave";
    }
    constexpr uid_t kService = 65534;  // nobody, standing in for the intake user
    constexpr gid_t kServiceGroup = 65534;
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    imap_.append(kAtlanticFolder, dated(sample("decide_ac_speculative_es.eml"), 24h));
    ASSERT_EQ(intake("once"), 0) << output_;
    // The service's folders as an install leaves them: its state dir and filing root.
    fs::permissions(work_.path(), fs::perms(0755));  // mkdtemp's 0700 would lock the user out
    chown_tree(state_dir(), kService, kServiceGroup);
    chown_tree(hr(), kService, kServiceGroup);

    ASSERT_EQ(intake("status --json"), 0) << output_;
    ASSERT_EQ(intake("status"), 0) << output_;
    ASSERT_EQ(intake("purge --older-than 30 --dry-run"), 0) << output_;
    ASSERT_EQ(intake("forget marta.ruiz@example.es"), 0) << output_;
    ASSERT_EQ(intake("purge --older-than 30"), 0) << output_;
    EXPECT_TRUE(application_folders().empty()) << output_;  // it could do its work as that user
    // An admin's `intake once` as root too, with a password only root may read.
    fs::permissions(imap_.password_file(), fs::perms(0600));
    imap_.append(kCemrFolder, sample("decide_cemr_projects_lead_fwd.eml"));
    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(application_folders().size(), 1u);

    EXPECT_EQ(not_owned_by(state_dir(), kService), std::vector<std::string>{});
    EXPECT_EQ(not_owned_by(hr(), kService), std::vector<std::string>{});
}

}  // namespace
}  // namespace intake::e2e
