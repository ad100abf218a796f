// Mail loops and spoofing: nobody who is a robot, a list or ourselves is
// answered, a flood gets one reply, and a bounce of our reply is noted on the
// application it concerns instead of being filed or answered.
#include <filesystem>

#include "e2e/e2e.h"
#include "record/application.h"

namespace intake::e2e {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

/// A short plain-text mail; `extra` headers go first.
std::string mail(const std::string& from, const std::string& subject, const std::string& id,
                 const std::string& extra = "") {
    return extra + "From: " + from + "\r\nTo: application@ccre-cemr.org\r\nSubject: " + subject +
           "\r\nDate: Mon, 10 Mar 2025 11:00:00 +0100\r\nMessage-ID: <" + id +
           ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Dear Sir or Madam,\r\nplease find my application (" +
           id + ").\r\nKind regards\r\n";
}

class Loops : public IntakeE2E {
protected:
    /// Ana's application, filed and answered: its folder and our reply's Message-ID.
    std::pair<fs::path, std::string> ana_answered() {
        imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
        EXPECT_EQ(intake("once"), 0) << output_;
        const auto folders = application_folders();
        const auto sent = smtp_.received();
        if (folders.size() != 1 || sent.size() != 1) {
            ADD_FAILURE() << "Ana's application was not filed and answered: " << output_;
            return {};
        }
        return {folders[0], header_of(sent[0].data, "Message-ID")};
    }
};

TEST_F(Loops, NoRobotListOrOwnAddressIsAnswered) {
    const auto [ana, reply_id] = ana_answered();
    ASSERT_EQ(reply_id, "<ack." + ana.filename().string() + "@ccre-cemr.org>");

    // An out-of-office from Ana's assistant answering our reply, without any
    // Auto-Submitted header (a robot that slipped through every other sign).
    imap_.append(kCemrFolder, mail("Rui <rui@example.pt>", "Re: Your application", "ooo@x.pt",
                                   "In-Reply-To: " + reply_id + "\r\n"));
    imap_.append(kCemrFolder, mail("Vacation <away@example.org>", "Policy Internship", "xa@x.org",
                                   "X-Autoreply: yes\r\n"));
    imap_.append(kCemrFolder,
                 mail("Out <out@example.org>", "Out of Office: away until May", "oof@x.org"));
    // Someone claiming to be us, with their own Reply-To.
    imap_.append(kCemrFolder, mail("CEMR <application@ccre-cemr.org>", "Policy Internship",
                                   "spoof@x.org", "Reply-To: victim@example.net\r\n"));
    imap_.append(kCemrFolder, mail("Digest <news@lists.example>", "Policy Internship", "list@x.org",
                                   "List-Unsubscribe: <mailto:u@lists.example>\r\n"));

    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(smtp_.received().size(), 1u) << output_;  // still only Ana's
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
    std::map<std::string, std::string> reasons;
    for (const auto& folder : application_folders()) {
        const Json record = Json::parse(fixtures::read_file(folder / "application.json"));
        const auto& ack = record["acknowledgement"];
        if (ack["status"] == "suppressed")
            reasons[record["applicant"]["email"]] = ack["reason"].get<std::string>();
    }
    EXPECT_EQ(reasons["rui@example.pt"], "auto-reply");
    EXPECT_EQ(reasons["away@example.org"], "auto-reply");
    EXPECT_EQ(reasons["out@example.org"], "auto-reply");
    EXPECT_EQ(reasons["application@ccre-cemr.org"], "own address");
    EXPECT_EQ(reasons["news@lists.example"], "mailing list");
}

TEST_F(Loops, ASenderWhoMailsFiftyTimesInAnHourGetsOneReply) {
    const char* subjects[] = {"Policy Internship", "Project Lead", "Candidature spontanée",
                              "Assistant, Logistics & Administration", "hello"};
    for (int n = 0; n < 50; ++n) {
        imap_.append(kCemrFolder, mail("Flo <flo@example.org>", subjects[n % 5],
                                       "flood-" + std::to_string(n) + "@x.org"));
    }
    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(application_folders().size(), 50u);  // every mail is filed for HR
    const auto sent = smtp_.received();
    ASSERT_EQ(sent.size(), 1u) << output_;
    EXPECT_EQ(sent[0].recipients, std::vector<std::string>{"flo@example.org"});
    EXPECT_NE(output_.find("rate limit"), std::string::npos);
}

TEST_F(Loops, ABounceOfOurReplyIsRecordedOnTheApplicationAndNeverAnswered) {
    const auto [ana, reply_id] = ana_answered();
    ASSERT_FALSE(reply_id.empty());
    const std::string bounce =
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.pt>\r\n"
        "To: application@ccre-cemr.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Date: Mon, 10 Mar 2025 12:00:00 +0100\r\n"
        "Message-ID: <bounce-1@mx.example.pt>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n"
        "\r\n--b\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your "
        "message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.pt\r\n"
        "\r\nFinal-Recipient: rfc822; ana.silva@example.pt\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <ana.silva@example.pt>: user unknown\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: CEMR <application@ccre-cemr.org>\r\n"
        "To: ana.silva@example.pt\r\nMessage-ID: " +
        reply_id + "\r\nSubject: Your application\r\n--b--\r\n";
    imap_.append(kCemrFolder, bounce);

    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(smtp_.received().size(), 1u) << output_;  // nobody answered the bounce
    EXPECT_EQ(application_folders().size(), 1u);        // and it is no application
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
    EXPECT_EQ(imap_.uids("Intake/Processed/cemr").size(), 2u);

    const Json record = Json::parse(fixtures::read_file(ana / "application.json"));
    EXPECT_EQ(record["acknowledgement"]["status"], "bounced");
    EXPECT_NE(record["acknowledgement"]["reason"].get<std::string>().find("5.1.1"),
              std::string::npos);
    const std::string csv = fixtures::read_file(ana.parent_path() / "applications.csv");
    EXPECT_NE(csv.find(",bounced,"), std::string::npos) << csv;
    EXPECT_NE(output_.find("bounced (5.1.1)"), std::string::npos) << output_;
    EXPECT_EQ(output_.find("user unknown"), std::string::npos) << output_;  // not in the log
}

}  // namespace
}  // namespace intake::e2e
