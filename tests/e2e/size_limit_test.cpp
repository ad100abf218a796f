// A message over limits.max_message_bytes is judged by the size the server
// reports, before it is downloaded: only its header is kept, it is moved aside
// on the server, and its sender is told once, in their language, what the limit
// is and how to send again. Robots are never told, and the others go on.
#include <algorithm>
#include <filesystem>

#include "e2e/e2e.h"

namespace intake::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLimit = "[limits]\nmax_message_bytes = 3072\n";

/// A sample mail grown past the limit by padding in its body: a different
/// Message-ID each time so that each is a message of its own.
std::string oversized(std::string mail, const std::string& message_id) {
    const std::string old_id = "<decide_cemr_platforma_lowercase_re@example.pt>";
    mail.replace(mail.find(old_id), old_id.size(), "<" + message_id + ">");
    const std::string padding(6000, 'x');
    const auto body = mail.find("\r\n\r\n");  // the samples end lines with CRLF
    return mail.substr(0, body) + "\r\n\r\nA preamble.\r\n" + padding + mail.substr(body);
}

std::string header_part(const std::string& mail) {
    return mail.substr(0, mail.find("\r\n\r\n") + 4);
}

std::vector<fs::path> failed_entries(const fs::path& hr) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(hr / "cemr" / "_failed", ec))
        out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

TEST_F(IntakeE2E, AMessageOverTheSizeLimitIsNotDownloadedAndItsSenderIsToldOnce) {
    write_config(kLimit);
    const std::string ana = sample("decide_cemr_platforma_lowercase_re.eml");
    const std::string big = oversized(ana, "big-1@example.pt");
    ASSERT_GT(big.size(), 3072u);
    imap_.append(kCemrFolder, big);
    imap_.append(kCemrFolder, sample("decide_cemr_list_mail.eml"));  // small: filed

    EXPECT_EQ(intake("once"), 1) << output_;  // 1: something was set aside

    const auto entries = failed_entries(hr());
    ASSERT_EQ(entries.size(), 1u) << output_;
    // Only the header was fetched and kept; the padding never reached the disk.
    const std::string kept = fixtures::read_file(entries[0] / "message.eml");
    EXPECT_EQ(kept, header_part(big));
    EXPECT_EQ(kept.find("xxxxxxxx"), std::string::npos);
    const std::string reason = fixtures::read_file(entries[0] / "reason.txt");
    EXPECT_NE(reason.find("max_message_bytes"), std::string::npos) << reason;
    EXPECT_NE(reason.find(std::to_string(big.size())), std::string::npos) << reason;
    EXPECT_NE(reason.find("header only"), std::string::npos) << reason;

    // On the server: moved whole to the failed folder, still unread.
    const auto failed_uids = imap_.uids("Intake/Failed/cemr");
    ASSERT_EQ(failed_uids.size(), 1u);
    const auto flags = imap_.flags("Intake/Failed/cemr", failed_uids[0]);
    EXPECT_EQ(std::find(flags.begin(), flags.end(), "\\Seen"), flags.end());
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
    EXPECT_EQ(application_folders().size(), 1u);  // the small one

    // The sender's notice: the limit and how to send again, threaded to her mail.
    const auto sent = smtp_.received();
    ASSERT_EQ(sent.size(), 1u) << output_;  // the list mail is never answered
    EXPECT_EQ(sent[0].recipients, std::vector<std::string>{"ana.silva@example.pt"});
    EXPECT_NE(sent[0].data.find("In-Reply-To: <big-1@example.pt>"), std::string::npos);
    EXPECT_NE(sent[0].data.find("Auto-Submitted: auto-replied"), std::string::npos);
    const std::string body = qp_body(sent[0].data);
    EXPECT_NE(body.find("Dear Ana Silva"), std::string::npos) << body;
    EXPECT_NE(body.find("3 KB"), std::string::npos) << body;
    EXPECT_NE(body.find("smaller files"), std::string::npos) << body;
    EXPECT_NE(body.find("link"), std::string::npos) << body;

    // Ana tries again, still too big: set aside again, but not told twice.
    imap_.append(kCemrFolder, oversized(ana, "big-2@example.pt"));
    EXPECT_EQ(intake("once"), 1) << output_;
    EXPECT_EQ(failed_entries(hr()).size(), 2u);
    EXPECT_EQ(smtp_.received().size(), 1u);
    EXPECT_NE(output_.find("rate limit"), std::string::npos) << output_;
}

TEST_F(IntakeE2E, TheSizeNoticeIsInTheSendersLanguageAndNeverGoesToARobot) {
    write_config(kLimit);
    std::string french = oversized(sample("decide_cemr_platforma_lowercase_re.eml"), "fr@x.pt");
    french.replace(french.find("From: Ana Silva <ana.silva@example.pt>"), 38,
                   "From: Luc Martin <luc.martin@example.fr>");
    french.insert(0, "Content-Language: fr\r\n");
    std::string robot = oversized(sample("decide_cemr_platforma_lowercase_re.eml"), "ar@x.pt");
    robot.insert(0, "Auto-Submitted: auto-replied\r\n");
    imap_.append(kCemrFolder, french);
    imap_.append(kCemrFolder, robot);

    EXPECT_EQ(intake("once"), 1) << output_;
    EXPECT_EQ(failed_entries(hr()).size(), 2u);
    const auto sent = smtp_.received();
    ASSERT_EQ(sent.size(), 1u) << output_;
    EXPECT_EQ(sent[0].recipients, std::vector<std::string>{"luc.martin@example.fr"});
    const std::string body = qp_body(sent[0].data);
    EXPECT_NE(body.find("Bonjour Luc Martin"), std::string::npos) << body;
    EXPECT_NE(body.find("3 KB"), std::string::npos) << body;
    EXPECT_NE(output_.find("auto-reply"), std::string::npos) << output_;
}

}  // namespace
}  // namespace intake::e2e
