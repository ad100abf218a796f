// RFC 2047 encoded words: both encodings, many charsets, joining and leniency.
#include <gtest/gtest.h>

#include "mime/mime.h"

namespace intake::mime {
namespace {

TEST(MimeDecodeWords, BAndQInUtf8) {
    EXPECT_EQ(decode_words("=?UTF-8?B?w4lsb8Ovc2UgTcOpbmFyZA==?="), "Éloïse Ménard");
    EXPECT_EQ(decode_words("=?UTF-8?Q?Stefan_Petrovi=C4=87?="), "Stefan Petrović");
    EXPECT_EQ(decode_words("=?utf-8?q?Project_Lead_=E2=80=93_Joana_Pires?="),
              "Project Lead – Joana Pires");
}

TEST(MimeDecodeWords, OtherCharsets) {
    EXPECT_EQ(decode_words("=?iso-8859-1?Q?Candidature_spontan=E9e?="), "Candidature spontanée");
    EXPECT_EQ(decode_words("=?ISO-8859-1?B?R2HrbGxl?="), "Gaëlle");
    EXPECT_EQ(decode_words("=?windows-1252?Q?D=92Hondt_=96_Project_Lead?="),
              "D’Hondt – Project Lead");
    EXPECT_EQ(decode_words("=?iso-8859-2?Q?Zieli=F1ski?="), "Zieliński");
    EXPECT_EQ(decode_words("=?koi8-r?B?8NLJ18XU?="), "Привет");
}

TEST(MimeDecodeWords, WhiteSpaceBetweenEncodedWordsIsDropped) {
    EXPECT_EQ(
        decode_words("=?UTF-8?Q?Assistant=2C_Logistics_=26_Administration_=E2=80=93_Dorota_Wron?= "
                     "=?UTF-8?Q?a?="),
        "Assistant, Logistics & Administration – Dorota Wrona");
    EXPECT_EQ(decode_words("=?UTF-8?Q?a?=\r\n\t =?UTF-8?Q?b?="), "ab");
    // ... but kept between a word and ordinary text.
    EXPECT_EQ(decode_words("Re: =?UTF-8?Q?caf=C3=A9?= au lait"), "Re: café au lait");
    EXPECT_EQ(decode_words("=?UTF-8?Q?caf=C3=A9?= =?ISO-8859-1?Q?_cr=E8me?="), "café crème");
}

TEST(MimeDecodeWords, CharacterSplitAcrossTwoWordsIsJoined) {
    // "ã" (C3 A3) split between two B words: the bytes are joined before conversion.
    EXPECT_EQ(decode_words("=?UTF-8?B?Sm/D?= =?UTF-8?B?o28=?="), "João");
}

TEST(MimeDecodeWords, MalformedWordsStayAsWritten) {
    EXPECT_EQ(decode_words("=?UTF-8?X?abc?="), "=?UTF-8?X?abc?=");
    EXPECT_EQ(decode_words("=?UTF-8?Q?unterminated"), "=?UTF-8?Q?unterminated");
    EXPECT_EQ(decode_words("Price =? 5 ?= maybe"), "Price =? 5 ?= maybe");
    EXPECT_EQ(decode_words("=??Q?x?="), "=??Q?x?=");
    EXPECT_EQ(decode_words("plain text"), "plain text");
    EXPECT_EQ(decode_words(""), "");
}

TEST(MimeDecodeWords, LenientForms) {
    // Glued to text, RFC 2231 language suffix, lower-case encoding letter, unknown charset.
    EXPECT_EQ(decode_words("TR:=?UTF-8?Q?Policy_Internship?="), "TR:Policy Internship");
    EXPECT_EQ(decode_words("=?UTF-8*fr?Q?=C3=A9t=C3=A9?="), "été");
    EXPECT_EQ(decode_words("=?x-unknown?Q?caf=E9?="), "café");
    EXPECT_EQ(decode_words("=?UTF-8?Q?two words?="), "two words");
}

TEST(MimeDecodeWords, ResultIsAlwaysValidUtf8) {
    EXPECT_EQ(decode_words("Am\xE9lie <a@b>"), "Amélie <a@b>");   // raw Latin-1 in a header
    EXPECT_EQ(decode_words("Am\xC3\xA9lie"), "Amélie");           // raw UTF-8 kept
    EXPECT_EQ(decode_words("=?UTF-8?B?/w==?="), "\xEF\xBF\xBD");  // a lone 0xFF byte
}

}  // namespace
}  // namespace intake::mime
