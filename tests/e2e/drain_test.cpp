// `intake once` drains: however many messages wait, and whatever the batch size,
// one pass files every one of them and sends every reply that is due.
#include "e2e/e2e.h"

namespace intake::e2e {
namespace {

std::string application(const std::string& subject, int n) {
    const std::string who = "applicant" + std::to_string(n);
    return "From: Applicant " + std::to_string(n) + " <" + who +
           "@example.org>\r\n"
           "To: jobs@example.org\r\n"
           "Subject: " +
           subject +
           "\r\n"
           "Date: Mon, 3 Mar 2025 10:00:00 +0100\r\n"
           "Message-ID: <drain-" +
           std::to_string(n) +
           "@example.org>\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n"
           "Dear Sir or Madam,\r\n\r\nplease consider my application.\r\n\r\n"
           "Kind regards,\r\nApplicant " +
           std::to_string(n) + "\r\n";
}

TEST_F(IntakeE2E, OnceDrainsEveryMailboxBeyondTheBatchSize) {
    write_config("[limits]\nmax_messages_per_pass = 2\n");
    for (int n = 0; n < 7; ++n) imap_.append(kCemrFolder, application("Policy Internship", n));
    for (int n = 7; n < 10; ++n) {
        imap_.append(kAtlanticFolder, application("Candidature spontanée", n));
    }

    EXPECT_EQ(intake("once"), 0) << output_;
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty()) << output_;
    EXPECT_TRUE(imap_.uids(kAtlanticFolder).empty()) << output_;
    EXPECT_EQ(application_folders().size(), 10u);
    EXPECT_EQ(smtp_.received().size(), 10u);
    EXPECT_NE(output_.find("pass done: 10 messages handled"), std::string::npos) << output_;
}

TEST_F(IntakeE2E, RepliesOfCommittedGroupsLeaveWhileTheNextGroupsAreDrained) {
    // Eight groups of one: the first group's reply is due once it is committed,
    // and goes out between the messages after it, not after the last one.
    write_config("[limits]\nmax_messages_per_pass = 1\n");
    for (int n = 0; n < 8; ++n) imap_.append(kCemrFolder, application("Policy Internship", n));

    EXPECT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(smtp_.received().size(), 8u);
    const auto first_sent = output_.find("outbox: reply for");
    const auto last_filed = output_.rfind(" filed ");
    ASSERT_NE(first_sent, std::string::npos) << output_;
    ASSERT_NE(last_filed, std::string::npos) << output_;
    EXPECT_LT(first_sent, last_filed) << output_;
}

}  // namespace
}  // namespace intake::e2e
