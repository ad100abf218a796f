#include "reply/reply.h"

#include <gtest/gtest.h>

#include "base/errors.h"

namespace intake::reply {
namespace {

config::Organisation organisation() {
    config::Organisation org;
    org.id = "cemr";
    org.name = "CEMR – Council of European Municipalities and Regions";
    org.address = "application@ccre-cemr.org";
    org.own_addresses = {"rh@ccre-cemr.org"};
    org.languages = {"en", "fr"};
    org.templates[{"fr", config::ReplyCase::received}] = {
        "Votre candidature : {posting_title}",
        "Bonjour {applicant_name},\n\nMerci pour votre candidature ({posting_title}), reçue le "
        "{received_date}.\n{{pas un champ}}\n",
        {}};
    return org;
}

mime::ParsedMessage message_with(std::vector<mime::Header> headers) {
    mime::ParsedMessage m;
    m.from = {"Marie Dupont", "marie.dupont@Example.ORG"};
    m.headers = std::move(headers);
    m.content_type = "multipart/mixed";
    return m;
}

TEST(Suppression, AnswersAnOrdinaryApplicant) {
    const auto m = message_with({});
    EXPECT_EQ(suppression_reason(m, organisation()), std::nullopt);
    EXPECT_EQ(reply_address(m), "marie.dupont@example.org");
}

TEST(Suppression, EveryRuleOfTheSpecHasItsReason) {
    const auto org = organisation();
    EXPECT_EQ(suppression_reason(message_with({{"Auto-Submitted", "auto-replied"}}), org),
              "auto-reply");
    EXPECT_EQ(suppression_reason(message_with({{"Auto-Submitted", "No"}}), org), std::nullopt);
    EXPECT_EQ(suppression_reason(message_with({{"X-Auto-Response-Suppress", "All"}}), org),
              "auto-reply");
    EXPECT_EQ(suppression_reason(message_with({{"Precedence", "bulk"}}), org), "mailing list");
    EXPECT_EQ(suppression_reason(message_with({{"Precedence", "junk"}}), org), "mailing list");
    EXPECT_EQ(suppression_reason(message_with({{"Precedence", "list"}}), org), "mailing list");
    EXPECT_EQ(suppression_reason(message_with({{"List-Id", "<hr.lists.example>"}}), org),
              "mailing list");
    EXPECT_EQ(suppression_reason(message_with({{"Return-Path", "<>"}}), org), "bounce");
    auto report = message_with({});
    report.content_type = "multipart/report";
    EXPECT_EQ(suppression_reason(report, org), "bounce");
    auto daemon = message_with({});
    daemon.from = {"Mail Delivery System", "MAILER-DAEMON@mx.example.org"};
    EXPECT_EQ(suppression_reason(daemon, org), "bounce");
    auto postmaster = message_with({});
    postmaster.from = {"", "postmaster@example.org"};
    EXPECT_EQ(suppression_reason(postmaster, org), "bounce");
    auto noreply = message_with({});
    noreply.from = {"Jobs board", "no-reply@jobs.example"};
    EXPECT_EQ(suppression_reason(noreply, org), "no-reply sender");
    auto own = message_with({});
    own.from = {"CEMR", "Application@ccre-cemr.org"};
    EXPECT_EQ(suppression_reason(own, org), "own address");
    auto own_other = message_with({});
    own_other.from = {"CEMR HR", "rh@ccre-cemr.org"};
    EXPECT_EQ(suppression_reason(own_other, org), "own address");
    auto injected = message_with({});
    injected.from = {"x", "a@b.org\r\nBcc: victim@example.org"};
    EXPECT_EQ(suppression_reason(injected, org), "invalid address");
}

TEST(Suppression, LoopsAndSpoofsAreNeverAnswered) {
    const auto org = organisation();
    // Vacation programs' own headers, and their subjects when they set none.
    for (const char* name : {"X-Autoreply", "X-Autorespond", "X-Auto-Reply"}) {
        EXPECT_EQ(suppression_reason(message_with({{name, "yes"}}), org), "auto-reply") << name;
    }
    for (const char* subject : {"Automatic reply: Policy Internship", "Out of Office: back in May",
                                "Réponse automatique : absent", "AUTO: away"}) {
        auto m = message_with({});
        m.subject = subject;
        EXPECT_EQ(suppression_reason(m, org), "auto-reply") << subject;
    }
    // Anything answering one of our acknowledgements.
    EXPECT_EQ(
        suppression_reason(
            message_with({{"In-Reply-To", "<ack.2025-03-02_marie-dupont_a1b2c3@ccre-cemr.org>"}}),
            org),
        "auto-reply");
    EXPECT_EQ(
        suppression_reason(message_with({{"References", "<x@y.org> <ack.id@CCRE-CEMR.org>"}}), org),
        "auto-reply");
    EXPECT_EQ(suppression_reason(message_with({{"In-Reply-To", "<ack.id@elsewhere.org>"}}), org),
              std::nullopt);
    // List headers besides List-Id.
    EXPECT_EQ(suppression_reason(message_with({{"List-Unsubscribe", "<mailto:u@l.org>"}}), org),
              "mailing list");
    // From claims to be us, Reply-To points elsewhere: still never answered.
    auto spoof = message_with({});
    spoof.from = {"CEMR", "application@ccre-cemr.org"};
    spoof.reply_to = mime::Address{"", "victim@example.net"};
    EXPECT_EQ(suppression_reason(spoof, org), "own address");
}

TEST(Suppression, OurAcknowledgementIdsAreFoundInAnyText) {
    const auto org = organisation();
    EXPECT_EQ(acknowledgement_ids(
                  "Message-ID: <ack.2025-03-02_marie_a1b2c3@ccre-cemr.org>\r\n"
                  "References: <ack.other@ccre-cemr.org> <ack.x@evil.org> <ack.@ccre-cemr.org>",
                  org),
              (std::vector<std::string>{"2025-03-02_marie_a1b2c3", "other"}));
    EXPECT_TRUE(acknowledgement_ids("<ack.unterminated@ccre-cemr.org", org).empty());
    EXPECT_EQ(acknowledgement_ids(reply_message_id("2025-03-02_x_abcdef", org), org),
              std::vector<std::string>{"2025-03-02_x_abcdef"});
}

TEST(Suppression, ReplyToWinsOverFrom) {
    auto m = message_with({});
    m.reply_to = mime::Address{"", "marie.private@example.net"};
    EXPECT_EQ(reply_address(m), "marie.private@example.net");
}

TEST(Language, ApplicantsLanguageWhenOfferedElseEnglish) {
    const auto org = organisation();
    EXPECT_EQ(choose_language("fr", org), "fr");
    EXPECT_EQ(choose_language("pt", org), "en");
    EXPECT_EQ(choose_language(std::nullopt, org), "en");
}

TEST(Render, FillsPlaceholdersInTheApplicantsLanguage) {
    const auto org = organisation();
    config::Posting posting;
    posting.id = "policy-internship";
    posting.titles = {{"en", "Policy Internship"}, {"fr", "Stage – Politiques"}};
    record::Application app;
    app.posting = "policy-internship";
    app.received_at = "2025-03-02T10:15:00Z";
    app.applicant.name = "Marie Dupont";
    app.acknowledgement.language = "fr";
    const Text text = render(app, org, posting);
    EXPECT_EQ(text.subject, "Votre candidature : Stage – Politiques");
    EXPECT_EQ(
        text.body,
        "Bonjour Marie Dupont,\n\nMerci pour votre candidature (Stage – Politiques), reçue le "
        "2025-03-02.\n{pas un champ}\n");
}

TEST(Render, TheTooLargeNoticeNamesTheLimit) {
    auto org = organisation();
    org.templates[{"fr", config::ReplyCase::too_large}] = {
        "Trop volumineux",
        "Bonjour {applicant_name}, votre message du {received_date} dépasse "
        "{size_limit}.{posting_title}\n",
        {}};
    const Text text =
        render_too_large(org, "fr", "Marie Dupont", "2025-03-02T10:15:00Z", 50u << 20);
    EXPECT_EQ(text.subject, "Trop volumineux");
    EXPECT_EQ(text.body, "Bonjour Marie Dupont, votre message du 2025-03-02 dépasse 50 MB.\n");
    EXPECT_THROW(render_too_large(org, "en", "Marie", "2025-03-02", 1), InternalError);
}

TEST(Render, SizesReadAsPeopleWriteThem) {
    EXPECT_EQ(human_size(50u << 20), "50 MB");
    EXPECT_EQ(human_size(3u << 19), "1.5 MB");
    EXPECT_EQ(human_size(3072), "3 KB");
    EXPECT_EQ(human_size(1), "1 KB");
    EXPECT_EQ(human_size(1023u << 10), "1023 KB");
}

TEST(Compose, ThreadedQuotedPrintableAutoReply) {
    const auto org = organisation();
    const std::string mail =
        compose({"Votre candidature : Stage – Politiques", "Reçue.\n.\nFrom here\n"}, org,
                "marie@example.org", {"<abc@example.org>", "<root@example.org>"},
                reply_message_id("2025-03-02_marie_7f3a9c", org), std::chrono::system_clock::now());
    EXPECT_NE(mail.find("From: =?UTF-8?B?"), std::string::npos);
    EXPECT_NE(mail.find(" <application@ccre-cemr.org>\r\n"), std::string::npos);
    EXPECT_NE(mail.find("To: marie@example.org\r\n"), std::string::npos);
    EXPECT_NE(mail.find("Subject: =?UTF-8?B?"), std::string::npos);
    EXPECT_NE(mail.find("Message-ID: <ack.2025-03-02_marie_7f3a9c@ccre-cemr.org>\r\n"),
              std::string::npos);
    EXPECT_NE(mail.find("In-Reply-To: <abc@example.org>\r\n"), std::string::npos);
    EXPECT_NE(mail.find("References: <root@example.org>\r\n <abc@example.org>\r\n"),
              std::string::npos);
    EXPECT_NE(mail.find("Auto-Submitted: auto-replied\r\n"), std::string::npos);
    EXPECT_NE(mail.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
    EXPECT_NE(mail.find("Content-Transfer-Encoding: quoted-printable\r\n"), std::string::npos);
    EXPECT_NE(mail.find("\r\n\r\nRe=C3=A7ue.\r\n=2E\r\n=46rom here\r\n"), std::string::npos);
    // Every line within the RFC 5322 limit, CRLF only.
    std::size_t start = 0;
    while (start < mail.size()) {
        const auto end = mail.find("\r\n", start);
        ASSERT_NE(end, std::string::npos);
        EXPECT_LE(end - start, 78u);
        start = end + 2;
    }
}

}  // namespace
}  // namespace intake::reply
