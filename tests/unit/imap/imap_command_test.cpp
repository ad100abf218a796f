#include "imap/imap_command.h"

#include <gtest/gtest.h>

#include "base/errors.h"

namespace intake::imap {
namespace {

TEST(ImapCommand, UidSetJoinsRunsIntoRanges) {
    EXPECT_EQ(uid_set({Uid{1}}), "1");
    EXPECT_EQ(uid_set({Uid{1}, Uid{2}, Uid{3}}), "1:3");
    EXPECT_EQ(uid_set({Uid{9}, Uid{1}, Uid{3}, Uid{2}, Uid{7}, Uid{10}, Uid{3}}), "1:3,7,9:10");
    EXPECT_EQ(uid_set({Uid{4294967294u}, Uid{4294967295u}}), "4294967294:4294967295");
    EXPECT_EQ(uid_set({}), "");
}

TEST(ImapCommand, ModifiedUtf7KeepsPrintableAscii) {
    EXPECT_EQ(encode_modified_utf7("Intake/Processed"), "Intake/Processed");
    EXPECT_EQ(encode_modified_utf7("A & B"), "A &- B");
    EXPECT_EQ(encode_modified_utf7(""), "");
}

TEST(ImapCommand, ModifiedUtf7EncodesOtherCharacters) {
    // RFC 3501 §5.1.3 examples and Dovecot's own encoding of accented names.
    EXPECT_EQ(encode_modified_utf7("Traité"), "Trait&AOk-");
    EXPECT_EQ(encode_modified_utf7("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    EXPECT_EQ(encode_modified_utf7("Candidatures reçues"), "Candidatures re&AOc-ues");
    EXPECT_EQ(encode_modified_utf7("tab\there"), "tab&AAk-here");
    EXPECT_EQ(encode_modified_utf7("😀"), "&2D3eAA-");  // a surrogate pair
}

TEST(ImapCommand, ModifiedUtf7RejectsInvalidUtf8) {
    EXPECT_THROW(encode_modified_utf7("bad\xff"), ConfigError);
    EXPECT_THROW(encode_modified_utf7("cut\xc3"), ConfigError);
    EXPECT_THROW(encode_modified_utf7("overlong\xc0\xaf"), ConfigError);
    EXPECT_THROW(encode_modified_utf7("surrogate\xed\xa0\x80"), ConfigError);
}

TEST(ImapCommand, ServerFolderNameUsesTheServersSeparator) {
    EXPECT_EQ(server_folder_name("Intake/Processed", '/'), "Intake/Processed");
    EXPECT_EQ(server_folder_name("Intake/Processed", '.'), "Intake.Processed");
    EXPECT_EQ(server_folder_name("Intake/Processed", std::nullopt), "Intake/Processed");
    EXPECT_EQ(server_folder_name("Intake/Échecs", '.'), "Intake.&AMk-checs");
}

TEST(ImapCommand, QuotedStringEscapes) {
    EXPECT_EQ(quoted_string("INBOX"), "\"INBOX\"");
    EXPECT_EQ(quoted_string("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
}

TEST(ImapCommand, Urls) {
    EXPECT_EQ(mailbox_url("imap://127.0.0.1:1143", "INBOX"), "imap://127.0.0.1:1143/INBOX");
    EXPECT_EQ(mailbox_url("imap://h", "Intake/Processed"), "imap://h/Intake%2FProcessed");
    EXPECT_EQ(mailbox_url("imap://h", "A &-B;x?"), "imap://h/A%20%26-B%3Bx%3F");
    EXPECT_EQ(message_url("imaps://h:993", "INBOX", Uid{42}), "imaps://h:993/INBOX/;UID=42");
}

}  // namespace
}  // namespace intake::imap
