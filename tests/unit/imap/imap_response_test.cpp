// The response parsers on text captured from Dovecot 2.3.19 through libcurl 7.88
// (custom commands hand their untagged lines, CRLF-terminated, to the write callback).
#include "imap/imap_response.h"

#include <gtest/gtest.h>

namespace intake::imap {
namespace {

// libcurl selects the mailbox itself, then our custom SELECT runs again.
constexpr std::string_view dovecot_select =
    "* OK [CLOSED] Previous mailbox closed.\r\n"
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags "
    "permitted.\r\n"
    "* 3 EXISTS\r\n"
    "* 0 RECENT\r\n"
    "* OK [UIDVALIDITY 1795433430] UIDs valid\r\n"
    "* OK [UIDNEXT 4] Predicted next UID\r\n";

TEST(ImapResponse, SelectGivesUidValidityAndExists) {
    EXPECT_EQ(parse_uid_validity(dovecot_select), UidValidity{1795433430});
    EXPECT_EQ(parse_exists(dovecot_select), 3u);
}

TEST(ImapResponse, SelectWithoutUidValidityGivesNothing) {
    EXPECT_FALSE(parse_uid_validity("* 0 EXISTS\r\n* OK [UIDNEXT 1] Predicted next UID\r\n"));
    EXPECT_FALSE(parse_exists("* OK [UIDVALIDITY 5] UIDs valid\r\n"));
}

TEST(ImapResponse, UidValidityOutOfRangeIsIgnored) {
    EXPECT_FALSE(parse_uid_validity("* OK [UIDVALIDITY 4294967296] UIDs valid\r\n"));
    EXPECT_FALSE(parse_uid_validity("* OK [UIDVALIDITY x12] UIDs valid\r\n"));
    EXPECT_EQ(parse_uid_validity("* OK [UIDVALIDITY 4294967295] UIDs valid\r\n"),
              UidValidity{4294967295u});
}

TEST(ImapResponse, SearchSortsAndDropsDuplicates) {
    const auto uids = parse_search("* SEARCH 9 1 4 4\r\n");
    ASSERT_EQ(uids.size(), 3u);
    EXPECT_EQ(uids[0], Uid{1});
    EXPECT_EQ(uids[1], Uid{4});
    EXPECT_EQ(uids[2], Uid{9});
}

TEST(ImapResponse, EmptySearchAndUnsolicitedLines) {
    EXPECT_TRUE(parse_search("* SEARCH\r\n").empty());
    const auto uids = parse_search("* 2 EXISTS\r\n* SEARCH 7\r\n* 1 RECENT\r\n");
    ASSERT_EQ(uids.size(), 1u);
    EXPECT_EQ(uids[0], Uid{7});
}

TEST(ImapResponse, SearchIgnoresCondstoreModseq) {
    const auto uids = parse_search("* SEARCH 2 5 (MODSEQ 917162500)\r\n");
    ASSERT_EQ(uids.size(), 2u);
    EXPECT_EQ(uids[1], Uid{5});
}

TEST(ImapResponse, CapabilitiesFromUntaggedLine) {
    const auto caps = parse_capabilities(
        "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
        "UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH BINARY move LITERAL+\r\n");
    EXPECT_NE(std::find(caps.begin(), caps.end(), "UIDPLUS"), caps.end());
    EXPECT_NE(std::find(caps.begin(), caps.end(), "MOVE"), caps.end());  // upper-cased
    EXPECT_NE(std::find(caps.begin(), caps.end(), "SORT=DISPLAY"), caps.end());
    EXPECT_EQ(std::find(caps.begin(), caps.end(), "CAPABILITY"), caps.end());
}

TEST(ImapResponse, CapabilitiesFromResponseCode) {
    const auto caps =
        parse_capabilities("A002 OK [CAPABILITY IMAP4rev1 SASL-IR UIDPLUS MOVE] Logged in\r\n");
    EXPECT_EQ(caps, (std::vector<std::string>{"IMAP4REV1", "MOVE", "SASL-IR", "UIDPLUS"}));
}

TEST(ImapResponse, ListRootGivesSeparator) {
    const auto slash = parse_list("* LIST (\\Noselect) \"/\" \"\"\r\n");
    ASSERT_EQ(slash.size(), 1u);
    EXPECT_EQ(slash[0].separator, '/');
    EXPECT_EQ(slash[0].name, "");
    const auto dot = parse_list("* LIST (\\Noselect) \".\" \"\"\r\n");
    ASSERT_EQ(dot.size(), 1u);
    EXPECT_EQ(dot[0].separator, '.');
}

TEST(ImapResponse, ListFlatNamespaceHasNoSeparator) {
    const auto entries = parse_list("* LIST (\\Noselect) NIL \"\"\r\n");
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_FALSE(entries[0].separator);
}

TEST(ImapResponse, ListNamesQuotedAtomsAndEscapes) {
    const auto entries = parse_list(
        "* LIST (\\Noselect \\HasChildren) \"/\" Intake\r\n"
        "* LIST (\\HasNoChildren) \"/\" \"Intake/Processed\"\r\n"
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
        "* LIST () \"/\" \"Say \\\"hi\\\" \\\\ there\"\r\n");
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[0].name, "Intake");
    EXPECT_EQ(entries[0].attributes, (std::vector<std::string>{"\\Noselect", "\\HasChildren"}));
    EXPECT_EQ(entries[1].name, "Intake/Processed");
    EXPECT_EQ(entries[2].name, "INBOX");
    EXPECT_EQ(entries[3].name, "Say \"hi\" \\ there");
    EXPECT_TRUE(entries[3].attributes.empty());
}

TEST(ImapResponse, ListSkipsMalformedLines) {
    EXPECT_TRUE(parse_list("* LIST \"/\" \"x\"\r\n* LIST (\\X) \"//\" \"y\"\r\n").empty());
}

TEST(ImapResponse, FetchFlagsOfTheRightUid) {
    constexpr std::string_view response =
        "* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))\r\n"
        "* 2 FETCH (FLAGS () UID 5)\r\n";
    EXPECT_EQ(parse_fetch_flags(response, Uid{1}),
              (std::vector<std::string>{"\\Seen", "\\Recent"}));
    EXPECT_EQ(parse_fetch_flags(response, Uid{5}), std::vector<std::string>{});
    EXPECT_FALSE(parse_fetch_flags(response, Uid{2}));  // "2" is a sequence number
}

TEST(ImapResponse, FetchFlagsWithModseqAndMissingMessage) {
    EXPECT_EQ(parse_fetch_flags("* 3 FETCH (UID 9 MODSEQ (12) FLAGS (\\Flagged))\r\n", Uid{9}),
              std::vector<std::string>{"\\Flagged"});
    EXPECT_FALSE(parse_fetch_flags("", Uid{9}));
    EXPECT_FALSE(parse_fetch_flags("* 3 FETCH (UID 9)\r\n", Uid{9}));
}

TEST(ImapResponse, AppendUidFromTaggedLine) {
    EXPECT_EQ(parse_append_uid("A003 OK [APPENDUID 1795433430 17] Append completed (0.020 + "
                               "0.000 + 0.019 secs)."),
              Uid{17});
    EXPECT_FALSE(parse_append_uid("A003 OK Append completed."));
    EXPECT_FALSE(parse_append_uid("A003 OK [APPENDUID 1795433430] Append completed."));
}

TEST(ImapResponse, ResponseCodes) {
    constexpr std::string_view exists =
        "A005 NO [ALREADYEXISTS] Mailbox already exists (0.001 "
        "+ 0.000 secs).";
    EXPECT_TRUE(has_response_code(exists, "ALREADYEXISTS"));
    EXPECT_TRUE(has_response_code(exists, "alreadyexists"));
    EXPECT_FALSE(has_response_code(exists, "ALREADY"));
    EXPECT_FALSE(has_response_code("A005 NO [CANNOT] Invalid mailbox name", "ALREADYEXISTS"));
    EXPECT_FALSE(has_response_code("A005 NO Mailbox already exists", "ALREADYEXISTS"));
}

// What libcurl 7.88's debug callback saw of "UID FETCH 1:2 (BODY.PEEK[])" from Dovecot
// 2.3.19 on a fresh connection: the greeting and login come first.
std::string fetch_stream(const std::string& first, const std::string& second) {
    return "* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] Dovecot (Debian) ready.\r\n"
           "A002 OK Logged in\r\n"
           "* 2 EXISTS\r\n"
           "A003 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n"
           "* 1 FETCH (UID 7 BODY[] {" +
           std::to_string(first.size()) + "}\r\n" + first +
           ")\r\n"
           "* 2 FETCH (UID 9 FLAGS (\\Seen) BODY[] {" +
           std::to_string(second.size()) + "}\r\n" + second +
           ")\r\n"
           "A004 OK Fetch completed (0.001 + 0.000 secs).\r\n";
}

TEST(ImapResponse, FetchBodiesTakesLiteralsByTheirSize) {
    // Inside a message, lines that look like responses are only bytes.
    const std::string first =
        "Subject: one\r\n\r\nA004 OK fake end\r\n* 5 FETCH (UID 3 BODY[] {2}\r\nxx\r\n";
    const std::string second = "Subject: two\r\n\r\nno line end at the end)";
    const std::string stream = fetch_stream(first, second);
    const auto bodies = parse_fetch_bodies(stream);
    ASSERT_TRUE(bodies);
    ASSERT_EQ(bodies->size(), 2u);
    EXPECT_EQ((*bodies)[0].uid, Uid{7});
    EXPECT_EQ((*bodies)[0].bytes, first);
    EXPECT_EQ((*bodies)[1].uid, Uid{9});
    EXPECT_EQ((*bodies)[1].bytes, second);
}

TEST(ImapResponse, FetchBodiesRefusesAStreamCutShortOrNotEndedByOk) {
    const std::string whole = fetch_stream("Subject: a\r\n\r\nbody\r\n", "Subject: b\r\n\r\n");
    ASSERT_TRUE(parse_fetch_bodies(whole));
    // Cut anywhere (libcurl ended early on a line inside a message that looked like
    // its tagged reply): never a message short of its bytes; fewer messages than
    // asked for at most, which the caller counts.
    for (size_t cut = 0; cut < whole.size(); ++cut) {
        const auto bodies = parse_fetch_bodies(std::string_view(whole).substr(0, cut));
        if (!bodies) continue;
        EXPECT_LT(bodies->size(), 2u) << cut;
        for (const FetchedBody& body : *bodies) {
            EXPECT_EQ(body.bytes, "Subject: a\r\n\r\nbody\r\n") << cut;
        }
    }
    std::string refused = whole;
    refused.replace(refused.find("A004 OK"), 7, "A004 NO");
    EXPECT_FALSE(parse_fetch_bodies(refused));
    EXPECT_FALSE(parse_fetch_bodies("* 1 FETCH (BODY[] {2}\r\nab)\r\nA1 OK\r\n"));  // no UID
}

TEST(ImapResponse, FetchInfoGivesFlagsAndSizeByUid) {
    const auto info = parse_fetch_info(
        "* 1 FETCH (UID 7 FLAGS (\\Seen \\Flagged) RFC822.SIZE 2048)\r\n"
        "* 2 FETCH (UID 9 RFC822.SIZE 10 FLAGS ())\r\n"
        "* 3 FETCH (FLAGS (\\Seen))\r\n");
    ASSERT_EQ(info.size(), 2u);
    EXPECT_EQ(info.at(7).flags, (std::vector<std::string>{"\\Seen", "\\Flagged"}));
    EXPECT_EQ(info.at(7).size, 2048u);
    EXPECT_TRUE(info.at(9).flags.empty());
    EXPECT_EQ(info.at(9).size, 10u);
}

}  // namespace
}  // namespace intake::imap

namespace intake::imap {
namespace {

TEST(ImapResponse, FetchSizesByUidAscending) {
    const auto sizes = parse_fetch_sizes(
        "* 2 FETCH (UID 9 RFC822.SIZE 52428801)\r\n"
        "* 1 FETCH (RFC822.SIZE 1098 UID 4)\r\n"
        "* 3 FETCH (UID 12)\r\n"                                   // no size: skipped
        "* 4 FETCH (UID 13 RFC822.SIZE 99999999999999999999)\r\n"  // too many digits
        "* OK still here\r\n");
    ASSERT_EQ(sizes.size(), 2u);
    EXPECT_EQ(sizes[0].uid, Uid{4});
    EXPECT_EQ(sizes[0].bytes, 1098u);
    EXPECT_EQ(sizes[1].uid, Uid{9});
    EXPECT_EQ(sizes[1].bytes, 52428801u);
    EXPECT_TRUE(parse_fetch_sizes("").empty());
}

}  // namespace
}  // namespace intake::imap
