// Messages of one mailbox are filed as a group and committed together (issue 13).
// Inside a group, the second of two related messages must be recognised exactly as
// if it had come in a later pass, although the first is not committed yet.
#include <algorithm>
#include <map>

#include "e2e/e2e.h"

namespace intake::e2e {
namespace {

namespace fs = std::filesystem;

std::string mail_from(const std::string& from, const std::string& message_id,
                      const std::string& attachment) {
    return "From: Ana Silva <" + from +
           ">\r\n"
           "To: jobs@example.org\r\n"
           "Subject: Policy Internship\r\n"
           "Date: Mon, 3 Mar 2025 10:00:00 +0100\r\n"
           "Message-ID: <" +
           message_id +
           ">\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
           "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Dear Sir or Madam,\r\n\r\nplease find my CV attached.\r\n\r\nAna Silva\r\n"
           "--b\r\nContent-Type: text/plain; name=cv.txt\r\n"
           "Content-Disposition: attachment; filename=cv.txt\r\n\r\n"
           "Curriculum vitae of Ana Silva. " +
           attachment + "\r\n--b--\r\n";
}

TEST_F(IntakeE2E, TheSameMessageTwiceInOneGroupIsFiledAndAnsweredOnce) {
    const std::string mail = mail_from("ana@example.pt", "same@example.pt", "Education.");
    imap_.append(kCemrFolder, mail);
    imap_.append(kCemrFolder, mail);
    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(application_folders().size(), 1u) << output_;
    EXPECT_EQ(smtp_.received().size(), 1u);
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
    EXPECT_EQ(imap_.uids("Intake/Processed/cemr").size(), 2u);
    EXPECT_NE(output_.find("same Message-ID as"), std::string::npos) << output_;
}

TEST_F(IntakeE2E, OneSenderTwiceInOneGroupGetsOneReply) {
    // Two different applications (other attachment) from one sender to one posting:
    // both filed, the second not acknowledged (ack_interval_days).
    imap_.append(kCemrFolder, mail_from("ana@example.pt", "first@example.pt", "Education."));
    imap_.append(kCemrFolder, mail_from("ana@example.pt", "second@example.pt", "Experience."));
    ASSERT_EQ(intake("once"), 0) << output_;
    const auto folders = application_folders();
    ASSERT_EQ(folders.size(), 2u) << output_;
    EXPECT_EQ(smtp_.received().size(), 1u);
    std::map<std::string, int> statuses;
    for (const auto& f : folders) {
        const std::string record = fixtures::read_file(f / "application.json");
        if (record.find("\"rate limit\"") != std::string::npos) ++statuses["rate limit"];
    }
    EXPECT_EQ(statuses["rate limit"], 1) << output_;
}

TEST_F(IntakeE2E, TheIndexListsEveryApplicationOfEveryGroupOnce) {
    write_config("[limits]\nmax_messages_per_pass = 2\n");
    for (int n = 0; n < 5; ++n) {
        imap_.append(kCemrFolder, mail_from("a" + std::to_string(n) + "@example.pt",
                                            "index-" + std::to_string(n) + "@example.pt",
                                            "Number " + std::to_string(n) + "."));
    }
    ASSERT_EQ(intake("once"), 0) << output_;
    const auto folders = application_folders();
    ASSERT_EQ(folders.size(), 5u) << output_;
    const std::string csv = fixtures::read_file(folders.front().parent_path() / "applications.csv");
    for (const auto& f : folders) {
        const std::string id = f.filename().string();
        const auto first = csv.find(id);
        ASSERT_NE(first, std::string::npos) << csv;
        // Each id is written twice per row (id and folder), and no row is repeated.
        const auto second = csv.find(id, first + id.size());
        ASSERT_NE(second, std::string::npos) << csv;
        EXPECT_EQ(csv.find(id, second + id.size()), std::string::npos) << csv;
    }
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6) << csv;  // header + 5 rows
}

TEST_F(IntakeE2E, EachGroupOfABatchIsCommittedBeforeTheNextIsFiled) {
    // 40 messages are cut 24 + 16 and handled as one stream (the second group's
    // first messages are fetched and decided before the first is committed). The
    // resend of message 2 in the second group must still find it committed.
    std::string resent;
    for (int n = 0; n < 40; ++n) {
        std::string mail = mail_from("a" + std::to_string(n) + "@example.pt",
                                     "batch-" + std::to_string(n) + "@example.pt",
                                     "Number " + std::to_string(n) + ".");
        if (n == 2) resent = mail;
        imap_.append(kCemrFolder, n == 30 ? resent : mail);
    }
    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(application_folders().size(), 39u) << output_;
    EXPECT_EQ(smtp_.received().size(), 39u);
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
    EXPECT_EQ(imap_.uids("Intake/Processed/cemr").size(), 40u);
    EXPECT_NE(output_.find("same Message-ID as"), std::string::npos) << output_;
}

}  // namespace
}  // namespace intake::e2e
