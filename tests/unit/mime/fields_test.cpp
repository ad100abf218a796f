// Header-level details through parse_message: address forms, parameters
// (quoting, RFC 2231 precedence), transfer encodings and defaults.
#include <gtest/gtest.h>

#include "mime/mime.h"

namespace intake::mime {
namespace {

ParsedMessage parse(const std::string& raw) { return parse_message(raw, Limits{}); }

std::string with_from(const std::string& from) {
    return "From: " + from + "\r\nSubject: s\r\n\r\nbody\r\n";
}

TEST(MimeFields, AddressForms) {
    auto from = [](const std::string& value) { return parse(with_from(value)).from; };
    EXPECT_EQ(from("jane@example.org").address, "jane@example.org");
    EXPECT_EQ(from("jane@example.org").name, "");
    EXPECT_EQ(from("Jane Doe <jane@example.org>").name, "Jane Doe");
    EXPECT_EQ(from("\"Doe, Jane\" <jane@example.org>").name, "Doe, Jane");
    EXPECT_EQ(from("\"Jane \\\"JD\\\" Doe\" <jane@example.org>").name, "Jane \"JD\" Doe");
    EXPECT_EQ(from("jane@example.org (Jane Doe)").name, "Jane Doe");
    EXPECT_EQ(from("jane@example.org (Jane Doe)").address, "jane@example.org");
    EXPECT_EQ(from("<jane@example.org>").address, "jane@example.org");
    EXPECT_EQ(from("Jane (work) <jane@example.org>").name, "Jane");
    EXPECT_EQ(from("=?UTF-8?Q?Jo=C3=A3o?= =?UTF-8?Q?_Gon=C3=A7alves?= <j@example.pt>").name,
              "João Gonçalves");
    EXPECT_EQ(from("\"=?UTF-8?B?w4lsb8Ovc2U=?=\" <e@example.fr>").name, "Éloïse");
    EXPECT_EQ(from("'Jane Doe' <jane@example.org>").name, "Jane Doe");
    EXPECT_EQ(from("<@relay.example:jane@example.org>").address, "jane@example.org");
    // Several mailboxes and groups: the first real address.
    EXPECT_EQ(from("Applicants: Jane <jane@example.org>, bob@example.org;").address,
              "jane@example.org");
    EXPECT_EQ(from("jane@example.org, bob@example.org").address, "jane@example.org");
    // A display name whose decoded text holds '<' and ',' does not confuse the parse.
    EXPECT_EQ(from("=?UTF-8?Q?A=2C_B_=3Cx=3E?= <ab@example.org>").name, "A, B <x>");
    EXPECT_EQ(from("=?UTF-8?Q?A=2C_B_=3Cx=3E?= <ab@example.org>").address, "ab@example.org");
}

TEST(MimeFields, ReplyToAbsentOrPresent) {
    EXPECT_FALSE(parse(with_from("a@example.org")).reply_to.has_value());
    const ParsedMessage m =
        parse("From: a@example.org\r\nReply-To: Other <o@example.org>\r\n\r\nx");
    ASSERT_TRUE(m.reply_to.has_value());
    EXPECT_EQ(m.reply_to->address, "o@example.org");
    EXPECT_EQ(m.reply_to->name, "Other");
}

std::string one_attachment(const std::string& headers, const std::string& body = "JVBERi0xLjQK") {
    return "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
           "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\n" +
           headers + "\r\n\r\n" + body + "\r\n--b--\r\n";
}

std::string name_of(const std::string& headers) {
    const ParsedMessage m =
        parse(one_attachment(headers + "\r\nContent-Transfer-Encoding: base64"));
    return m.attachments.empty() ? "<none>" : m.attachments[0].file_name;
}

TEST(MimeFields, FileNamePrecedenceAndQuoting) {
    EXPECT_EQ(name_of("Content-Type: application/pdf; name=\"CV; final.pdf\""), "CV; final.pdf");
    EXPECT_EQ(name_of("Content-Type: application/pdf; name=\"a\\\"b.pdf\""), "a\"b.pdf");
    EXPECT_EQ(name_of("Content-Type: application/pdf; name=CV final.pdf"), "CV final.pdf");
    EXPECT_EQ(name_of("Content-Type: application/pdf; name=\"unterminated.pdf"),
              "unterminated.pdf");
    // filename* > filename > name* > name.
    EXPECT_EQ(
        name_of("Content-Type: application/pdf; name=n.pdf; name*=UTF-8''n%C3%A9.pdf\r\n"
                "Content-Disposition: attachment; filename=f.pdf; filename*=UTF-8''f%C3%A9.pdf"),
        "fé.pdf");
    EXPECT_EQ(name_of("Content-Type: application/pdf; name=n.pdf; name*=UTF-8''n%C3%A9.pdf\r\n"
                      "Content-Disposition: attachment; filename=f.pdf"),
              "f.pdf");
    EXPECT_EQ(name_of("Content-Type: application/pdf; name=n.pdf; name*=UTF-8''n%C3%A9.pdf\r\n"
                      "Content-Disposition: attachment"),
              "né.pdf");
    EXPECT_EQ(name_of("Content-Type: application/pdf; NAME=\"Upper.pdf\""), "Upper.pdf");
    // Plain continuation pieces, mixed with an encoded first piece in another charset.
    EXPECT_EQ(name_of("Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
                      " filename*0*=iso-8859-1''Lettre_%E9t%E9_; filename*1=\"2025.pdf\""),
              "Lettre_été_2025.pdf");
    // Raw 8-bit names: UTF-8 kept, Latin-1 converted.
    EXPECT_EQ(name_of("Content-Type: application/pdf; name=\"Curr\xC3\xAD"
                      "culo.pdf\""),
              "Currículo.pdf");
    EXPECT_EQ(name_of("Content-Type: application/pdf; name=\"Curr\xED"
                      "culo.pdf\""),
              "Currículo.pdf");
}

TEST(MimeFields, TransferEncodings) {
    {
        // Base64 with garbage, spaces and short lines.
        const ParsedMessage m = parse(one_attachment(
            "Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: BASE64",
            "JVBE Ri0x\r\nLjQK!!\r\n"));
        ASSERT_EQ(m.attachments.size(), 1u);
        EXPECT_EQ(m.attachments[0].content, "%PDF-1.4\n");
    }
    {
        const ParsedMessage m =
            parse(one_attachment("Content-Type: application/octet-stream; "
                                 "name=q.bin\r\nContent-Transfer-Encoding: quoted-printable",
                                 "caf=C3=A9 =\r\nsoft =3D=XY"));
        ASSERT_EQ(m.attachments.size(), 1u);
        EXPECT_EQ(m.attachments[0].content, "café soft ==XY");
    }
    {
        const ParsedMessage m =
            parse(one_attachment("Content-Type: application/octet-stream; "
                                 "name=u.bin\r\nContent-Transfer-Encoding: x-uuencode",
                                 "begin 644 u.bin"));
        ASSERT_EQ(m.attachments.size(), 1u);
        EXPECT_EQ(m.attachments[0].content, "begin 644 u.bin");
        ASSERT_EQ(m.problems.size(), 1u);
        EXPECT_NE(m.problems[0].find("x-uuencode"), std::string::npos);
    }
}

// Base64 decoding writes into a buffer sized in advance (transfer.cpp): the edges
// of that size and mimetic's tolerance must survive it.
TEST(MimeFields, Base64EdgesDecodeAsMimeticReadsThem) {
    const auto decoded = [](const std::string& body) {
        const ParsedMessage m = parse(one_attachment(
            "Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64",
            body));
        return m.attachments.empty() ? std::string("<none>") : m.attachments[0].content;
    };
    EXPECT_EQ(decoded("QUJD"), "ABC");
    EXPECT_EQ(decoded("QUI="), "AB");
    EXPECT_EQ(decoded("QUI"), "AB");         // padding missing: the last group still counts
    EXPECT_EQ(decoded("QQ"), "A");           // two characters: one byte
    EXPECT_EQ(decoded("QUJDQ"), "ABC");      // one character alone is dropped
    EXPECT_EQ(decoded("QQ==QUJD"), "AABC");  // padding in the middle ends only its group
    EXPECT_EQ(decoded("QQ==\r\n"), "A");     // regular: decoded in one block
    EXPECT_EQ(decoded("QUJD\r\nQUI=\r\n"), "ABCAB");
    EXPECT_EQ(decoded("QU JD*QQ=="), "ABCA");  // stray characters between groups
    EXPECT_EQ(decoded("QQ=="
                      "="),
              "A");  // a third '=': mimetic's reading
    // Every byte value through a long body broken into 76-character lines, its
    // last group full, or padded with one or two '='.
    for (const int extra : {0, 1, 2}) {
        std::string bytes;
        for (int round = 0; round < 300; ++round) {
            for (int b = 0; b < 256; ++b) bytes += static_cast<char>((b * 7 + round) & 0xFF);
        }
        bytes.append(static_cast<std::size_t>(extra), '\xFF');
        static constexpr char kAlphabet[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        std::string encoded;
        for (std::size_t i = 0; i < bytes.size(); i += 3) {
            const auto at = [&](std::size_t k) {
                return k < bytes.size() ? static_cast<unsigned char>(bytes[k]) : 0u;
            };
            const unsigned v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
            encoded += kAlphabet[v >> 18 & 63];
            encoded += kAlphabet[v >> 12 & 63];
            encoded += i + 1 < bytes.size() ? kAlphabet[v >> 6 & 63] : '=';
            encoded += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
            if (encoded.size() % 78 == 76) encoded += "\r\n";
        }
        EXPECT_EQ(decoded(encoded + "\r\n"), bytes) << extra;
    }
}

TEST(MimeFields, UnnamedNonTextPartsAreAttachmentsUnnamedTextIsNot) {
    const ParsedMessage m = parse(
        "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\n\r\nfirst text, no header\r\n"
        "--b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4A==\r\n"
        "--b\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n"
        "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment\r\n\r\nnotes\r\n"
        "--b--\r\n");
    EXPECT_EQ(m.body_text, "first text, no header");
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].media_type, "image/jpeg");
    EXPECT_EQ(m.attachments[0].file_name, "");
    EXPECT_EQ(m.attachments[0].content, "\xFF\xD8\xFF\xE0");
    EXPECT_EQ(m.attachments[1].content, "notes");
    EXPECT_FALSE(m.attachments[1].inline_disposition);
}

TEST(MimeFields, AlternativeFallsBackToHtmlWhenPlainIsEmpty) {
    const ParsedMessage m = parse(
        "From: a@example.org\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\n \r\n"
        "--b\r\nContent-Type: text/html\r\n\r\n<p>Only &eacute;t&eacute; here</p>\r\n--b--\r\n");
    EXPECT_EQ(m.body_text, "Only été here");
}

TEST(MimeFields, HtmlCharsetFromMetaWhenTheHeaderHasNone) {
    const ParsedMessage m = parse(
        "From: a@example.org\r\nContent-Type: text/html\r\n\r\n"
        "<html><head><meta charset=\"iso-8859-1\"></head><body>Caf\xE9</body></html>\r\n");
    EXPECT_EQ(m.body_text, "Café");
}

TEST(MimeFields, LfOnlyLineEndsAndNoContentType) {
    const ParsedMessage m =
        parse("From: Jane <jane@example.org>\nSubject: Project Lead\n\nLine one\nLine two\n");
    EXPECT_EQ(m.subject, "Project Lead");
    EXPECT_EQ(m.content_type, "text/plain");
    EXPECT_EQ(m.body_text, "Line one\nLine two");
}

// Found by fuzz_decide (tests/data/fuzz/decide/media-type-not-utf8.eml): a type with
// stray bytes became the document's media type, and application.json (nlohmann::json
// takes UTF-8 only) could not be written. RFC 2045 §5.2: an invalid type is text/plain.
TEST(MimeFields, MediaTypeOutsideRfc2045TokensIsTheDefault) {
    auto type_of = [](const std::string& type) {
        const ParsedMessage m =
            parse(one_attachment("Content-Type: " + type +
                                 "\r\nContent-Disposition: attachment; filename=\"cv.pdf\"\r\n"
                                 "Content-Transfer-Encoding: base64"));
        return m.attachments.empty() ? "<none>" : m.attachments[0].media_type;
    };
    EXPECT_EQ(type_of("a\xFF\xFFpplication/pdf"), "text/plain");
    EXPECT_EQ(type_of("application/p\xC3\xA9"
                      "f"),
              "text/plain");
    EXPECT_EQ(type_of("application/pdf[1]"), "text/plain");
    EXPECT_EQ(type_of("application/"), "text/plain");
    EXPECT_EQ(type_of("application/pdf"), "application/pdf");
    EXPECT_EQ(type_of("Application/VND.openxmlformats-officedocument.wordprocessingml.document"),
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    EXPECT_EQ(type_of("application/x-pdf+xml"), "application/x-pdf+xml");
}

TEST(MimeFields, EncodedSubjectControlCharactersBecomeSpaces) {
    const ParsedMessage m = parse("Subject: =?UTF-8?Q?a=0D=0AInjected:_x?=\r\n\r\n");
    EXPECT_EQ(m.subject, "a  Injected: x");
}

TEST(MimeFields, Base64MessageRfc822IsDecodedAndDescended) {
    const std::string inner =
        "From: x@example.org\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\n"
        "Content-Type: application/pdf; name=inner.pdf\r\n\r\n%PDF-1.4 inner\r\n--i--\r\n";
    const std::string b64 =
        "RnJvbTogeEBleGFtcGxlLm9yZw0KQ29udGVudC1UeXBlOiBtdWx0aXBhcnQvbWl4ZWQ7IGJvdW5kYXJ5"
        "PWkNCg0KLS1pDQpDb250ZW50LVR5cGU6IGFwcGxpY2F0aW9uL3BkZjsgbmFtZT1pbm5lci5wZGYNCg0K"
        "JVBERi0xLjQgaW5uZXINCi0taS0tDQo=";
    const ParsedMessage m = parse(
        "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
        b64 + "\r\n--b--\r\n");
    (void)inner;
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].file_name, "inner.pdf");
    EXPECT_EQ(m.attachments[0].content, "%PDF-1.4 inner");
}

TEST(MimeFields, NestedUnclosedMultipartDoesNotSwallowLaterParts) {
    const ParsedMessage m = parse(
        "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n"
        "--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
        "--inner\r\nContent-Type: text/plain\r\n\r\nthe letter\r\n"
        "--outer\r\nContent-Type: application/pdf; name=cv.pdf\r\n\r\n%PDF-1.4\r\n--outer--\r\n");
    EXPECT_EQ(m.body_text, "the letter");
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].file_name, "cv.pdf");
    EXPECT_EQ(m.problems, std::vector<std::string>{"missing closing boundary"});
}

TEST(MimeFields, MultipartWithoutBoundaryIsReadAsText) {
    const ParsedMessage m =
        parse("From: a@example.org\r\nContent-Type: multipart/mixed\r\n\r\nJust a letter.\r\n");
    EXPECT_EQ(m.content_type, "multipart/mixed");
    EXPECT_EQ(m.body_text, "Just a letter.");
    EXPECT_EQ(m.problems, std::vector<std::string>{"multipart without a boundary parameter"});
    const ParsedMessage n = parse(
        "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\nNo parts "
        "here.\r\n");
    EXPECT_EQ(n.body_text, "No parts here.");
    EXPECT_EQ(n.problems, std::vector<std::string>{"multipart without any boundary line"});
}

}  // namespace
}  // namespace intake::mime
