#include "reply/reply.h"

#include <gtest/gtest.h>

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
