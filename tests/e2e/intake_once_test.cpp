// intake once against real servers: what lands in HR's folders, on the IMAP
// server and at the SMTP server, and that nothing is lost or doubled.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "base/digest.h"
#include "e2e/e2e.h"
#include "record/application.h"

namespace intake::e2e {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

Json read_json(const fs::path& file) { return Json::parse(fixtures::read_file(file)); }

const fixtures::SmtpServer::Message* reply_to(const std::vector<fixtures::SmtpServer::Message>& all,
                                              const std::string& address) {
    for (const auto& m : all) {
        if (std::find(m.recipients.begin(), m.recipients.end(), address) != m.recipients.end()) {
            return &m;
        }
    }
    return nullptr;
}

TEST_F(IntakeE2E, FilesAcknowledgesAndMovesEveryMessage) {
    const std::string platforma = sample("decide_cemr_platforma_lowercase_re.eml");
    const std::string late = sample("decide_cemr_assistant_late.eml");
    const std::string list = sample("decide_cemr_list_mail.eml");
    const std::string spanish = sample("decide_ac_speculative_es.eml");
    imap_.append(kCemrFolder, platforma);
    imap_.append(kCemrFolder, late);
    imap_.append(kCemrFolder, list);
    imap_.append(kAtlanticFolder, spanish);

    ASSERT_EQ(intake("once"), 0) << output_;

    // HR's folders: one per application, the documents under their roles' names.
    const auto folders = application_folders();
    ASSERT_EQ(folders.size(), 4u) << output_;
    const fs::path posting = hr() / "cemr" / "platforma-internship";
    ASSERT_TRUE(fs::is_directory(posting));
    fs::path ana;
    for (const auto& f : folders) {
        if (f.parent_path() == posting) ana = f;
    }
    ASSERT_FALSE(ana.empty());
    EXPECT_TRUE(ana.filename().string().starts_with("2025-03-10_ana-silva_"));
    EXPECT_EQ(fixtures::read_file(ana / "message.eml"), platforma);  // byte for byte
    const std::string cv = fixtures::read_file(ana / "CV - Ana Silva.pdf");
    EXPECT_TRUE(cv.starts_with("%PDF-1.4"));
    EXPECT_TRUE(fs::exists(ana / "Cover letter - Ana Silva.pdf"));
    const Json record = read_json(ana / "application.json");
    EXPECT_EQ(record["schema"], 1);
    EXPECT_EQ(record["posting"], "platforma-internship");
    EXPECT_EQ(record["mailbox"], "cemr");
    EXPECT_EQ(record["routing"]["by"], "subject");
    EXPECT_EQ(record["applicant"]["email"], "ana.silva@example.pt");
    EXPECT_EQ(record["documents"][0]["role"], "cv");
    EXPECT_EQ(record["documents"][0]["sha256"], sha256_hex(cv));
    EXPECT_EQ(record["acknowledgement"]["status"], "sent");  // the outbox ran in the same pass
    EXPECT_FALSE(record.contains("feedback"));               // CEMR promises none

    const std::string csv = fixtures::read_file(posting / "applications.csv");
    EXPECT_TRUE(csv.starts_with("\xEF\xBB\xBFid,received_at,"));
    EXPECT_NE(csv.find(ana.filename().string()), std::string::npos);
    EXPECT_NE(csv.find("CV - Ana Silva.pdf"), std::string::npos);

    // The server: nothing left in the inboxes, everything in the processed folders.
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
    EXPECT_TRUE(imap_.uids(kAtlanticFolder).empty());
    const auto processed = imap_.uids("Intake/Processed/cemr");
    ASSERT_EQ(processed.size(), 3u);
    EXPECT_EQ(imap_.message("Intake/Processed/cemr", processed[0]), platforma);
    EXPECT_EQ(imap_.uids("Intake/Processed/atlantic-cities").size(), 1u);

    // The replies: three applicants answered, the mailing list not.
    const auto replies = smtp_.received();
    EXPECT_EQ(replies.size(), 3u) << output_;
    const auto* to_ana = reply_to(replies, "ana.silva@example.pt");
    ASSERT_NE(to_ana, nullptr);
    EXPECT_EQ(to_ana->mail_from, "application@ccre-cemr.org");
    EXPECT_NE(header_of(to_ana->data, "From").find("<application@ccre-cemr.org>"),
              std::string::npos);
    EXPECT_EQ(header_of(to_ana->data, "In-Reply-To"),
              "<decide_cemr_platforma_lowercase_re@example.pt>");
    EXPECT_EQ(header_of(to_ana->data, "Auto-Submitted"), "auto-replied");
    EXPECT_EQ(header_of(to_ana->data, "Content-Transfer-Encoding"), "quoted-printable");
    EXPECT_NE(qp_body(to_ana->data).find("Ana Silva"), std::string::npos);
    EXPECT_EQ(reply_to(replies, "newsletter@eu-news.example"), nullptr);
    const auto* to_marta = reply_to(replies, "marta.ruiz@example.es");
    ASSERT_NE(to_marta, nullptr);
    EXPECT_EQ(to_marta->mail_from, "rh@atlanticcities.eu");

    // One INFO line per handled message.
    EXPECT_NE(output_.find("cemr uid 1: filed 2025-03-10_ana-silva_"), std::string::npos)
        << output_;
}

TEST_F(IntakeE2E, ASecondPassChangesNothing) {
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    imap_.append(kAtlanticFolder, sample("decide_ac_futures_d2_es.eml"));
    ASSERT_EQ(intake("once"), 0) << output_;
    const auto before = tree();
    const auto replies = smtp_.received().size();
    ASSERT_EQ(replies, 2u);

    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(tree(), before);
    EXPECT_EQ(smtp_.received().size(), replies);
}

TEST_F(IntakeE2E, TheSameMessageAgainIsNotFiledOrAnsweredTwice) {
    const std::string mail = sample("decide_cemr_platforma_lowercase_re.eml");
    imap_.append(kCemrFolder, mail);
    ASSERT_EQ(intake("once"), 0) << output_;
    // Delivered again (a resend, a restore, a renumbered folder): same Message-ID.
    imap_.append(kCemrFolder, mail);
    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(application_folders().size(), 1u);
    EXPECT_EQ(smtp_.received().size(), 1u);
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
    EXPECT_EQ(imap_.uids("Intake/Processed/cemr").size(), 2u);
}

TEST_F(IntakeE2E, AResentApplicationIsFiledAsDuplicateWithoutASecondReply) {
    std::string mail = sample("decide_cemr_platforma_lowercase_re.eml");
    imap_.append(kCemrFolder, mail);
    const std::string old_id = "<decide_cemr_platforma_lowercase_re@example.pt>";
    mail.replace(mail.find(old_id), old_id.size(), "<resent-1@example.pt>");
    imap_.append(kCemrFolder, mail);
    ASSERT_EQ(intake("once"), 0) << output_;
    const auto folders = application_folders();
    ASSERT_EQ(folders.size(), 2u);
    EXPECT_EQ(smtp_.received().size(), 1u);
    int duplicates = 0;
    for (const auto& f : folders) {
        const Json record = read_json(f / "application.json");
        if (!record["duplicate_of"].is_null()) {
            ++duplicates;
            EXPECT_EQ(record["acknowledgement"]["status"], "suppressed");
            EXPECT_EQ(record["acknowledgement"]["reason"], "duplicate");
        }
    }
    EXPECT_EQ(duplicates, 1);
}

TEST_F(IntakeE2E, AMessageOverALimitIsSetAsideAndDoesNotBlockTheOthers) {
    write_config("[limits]\nmax_attachment_bytes = 60\n");
    const std::string big = sample("decide_cemr_platforma_lowercase_re.eml");
    imap_.append(kCemrFolder, big);
    imap_.append(kCemrFolder, sample("decide_cemr_list_mail.eml"));
    EXPECT_EQ(intake("once"), 1) << output_;

    const fs::path failed = hr() / "cemr" / "_failed";
    ASSERT_TRUE(fs::is_directory(failed)) << output_;
    const auto entry = *fs::directory_iterator(failed);
    EXPECT_EQ(fixtures::read_file(entry.path() / "message.eml"), big);
    EXPECT_NE(fixtures::read_file(entry.path() / "reason.txt").find("max_attachment_bytes"),
              std::string::npos);
    EXPECT_EQ(imap_.uids("Intake/Failed/cemr").size(), 1u);
    EXPECT_EQ(imap_.uids("Intake/Processed/cemr").size(), 1u);
    EXPECT_EQ(application_folders().size(), 1u);
    EXPECT_NE(output_.find("set aside"), std::string::npos);
}

TEST_F(IntakeE2E, AnImapOutageLosesNothingAndTheNextPassCatchesUp) {
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    imap_.stop();
    EXPECT_EQ(intake("once"), 1) << output_;
    EXPECT_NE(output_.find("will retry"), std::string::npos) << output_;
    EXPECT_TRUE(application_folders().empty());
    imap_.start();
    EXPECT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(application_folders().size(), 1u);
    EXPECT_EQ(smtp_.received().size(), 1u);
}

TEST_F(IntakeE2E, AnSmtpOutageDelaysRepliesAndNeverDoublesThem) {
    write_config("[replies]\nretry_after_seconds = 1\n");
    smtp_.set_failure(fixtures::SmtpServer::Stage::data, 451);
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    ASSERT_EQ(intake("once"), 0) << output_;
    ASSERT_EQ(application_folders().size(), 1u);
    EXPECT_EQ(read_json(application_folders()[0] / "application.json")["acknowledgement"]["status"],
              "queued");
    EXPECT_TRUE(smtp_.received().empty());

    smtp_.clear_failure();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ASSERT_EQ(intake("once"), 0) << output_;
    ASSERT_EQ(smtp_.received().size(), 1u);
    EXPECT_EQ(read_json(application_folders()[0] / "application.json")["acknowledgement"]["status"],
              "sent");
    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(smtp_.received().size(), 1u);
}

/// Log lines at level error ("2025-03-02 10:15:00 error …").
std::size_t error_lines(const std::string& output) {
    std::istringstream in(output);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.size() > 26 && line.compare(19, 7, " error ") == 0) ++n;
    }
    return n;
}

// The clock here is the state database's record of when the reply was queued,
// moved back past outbox_max_age_hours (the outbox ageing's own test turns a
// real clock in tests/integration/outbox_ageing_test.cpp).
TEST_F(IntakeE2E, AReplyRefusedPastItsMaxAgeIsFailedInTheRecordTheCsvAndStatus) {
    smtp_.set_failure(fixtures::SmtpServer::Stage::data, 451);
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    ASSERT_EQ(intake("once"), 0) << output_;
    ASSERT_EQ(application_folders().size(), 1u);
    {
        SQLite::Database db((work_.path() / "state" / "intake.sqlite").string(),
                            SQLite::OPEN_READWRITE);
        ASSERT_EQ(db.exec("UPDATE outbox SET created_at = created_at - 73 * 3600, "
                          "next_attempt_at = 0 WHERE status = 'queued'"),
                  1);
    }
    ASSERT_EQ(intake("once"), 0) << output_;
    const std::size_t errors = error_lines(output_);
    EXPECT_EQ(errors, 1u) << output_;
    EXPECT_NE(output_.find("outbox_max_age_hours (72 h)"), std::string::npos) << output_;
    const fs::path folder = application_folders()[0];
    EXPECT_EQ(read_json(folder / "application.json")["acknowledgement"]["status"], "failed");
    const std::string csv = fixtures::read_file(folder.parent_path() / "applications.csv");
    EXPECT_NE(csv.find(",failed,"), std::string::npos) << csv;
    ASSERT_EQ(intake("status --json"), 0) << output_;
    const Json status = Json::parse(output_);
    EXPECT_EQ(status["outbox"]["failed"], 1);
    EXPECT_EQ(status["outbox"]["queued"], 0);

    // Marked once: the next pass neither sends it nor says it again.
    smtp_.clear_failure();
    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(error_lines(output_), 0u) << output_;
    EXPECT_TRUE(smtp_.received().empty());
}

TEST_F(IntakeE2E, ParseTouchesNothing) {
    const fs::path eml =
        fs::path(INTAKE_SOURCE_DIR) / "tests/data/eml/decide_cemr_projects_lead_fwd.eml";
    ASSERT_EQ(intake("parse '" + eml.string() + "' --mailbox cemr"), 0) << output_;
    const Json decision = Json::parse(output_);
    EXPECT_EQ(decision["posting"], "project-lead");
    EXPECT_EQ(decision["deadline"]["status"], "on_time");
    EXPECT_FALSE(decision["acknowledgement"]["text"].get<std::string>().empty());
    EXPECT_FALSE(fs::exists(hr()));
    EXPECT_FALSE(fs::exists(work_.path() / "state"));
}

TEST_F(IntakeE2E, CheckLogsInToEveryServerAndNamesWhatIsWrong) {
    EXPECT_EQ(intake("check"), 0) << output_;
    fixtures::write_file(imap_.password_file(), "wrong\n");
    EXPECT_EQ(intake("check"), 1) << output_;
    EXPECT_NE(output_.find("password"), std::string::npos) << output_;
    fixtures::write_file(config_file(), "[storage]\nroot = \"hr\"\nbogus = 1\n");
    EXPECT_EQ(intake("check"), 2) << output_;
    EXPECT_NE(output_.find("bogus"), std::string::npos) << output_;
}

}  // namespace
}  // namespace intake::e2e

namespace intake::e2e {
namespace {

/// Two Message-IDs whose application ids would share the 6-hex short id.
std::pair<std::string, std::string> colliding_message_ids() {
    std::map<std::string, std::string> seen;
    for (int n = 0;; ++n) {
        const std::string id = "<collide-" + std::to_string(n) + "@example.pt>";
        const std::string short_id = sha256_hex("cemr\n" + id).substr(0, 6);
        const auto [it, fresh] = seen.emplace(short_id, id);
        if (!fresh) return {it->second, id};
    }
}

TEST_F(IntakeE2E, TwoApplicationsWhoseIdsCollideKeepTheirOwnFolders) {
    const auto [first_id, second_id] = colliding_message_ids();
    const std::string original = sample("decide_cemr_platforma_lowercase_re.eml");
    const std::string old_id = "<decide_cemr_platforma_lowercase_re@example.pt>";
    std::string first = original, second = original;
    first.replace(first.find(old_id), old_id.size(), first_id);
    second.replace(second.find(old_id), old_id.size(), second_id);
    imap_.append(kCemrFolder, first);
    imap_.append(kCemrFolder, second);
    ASSERT_EQ(intake("once"), 0) << output_;
    // Both filed, each folder holding its own message: neither replaced the other.
    const auto folders = application_folders();
    ASSERT_EQ(folders.size(), 2u) << output_;
    std::set<std::string> kept;
    for (const auto& f : folders) kept.insert(fixtures::read_file(f / "message.eml"));
    EXPECT_EQ(kept, (std::set<std::string>{first, second}));
    EXPECT_EQ(imap_.uids("Intake/Processed/cemr").size(), 2u);
}

}  // namespace
}  // namespace intake::e2e
