// parse_message on the project's own real-shaped mails (tests/data/eml): one
// test per client shape, asserting what later stages rely on.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/errors.h"
#include "base/text.h"
#include "mime/mime.h"

namespace intake::mime {
namespace {

std::string read_eml(const std::string& name) {
    std::ifstream in(std::filesystem::path(INTAKE_TEST_DATA) / "eml" / name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

ParsedMessage parse_eml(const std::string& name) {
    const std::string raw = read_eml(name);
    EXPECT_FALSE(raw.empty()) << name;
    return parse_message(raw, Limits{});
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

bool has_problem(const ParsedMessage& m, const std::string& p) {
    return std::find(m.problems.begin(), m.problems.end(), p) != m.problems.end();
}

using namespace std::chrono;

TEST(MimeMessage, GmailAlternativeAndPdfs) {
    const ParsedMessage m = parse_eml("gmail_policy_internship.eml");
    EXPECT_EQ(m.subject, "Policy Internship");
    EXPECT_EQ(m.from.name, "Laura Bianchi");
    EXPECT_EQ(m.from.address, "laura.bianchi.eu@gmail.com");
    EXPECT_FALSE(m.reply_to.has_value());
    EXPECT_EQ(m.message_id, "<CAJx7Lq9kP2mV3nR8sT1uW4yZ6bD0fH5jK@mail.gmail.com>");
    EXPECT_EQ(m.date, sys_days{2025y / January / 20} + 9h + 15min);
    EXPECT_EQ(m.received_date, sys_days{2025y / January / 20} + 9h + 15min + 9s);
    EXPECT_EQ(m.content_type, "multipart/mixed");
    // text/plain of the alternative, once (not also the HTML).
    EXPECT_EQ(
        m.body_text,
        "Dear CEMR team,\n\nPlease find attached my application for the Policy Internship "
        "(spring 2025): my CV and my cover letter, both in PDF.\n\nKind regards,\nLaura Bianchi");
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].file_name, "Laura_Bianchi_CV.pdf");
    EXPECT_EQ(m.attachments[0].content.size(), 633u);
    EXPECT_TRUE(m.attachments[0].content.starts_with("%PDF-1.4"));
    EXPECT_TRUE(contains(m.attachments[0].content, "Curriculum Vitae - Laura Bianchi"));
    EXPECT_EQ(m.attachments[0].content_id, "<f_m5x1a2b30>");
    EXPECT_FALSE(m.attachments[0].inline_disposition);
    EXPECT_EQ(m.attachments[1].file_name, "Laura_Bianchi_Cover_Letter.pdf");
    EXPECT_EQ(m.attachments[1].content.size(), 629u);
    EXPECT_TRUE(m.problems.empty());
}

TEST(MimeMessage, HeadersAreUnfoldedDecodedAndFoundCaseInsensitively) {
    const ParsedMessage m = parse_eml("outlook_signature_logo.eml");
    EXPECT_EQ(m.header("subject"), "Projects & Programmes Internship");
    EXPECT_EQ(m.header("CONTENT-TYPE"),
              "multipart/mixed; boundary=\"_004_DB9PR02MB7210C1A2B3C4D5E6F708DB9PR02MB7210eurp_\"");
    EXPECT_EQ(
        m.header("Received"),
        "from EUR02-DB5-obe.outbound.protection.outlook.com (EUR02-DB5-obe.outbound.protection."
        "outlook.com [40.107.24.61]) by mx1.ccre-cemr.org (Postfix) with ESMTPS id 4ZA7C81D2E for "
        "<application@ccre-cemr.org>; Tue, 04 Feb 2025 16:41:33 +0100");
    EXPECT_EQ(m.header("X-Not-There"), std::nullopt);
    EXPECT_EQ(m.headers.front().name, "Received");
    // A folded Message-ID (value on the next line) is trimmed.
    EXPECT_EQ(m.message_id,
              "<DB9PR02MB7210C1A2B3C4D5E6F708@DB9PR02MB7210.eurprd02.prod.outlook.com>");
}

TEST(MimeMessage, OutlookRelatedLogoAndDocx) {
    const ParsedMessage m = parse_eml("outlook_signature_logo.eml");
    EXPECT_EQ(m.from.address, "m.kowalska@student.uw.edu.pl");
    EXPECT_EQ(m.date, sys_days{2025y / February / 4} + 15h + 41min + 27s);
    EXPECT_TRUE(contains(m.body_text, "apply for the Projects & Programmes Internship"));
    EXPECT_TRUE(contains(m.body_text, "Uniwersytet Warszawski – Faculty"));  // QP UTF-8 decoded
    EXPECT_FALSE(contains(m.body_text, "Cambria"));                          // not the HTML's CSS
    ASSERT_EQ(m.attachments.size(), 2u);
    const Attachment& logo = m.attachments[0];
    EXPECT_EQ(logo.file_name, "image003.png");
    EXPECT_EQ(logo.media_type, "image/png");
    EXPECT_TRUE(logo.in_related);
    EXPECT_TRUE(logo.inline_disposition);
    EXPECT_EQ(logo.content_id, "<image003.png@01DB6A1B.2C3D4E50>");
    EXPECT_EQ(logo.content.size(), 100u);
    EXPECT_TRUE(logo.content.starts_with("\x89PNG"));
    const Attachment& cv = m.attachments[1];
    EXPECT_EQ(cv.file_name, "CV_Marta_Kowalska.docx");
    EXPECT_EQ(cv.media_type,
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    EXPECT_FALSE(cv.in_related);
    EXPECT_EQ(cv.content.size(), 940u);
    EXPECT_TRUE(cv.content.starts_with("PK\x03\x04"));
}

TEST(MimeMessage, AppleInlinePdfsBetweenHtmlPieces) {
    const ParsedMessage m = parse_eml("apple_inline_pdfs.eml");
    EXPECT_EQ(m.content_type, "multipart/alternative");
    EXPECT_TRUE(contains(m.body_text, "my cover letter for the PLATFORMA Internship"));
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].file_name, "CV_Jonas_Peeters.pdf");
    EXPECT_EQ(m.attachments[0].content.size(), 636u);
    EXPECT_EQ(m.attachments[1].file_name, "Cover_Letter_Jonas_Peeters.pdf");
    EXPECT_EQ(m.attachments[1].content.size(), 632u);
    for (const Attachment& a : m.attachments) {
        EXPECT_TRUE(a.inline_disposition);
        EXPECT_FALSE(a.in_related);
        EXPECT_TRUE(a.content.starts_with("%PDF"));
    }
}

TEST(MimeMessage, AppleHtmlPiecesAreJoinedIntoOneBody) {
    const ParsedMessage m = parse_eml("apple_mixed_inline_pdf.eml");
    EXPECT_EQ(m.subject, "Candidature spontanée – Inès Lefèvre");
    EXPECT_EQ(m.from.name, "Inès Lefèvre");
    EXPECT_EQ(
        m.body_text,
        "Bonjour,\n\nJe vous adresse ma candidature spontanée pour un poste en communication : "
        "voici mon CV.\n\nBien cordialement,\nInès Lefèvre");
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].file_name, "CV_Ines_Lefevre.pdf");
    EXPECT_EQ(m.attachments[0].content.size(), 614u);
    EXPECT_TRUE(m.attachments[0].inline_disposition);
}

TEST(MimeMessage, ThunderbirdRfc2231Utf8Names) {
    const ParsedMessage m = parse_eml("thunderbird_rfc2231_utf8.eml");
    EXPECT_EQ(m.subject, "Candidature – Policy Internship");
    EXPECT_EQ(m.from.name, "Éloïse Dupont");
    // format=flowed: the soft break after "stage " is joined.
    EXPECT_TRUE(contains(m.body_text, "pour le stage « Policy Internship »."));
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].file_name, "Éloïse_Dupont_CV.pdf");
    EXPECT_EQ(m.attachments[0].content.size(), 599u);
    EXPECT_EQ(m.attachments[1].file_name, "Lettre_de_motivation_Éloïse.pdf");
    EXPECT_EQ(m.attachments[1].content.size(), 617u);
}

TEST(MimeMessage, ThunderbirdRfc2231Continuations) {
    const ParsedMessage m = parse_eml("thunderbird_rfc2231_continuation.eml");
    EXPECT_EQ(m.from.name, "Björn Müller-Schönberg");
    ASSERT_EQ(m.attachments.size(), 4u);
    // filename*0*= / filename*1*= both encoded.
    EXPECT_EQ(m.attachments[0].file_name, "Björn_Müller-Schönberg_Curriculum_Vitae_2025.pdf");
    EXPECT_EQ(m.attachments[0].content.size(), 625u);
    // Encoded piece 0, plain quoted piece 1, written out of order.
    EXPECT_EQ(m.attachments[1].file_name,
              "Björn_Müller-Schönberg_Motivationsschreiben Project Lead.pdf");
    EXPECT_EQ(m.attachments[1].content.size(), 616u);
    // filename*0= / filename*1= plain pieces win over name=.
    EXPECT_EQ(m.attachments[2].file_name, "References_Prof_Weber_and_Dr_Huber.pdf");
    // name*= in ISO-8859-1 with a language, no Content-Disposition.
    EXPECT_EQ(m.attachments[3].file_name, "Zeugnis_übersicht.odt");
    EXPECT_EQ(m.attachments[3].media_type, "application/vnd.oasis.opendocument.text");
    EXPECT_TRUE(m.attachments[3].inline_disposition);
    EXPECT_EQ(m.attachments[3].content.size(), 39u);
}

TEST(MimeMessage, NameParameterOnly) {
    const ParsedMessage m = parse_eml("webmail_name_only.eml");
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].file_name, "Yannick_Le_Goff_CV.pdf");
    EXPECT_EQ(m.attachments[1].file_name, "Yannick Le Goff - cover letter.pdf");
    EXPECT_EQ(m.attachments[1].content.size(), 611u);
    EXPECT_TRUE(m.attachments[0].inline_disposition);  // no Content-Disposition at all
    EXPECT_EQ(m.body_text,
              "Hello,\n\nMy CV and cover letter for a university internship (option A) are "
              "attached.\n\nYannick Le Goff");
}

TEST(MimeMessage, EncodedWordHeaders) {
    {
        const ParsedMessage m = parse_eml("encoded_subject_b_utf8.eml");
        EXPECT_EQ(m.subject, "Policy Internship – Zdeněk Novák");
        EXPECT_EQ(m.from.name, "Zdeněk Novák");
        EXPECT_EQ(m.from.address, "zdenek.novak@seznam.cz");
        EXPECT_EQ(m.content_type, "text/plain");
        EXPECT_TRUE(contains(m.body_text, "S pozdravem,\nZdeněk Novák"));  // base64 UTF-8 body
        EXPECT_TRUE(m.attachments.empty());
    }
    {
        const ParsedMessage m = parse_eml("encoded_subject_q_latin1.eml");
        EXPECT_EQ(m.subject, "Candidature spontanée - chargée de communication");
        EXPECT_EQ(m.from.name, "Gaëlle Le Cléac'h");
        EXPECT_TRUE(
            contains(m.body_text, "un poste de chargée de communication."));  // QP soft break
    }
    {
        const ParsedMessage m = parse_eml("encoded_subject_windows1252.eml");
        EXPECT_EQ(m.subject, "Project Lead – candidature de François D’Hondt");
        EXPECT_EQ(m.from.name, "François D’Hondt");
        EXPECT_EQ(m.from.address, "francois.dhondt@telenet.be");
        EXPECT_TRUE(contains(m.body_text, "Project Lead – je reste à votre disposition"));
    }
    {
        const ParsedMessage m = parse_eml("encoded_words_adjacent.eml");
        EXPECT_EQ(m.subject, "Candidatura espontânea – João Gonçalves (mobilidade europeia)");
        EXPECT_EQ(m.from.name, "João Gonçalves");
        EXPECT_TRUE(contains(m.body_text, "mobilidade europeia (opção B)"));
    }
}

TEST(MimeMessage, EncodedFileNamesInQuotes) {
    const ParsedMessage m = parse_eml("gmail_encoded_filename.eml");
    EXPECT_EQ(m.subject, "Modelling EU affairs (D.3)");
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].file_name, "CV_Marta_Fernández_Ruiz.pdf");
    EXPECT_EQ(m.attachments[1].file_name,
              "Carta de motivación – inmersión D.3 Marta Fernández.pdf");
    EXPECT_EQ(m.attachments[1].content.size(), 618u);
    EXPECT_TRUE(contains(m.body_text, "mi carta de motivación para la inmersión D.3"));
}

TEST(MimeMessage, ForwardedApplicationInMessageRfc822) {
    const ParsedMessage m = parse_eml("forwarded_rfc822_application.eml");
    EXPECT_EQ(m.subject, "Fwd: Project Lead");
    EXPECT_EQ(m.from.address, "claire.martin@ccre-cemr.org");
    // The forwarding note is the body; the embedded mail's text is not.
    EXPECT_EQ(m.body_text,
              "Forwarding an application that arrived at contact@ by mistake.\n\nClaire");
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].file_name, "Piotr_Zielinski_CV.pdf");
    EXPECT_EQ(m.attachments[0].content.size(), 630u);
    EXPECT_EQ(m.attachments[1].file_name, "Piotr_Zielinski_Cover_Letter.docx");
    EXPECT_EQ(m.attachments[1].content.size(), 921u);
    EXPECT_TRUE(m.attachments[1].content.starts_with("PK"));
}

TEST(MimeMessage, BounceReport) {
    const ParsedMessage m = parse_eml("bounce_multipart_report.eml");
    EXPECT_EQ(m.content_type, "multipart/report");
    EXPECT_EQ(m.from.name, "Mail Delivery System");
    EXPECT_EQ(m.from.address, "Mailer-Daemon@mx.atlanticcities.eu");
    EXPECT_EQ(m.header("X-Failed-Recipients"), "m.oliveira@sapo.example");
    EXPECT_TRUE(contains(m.body_text, "550 5.1.1 User unknown"));
    EXPECT_FALSE(contains(m.body_text, "Dear Ms Oliveira"));
    EXPECT_FALSE(contains(m.body_text, "Reporting-MTA"));
    // The returned message's attachment is found by descending into it.
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].file_name, "Atlantic_Cities_information.pdf");
    EXPECT_EQ(m.attachments[0].content.size(), 625u);
}

TEST(MimeMessage, SinglePartPlainText) {
    const ParsedMessage m = parse_eml("plain_single_part.eml");
    EXPECT_EQ(m.content_type, "text/plain");
    EXPECT_TRUE(m.body_text.starts_with(
        "Dear Sir or Madam,\n\nI am writing to apply for an internship at CEMR."));
    EXPECT_TRUE(m.body_text.ends_with("Yours sincerely,\nSofia Andersson"));
    EXPECT_EQ(m.date, sys_days{2025y / January / 28} + 19h + 10min + 58s);  // "(UTC)" comment
    EXPECT_TRUE(m.attachments.empty());
}

TEST(MimeMessage, HtmlOnly) {
    const ParsedMessage m = parse_eml("html_only.eml");
    EXPECT_EQ(m.content_type, "text/html");
    EXPECT_EQ(m.from.name, "Dubois, Anaïs");  // quoted name with a comma, raw UTF-8
    EXPECT_EQ(m.from.address, "anais.dubois@web.example");
    EXPECT_EQ(m.date, sys_days{2025y / March / 10} + 9h + 1min);  // "10 Mar 25 10:01 +0100"
    EXPECT_EQ(
        m.body_text,
        "Application – Project Lead\n\nDear Madam or Sir,\n\nI am applying for the Project Lead "
        "post; my CV is attached… actually it is not, so here is a summary:\n\nTen years in EU "
        "project management\nFluent in English, Français & Español\n\nPhone +32 470 12 34 56\n\n"
        "Kind regards,\nAnaïs Dubois—Brussels");
    EXPECT_TRUE(m.attachments.empty());
}

TEST(MimeMessage, MissingClosingBoundaryStillYieldsBothDocuments) {
    const ParsedMessage m = parse_eml("unclosed_boundary.eml");
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].file_name, "Katarzyna_Wrona_CV.pdf");
    EXPECT_EQ(m.attachments[0].content.size(), 613u);
    EXPECT_EQ(m.attachments[1].file_name, "Katarzyna_Wrona_motivation_letter.pdf");
    EXPECT_EQ(m.attachments[1].content.size(), 616u);
    EXPECT_TRUE(m.attachments[1].content.ends_with("%%EOF\n"));
    EXPECT_TRUE(has_problem(m, "missing closing boundary"));
    EXPECT_TRUE(contains(m.body_text, "my motivation letter for the assistant post"));
}

TEST(MimeMessage, GarbageAndEmptyInputGiveBestEffortResults) {
    const ParsedMessage garbage = parse_eml("garbage_binary.eml");
    EXPECT_TRUE(has_problem(garbage, "no header fields"));
    EXPECT_TRUE(garbage.headers.empty());
    EXPECT_EQ(garbage.content_type, "text/plain");
    EXPECT_TRUE(garbage.subject.empty());
    EXPECT_EQ(text::valid_utf8(garbage.body_text), garbage.body_text);
    EXPECT_FALSE(garbage.body_text.empty());

    const ParsedMessage empty = parse_message("", Limits{});
    EXPECT_TRUE(has_problem(empty, "empty message"));
    EXPECT_TRUE(empty.body_text.empty());
    EXPECT_TRUE(empty.attachments.empty());
    ASSERT_TRUE(read_eml("empty.eml").empty());
    EXPECT_EQ(parse_message(read_eml("empty.eml"), Limits{}).problems, empty.problems);
}

TEST(MimeMessage, Latin1EightBitBody) {
    const ParsedMessage m = parse_eml("latin1_8bit_body.eml");
    EXPECT_EQ(m.from.name, "Aurélie Guégan");  // raw Latin-1 bytes in the header
    EXPECT_EQ(m.date, sys_days{2025y / April / 8} + 12h + 16min + 58s);
    EXPECT_TRUE(contains(m.body_text,
                         "Je suis disponible dès le 5 mai ; mon conseiller Pôle emploi a validé"));
    EXPECT_TRUE(m.body_text.ends_with("Aurélie Guégan"));
}

TEST(MimeMessage, WinmailDatIsAnAttachment) {
    const ParsedMessage m = parse_eml("outlook_winmail_dat.eml");
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].file_name, "winmail.dat");
    EXPECT_EQ(m.attachments[0].media_type, "application/ms-tnef");
    EXPECT_EQ(m.attachments[0].content.size(), 61u);
    EXPECT_TRUE(m.attachments[0].content.starts_with("\x78\x9f\x3e\x22"));
    EXPECT_TRUE(contains(m.body_text, "application for the Project Lead position"));
}

TEST(MimeMessage, NamedTextPartIsAnAttachmentNotBody) {
    const ParsedMessage m = parse_eml("text_attachment_cv.eml");
    EXPECT_EQ(m.body_text, "Hello,\n\nmy CV is attached as a plain text file.\n\nLukas");
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].file_name, "Lukas_Brandt_CV.txt");
    EXPECT_EQ(m.attachments[0].media_type, "text/plain");
    EXPECT_EQ(m.attachments[0].content,
              "CURRICULUM VITAE\nLukas Brandt\nEducation: Freie Universität Berlin, MA Politics\n");
}

TEST(MimeMessage, FlowedTextReplyToAndCommentedFrom) {
    const ParsedMessage m = parse_eml("flowed_reply_to.eml");
    EXPECT_EQ(m.from.name, "O'Sullivan, Niamh");
    EXPECT_EQ(m.from.address, "niamh.osullivan@riseup.net");
    ASSERT_TRUE(m.reply_to.has_value());
    EXPECT_EQ(m.reply_to->name, "Niamh Ó Súileabháin");
    EXPECT_EQ(m.reply_to->address, "niamh.os@proton.example");
    EXPECT_EQ(m.date, sys_days{2025y / April / 17} + 20h + 9min + 51s);  // no weekday, GMT
    // delsp=yes: the soft-break space goes; the signature separator "-- " stays a line.
    EXPECT_EQ(
        m.body_text,
        "Dear Atlantic Cities team,\n\nI am sending a speculative application for a role in EU "
        "project management; I speak English, Irish and Spanish.\n\n-- \nNiamh");
}

TEST(MimeMessage, DeepNestingOverTheLimitIsRefused) {
    try {
        parse_message(read_eml("deep_nesting.eml"), Limits{});
        FAIL() << "expected PermanentError";
    } catch (const PermanentError& e) {
        EXPECT_TRUE(contains(e.what(), "limits.max_depth")) << e.what();
    }
    Limits generous;
    generous.max_depth = 30;
    const ParsedMessage m = parse_message(read_eml("deep_nesting.eml"), generous);
    EXPECT_EQ(m.body_text, "Too deep.");
}

}  // namespace
}  // namespace intake::mime
