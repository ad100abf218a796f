// MailboxClient against a real Dovecot. Every check of the mailbox afterwards goes
// through the fixture's own IMAP client (ImapProbe), not through MailboxClient.
#include "imap/imap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "base/errors.h"
#include "fixtures/dovecot.h"

namespace intake {
namespace {

using fixtures::DovecotOptions;
using fixtures::DovecotServer;
using imap::MailboxClient;
using imap::Uid;

imap::ServerSettings settings_for(const DovecotServer& server) {
    imap::ServerSettings settings;
    settings.url = server.url();
    settings.user = server.user();
    settings.password = Secret(server.password());
    settings.tls_verify = false;  // plain IMAP to loopback
    settings.timeout = std::chrono::seconds(5);
    return settings;
}

/// A realistic application mail: CRLF line ends, 8-bit UTF-8, a line starting with
/// a dot, trailing blank line, so byte-for-byte comparisons mean something.
std::string sample_message(const std::string& subject) {
    return "From: =?UTF-8?Q?Marie_Dupont?= <marie.dupont@example.org>\r\n"
           "To: application@ccre-cemr.org\r\n"
           "Subject: " +
           subject +
           "\r\n"
           "Message-ID: <" +
           subject +
           "@example.org>\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n"
           "\r\n"
           "Madame, Monsieur,\r\n"
           ".Je vous prie de trouver ci-joint ma candidature — stage été 2025.\r\n"
           "\r\n"
           "Cordialement,\r\n"
           "Marie\r\n"
           "\r\n";
}

bool has_flag(const std::vector<std::string>& flags, const std::string& flag) {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

/// One Dovecot for the suite; each test works in a folder named after itself.
class ImapTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server_ = std::make_unique<DovecotServer>(); }
    static void TearDownTestSuite() { server_.reset(); }

    void SetUp() override {
        folder_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        server_->create_folder(folder_);
    }

    static std::unique_ptr<DovecotServer> server_;
    std::string folder_;
};

std::unique_ptr<DovecotServer> ImapTest::server_;

TEST_F(ImapTest, SelectReportsUidValidityAndMessageCount) {
    server_->append(folder_, sample_message("one"));
    server_->append(folder_, sample_message("two"));
    MailboxClient client(settings_for(*server_));
    const imap::FolderStatus status = client.select(folder_);
    EXPECT_EQ(status.uid_validity.value, server_->uid_validity(folder_));
    EXPECT_NE(status.uid_validity.value, 0u);
    EXPECT_EQ(status.exists, 2u);
}

TEST_F(ImapTest, ListUidsReturnsEveryUidAscending) {
    MailboxClient client(settings_for(*server_));
    EXPECT_TRUE(client.list_uids(folder_).empty());
    std::vector<Uid> expected;
    for (int i = 0; i < 3; ++i) {
        expected.push_back(Uid{server_->append(folder_, sample_message("m" + std::to_string(i)))});
    }
    EXPECT_EQ(client.list_uids(folder_), expected);
}

TEST_F(ImapTest, ListSizesGivesEachMessagesSizeBeforeAnyFetch) {
    MailboxClient client(settings_for(*server_));
    client.select(folder_);
    EXPECT_TRUE(client.list_sizes(folder_, {}).empty());
    const std::string small = sample_message("small");
    const std::string large = sample_message("large") + std::string(100000, 'x') + "\r\n";
    const std::uint32_t first = server_->append(folder_, small);
    const std::uint32_t second = server_->append(folder_, large);
    const std::vector<imap::MessageSize> sizes =
        client.list_sizes(folder_, client.list_uids(folder_));
    ASSERT_EQ(sizes.size(), 2u);
    EXPECT_EQ(sizes[0].uid, Uid{first});
    EXPECT_EQ(sizes[0].bytes, small.size());
    EXPECT_EQ(sizes[1].uid, Uid{second});
    EXPECT_EQ(sizes[1].bytes, large.size());
}

TEST_F(ImapTest, ListSizesOfAFullInboxStaysWithinLibcurlsResponseLimit) {
    // libcurl 7.88 counted one command's 144 response lines as 309,786 bytes, over
    // its 300 KiB limit, and the mailbox failed at every pass: 300 must work.
    std::vector<Uid> appended;
    for (int i = 0; i < 300; ++i) {
        appended.push_back(Uid{server_->append(folder_, sample_message("n" + std::to_string(i)))});
    }
    MailboxClient client(settings_for(*server_));
    const std::vector<imap::MessageSize> sizes =
        client.list_sizes(folder_, client.list_uids(folder_));
    ASSERT_EQ(sizes.size(), appended.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) EXPECT_EQ(sizes[i].uid, appended[i]);
}

TEST_F(ImapTest, FetchHeaderReturnsOnlyTheHeaderAndDoesNotSetSeen) {
    const std::string raw = sample_message("header") + std::string(5000, 'y') + "\r\n";
    const std::uint32_t uid = server_->append(folder_, raw);
    MailboxClient client(settings_for(*server_));
    const std::string header = client.fetch_header(folder_, Uid{uid});
    EXPECT_EQ(header, raw.substr(0, raw.find("\r\n\r\n") + 4));
    EXPECT_FALSE(has_flag(server_->flags(folder_, uid), "\\Seen"));
}

TEST_F(ImapTest, FetchReturnsTheMessageByteForByte) {
    const std::string raw = sample_message("bytes");
    const std::uint32_t uid = server_->append(folder_, raw);
    server_->append(folder_, sample_message("other"));
    MailboxClient client(settings_for(*server_));
    EXPECT_EQ(client.fetch(folder_, Uid{uid}), raw);
}

TEST_F(ImapTest, FetchDoesNotSetSeen) {
    const std::uint32_t unseen = server_->append(folder_, sample_message("unseen"), "\\Flagged");
    const std::uint32_t seen = server_->append(folder_, sample_message("seen"), "\\Seen");
    MailboxClient client(settings_for(*server_));
    client.fetch(folder_, Uid{unseen});
    client.fetch(folder_, Uid{seen});
    const std::vector<std::string> after_unseen = server_->flags(folder_, unseen);
    EXPECT_FALSE(has_flag(after_unseen, "\\Seen"));
    EXPECT_TRUE(has_flag(after_unseen, "\\Flagged"));  // other flags untouched
    EXPECT_TRUE(has_flag(server_->flags(folder_, seen), "\\Seen"));
}

TEST_F(ImapTest, FetchOfMissingUidIsTransient) {
    MailboxClient client(settings_for(*server_));
    EXPECT_THROW(client.fetch(folder_, Uid{999}), TransientError);
    // The client is still usable afterwards.
    const std::uint32_t uid = server_->append(folder_, sample_message("after"));
    EXPECT_EQ(client.fetch(folder_, Uid{uid}), sample_message("after"));
}

TEST_F(ImapTest, SelectOfMissingFolderIsTransientNotLoginError) {
    // libcurl reports a refused SELECT with the same code as a refused login.
    MailboxClient client(settings_for(*server_));
    try {
        client.select("No/Such/Folder");
        FAIL() << "select of a missing folder succeeded";
    } catch (const ConfigError& error) {
        FAIL() << "reported as a login problem: " << error.what();
    } catch (const TransientError& error) {
        EXPECT_NE(std::string(error.what()).find("No/Such/Folder"), std::string::npos)
            << error.what();
    }
    EXPECT_NO_THROW(client.select(folder_));
}

TEST_F(ImapTest, AppendStoresTheExactBytesAsUnseen) {
    const std::string raw = sample_message("appended");
    MailboxClient client(settings_for(*server_));
    client.append(folder_, raw);
    const std::vector<std::uint32_t> uids = server_->uids(folder_);
    ASSERT_EQ(uids.size(), 1u);
    EXPECT_EQ(server_->message(folder_, uids[0]), raw);
    EXPECT_FALSE(has_flag(server_->flags(folder_, uids[0]), "\\Seen"));
}

TEST_F(ImapTest, EnsureFolderCreatesNestedFoldersTwice) {
    MailboxClient client(settings_for(*server_));
    const std::string processed = folder_ + "/Intake/Processed";
    client.ensure_folder(processed);
    client.ensure_folder(processed);  // already there: no error
    client.ensure_folder(folder_ + "/Intake/Failed");
    const std::vector<std::string> folders = server_->folders();
    EXPECT_TRUE(contains(folders, folder_ + "/Intake")) << ::testing::PrintToString(folders);
    EXPECT_TRUE(contains(folders, processed));
    EXPECT_TRUE(contains(folders, folder_ + "/Intake/Failed"));
    // And it is usable: a message can be appended to it.
    server_->append(processed, sample_message("into-processed"));
    EXPECT_EQ(client.list_uids(processed).size(), 1u);
}

TEST_F(ImapTest, EnsureFolderEncodesNonAsciiNames) {
    MailboxClient client(settings_for(*server_));
    client.ensure_folder(folder_ + "/Candidatures traitées");
    EXPECT_TRUE(contains(server_->folders(), folder_ + "/Candidatures trait&AOk-es"));
    client.append(folder_ + "/Candidatures traitées", sample_message("accent"));
    EXPECT_EQ(server_->uids(folder_ + "/Candidatures trait&AOk-es").size(), 1u);
}

TEST_F(ImapTest, MoveTakesTheMessageOutOfTheSourceFolder) {
    const std::string raw = sample_message("to-move");
    const std::uint32_t uid = server_->append(folder_, raw);
    const std::uint32_t stays = server_->append(folder_, sample_message("stays"));
    MailboxClient client(settings_for(*server_));
    const std::string target = folder_ + "/Intake/Processed";
    client.ensure_folder(target);
    client.move(folder_, Uid{uid}, target);
    EXPECT_EQ(server_->uids(folder_), std::vector<std::uint32_t>{stays});
    const std::vector<std::uint32_t> moved = server_->uids(target);
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(server_->message(target, moved[0]), raw);
}

TEST_F(ImapTest, MoveToMissingFolderIsTransientAndKeepsTheMessage) {
    const std::uint32_t uid = server_->append(folder_, sample_message("nowhere"));
    MailboxClient client(settings_for(*server_));
    EXPECT_THROW(client.move(folder_, Uid{uid}, folder_ + "/Missing"), TransientError);
    EXPECT_EQ(server_->uids(folder_), std::vector<std::uint32_t>{uid});
}

TEST_F(ImapTest, FetchEachOfAFullInboxStaysWithinLibcurlsResponseLimit) {
    // The flags and sizes of 144 messages in one command failed as list_sizes did
    // (309,772 bytes counted): a batch of 300 must be fetched whole.
    std::vector<Uid> appended;
    for (int i = 0; i < 300; ++i) {
        appended.push_back(
            Uid{server_->append(folder_, sample_message("all" + std::to_string(i)))});
    }
    MailboxClient client(settings_for(*server_));
    std::vector<Uid> got;
    const std::vector<Uid> missing =
        client.fetch_each(folder_, appended, [&](Uid uid, std::string) {
            got.push_back(uid);
            return true;
        });
    EXPECT_TRUE(missing.empty());
    EXPECT_EQ(got, appended);
}

TEST_F(ImapTest, FetchEachHandsOverEveryMessageInOrderWithoutSettingSeen) {
    const std::uint32_t first = server_->append(folder_, sample_message("each-1"), "\\Flagged");
    const std::uint32_t second = server_->append(folder_, sample_message("each-2"), "\\Seen");
    const std::uint32_t third = server_->append(folder_, sample_message("each-3"));
    MailboxClient client(settings_for(*server_));
    std::vector<std::pair<std::uint32_t, std::string>> got;
    const std::vector<Uid> missing = client.fetch_each(
        folder_, {Uid{first}, Uid{second}, Uid{999}, Uid{third}}, [&](Uid uid, std::string raw) {
            got.emplace_back(uid.value, std::move(raw));
            return true;
        });
    EXPECT_EQ(missing, std::vector<Uid>{Uid{999}});  // not in the folder: skipped
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], std::make_pair(first, sample_message("each-1")));
    EXPECT_EQ(got[1], std::make_pair(second, sample_message("each-2")));
    EXPECT_EQ(got[2], std::make_pair(third, sample_message("each-3")));
    EXPECT_FALSE(has_flag(server_->flags(folder_, first), "\\Seen"));
    EXPECT_TRUE(has_flag(server_->flags(folder_, first), "\\Flagged"));
    EXPECT_TRUE(has_flag(server_->flags(folder_, second), "\\Seen"));  // was seen before
    EXPECT_FALSE(has_flag(server_->flags(folder_, third), "\\Seen"));
}

TEST_F(ImapTest, FetchEachSurvivesMessagesThatLookLikeTheServersReplies) {
    // Lines that end libcurl's reading of a command early ("A007 OK"), or that look
    // like another message: the chunk's answer is then not whole, and the messages
    // are fetched again one by one, byte for byte.
    std::string hostile = sample_message("hostile");
    for (int tag = 1; tag < 60; ++tag) {
        char line[32];
        std::snprintf(line, sizeof line, "A%03d OK Fetch completed.\r\n", tag);
        hostile += line;
    }
    hostile += "* 1 FETCH (UID 1 BODY[] {5}\r\nfake!\r\n)\r\n";
    std::string long_line = sample_message("long-line");
    long_line += std::string(600 * 1024, 'x') + "\r\n";  // beyond libcurl's line buffer
    std::vector<std::uint32_t> uids;
    for (const std::string& raw :
         {sample_message("before"), hostile, long_line, sample_message("after")}) {
        uids.push_back(server_->append(folder_, raw));
    }
    for (int round = 0; round < 2; ++round) {  // and the connection is still good after
        MailboxClient client(settings_for(*server_));
        std::vector<std::string> got;
        client.fetch_each(folder_, {Uid{uids[0]}, Uid{uids[1]}, Uid{uids[2]}, Uid{uids[3]}},
                          [&](Uid, std::string raw) {
                              got.push_back(std::move(raw));
                              return true;
                          });
        ASSERT_EQ(got.size(), 4u);
        EXPECT_EQ(got[0], sample_message("before"));
        EXPECT_EQ(got[1], hostile);
        EXPECT_EQ(got[2], long_line);
        EXPECT_EQ(got[3], sample_message("after"));
        EXPECT_EQ(client.list_uids(folder_).size(), 4u);
    }
    for (const std::uint32_t uid : uids) {
        EXPECT_FALSE(has_flag(server_->flags(folder_, uid), "\\Seen"));
    }
}

TEST_F(ImapTest, FetchEachTakesSmallMessagesTogetherAndBigOnesAlone) {
    std::string big = sample_message("big");
    for (int line = 0; line < 8000; ++line) big += std::string(76, 'A') + "\r\n";  // 600 KiB
    const std::vector<std::string> raws = {sample_message("s1"), sample_message("s2"), big, big,
                                           sample_message("s3")};
    std::vector<Uid> uids;
    for (const std::string& raw : raws) uids.push_back(Uid{server_->append(folder_, raw)});
    MailboxClient client(settings_for(*server_));
    std::vector<std::string> got;
    client.fetch_each(folder_, uids, [&](Uid, std::string raw) {
        got.push_back(std::move(raw));
        return true;
    });
    EXPECT_EQ(got, raws);
    for (const Uid uid : uids) EXPECT_FALSE(has_flag(server_->flags(folder_, uid.value), "\\Seen"));
}

TEST_F(ImapTest, FetchEachStopsWhenAskedAndStillClearsSeen) {
    const std::uint32_t first = server_->append(folder_, sample_message("stop-1"));
    const std::uint32_t second = server_->append(folder_, sample_message("stop-2"));
    MailboxClient client(settings_for(*server_));
    int calls = 0;
    client.fetch_each(folder_, {Uid{first}, Uid{second}}, [&](Uid, std::string) {
        ++calls;
        return false;
    });
    EXPECT_EQ(calls, 1);
    EXPECT_FALSE(has_flag(server_->flags(folder_, first), "\\Seen"));
    EXPECT_FALSE(has_flag(server_->flags(folder_, second), "\\Seen"));
}

TEST_F(ImapTest, FetchEachClearsSeenWhenTheCallbackThrows) {
    const std::uint32_t first = server_->append(folder_, sample_message("throw-1"));
    MailboxClient client(settings_for(*server_));
    EXPECT_THROW(client.fetch_each(folder_, {Uid{first}},
                                   [&](Uid, std::string) -> bool {
                                       throw TransientError("disk full", "free some space");
                                   }),
                 TransientError);
    EXPECT_FALSE(has_flag(server_->flags(folder_, first), "\\Seen"));
}

TEST_F(ImapTest, MoveAllMovesAScatteredSetInOneGo) {
    std::vector<std::uint32_t> uids;
    for (int n = 0; n < 6; ++n) {
        uids.push_back(server_->append(folder_, sample_message("all-" + std::to_string(n))));
    }
    MailboxClient client(settings_for(*server_));
    const std::string target = folder_ + "/Done";
    client.ensure_folder(target);
    // 0, 1, 2 and 4 move (a range and a single UID); 3 and 5 stay.
    client.move_all(folder_, {Uid{uids[4]}, Uid{uids[0]}, Uid{uids[1]}, Uid{uids[2]}}, target);
    EXPECT_EQ(server_->uids(folder_), (std::vector<std::uint32_t>{uids[3], uids[5]}));
    const std::vector<std::uint32_t> moved = server_->uids(target);
    ASSERT_EQ(moved.size(), 4u);
    std::vector<std::string> subjects;
    for (const std::uint32_t uid : moved) subjects.push_back(server_->message(target, uid));
    for (const int n : {0, 1, 2, 4}) {
        EXPECT_TRUE(contains(subjects, sample_message("all-" + std::to_string(n)))) << n;
    }
}

TEST_F(ImapTest, MoveAllToMissingFolderIsTransientAndKeepsTheMessages) {
    const std::uint32_t uid = server_->append(folder_, sample_message("all-nowhere"));
    MailboxClient client(settings_for(*server_));
    EXPECT_THROW(client.move_all(folder_, {Uid{uid}}, folder_ + "/Missing"), TransientError);
    EXPECT_EQ(server_->uids(folder_), std::vector<std::uint32_t>{uid});
}

TEST_F(ImapTest, OneLoginServesManyOperations) {
    const std::uint32_t uid = server_->append(folder_, sample_message("reuse"));
    const int before = server_->login_count();
    const size_t log_size = server_->log().size();
    {
        MailboxClient client(settings_for(*server_));
        client.verify_login();
        client.select(folder_);
        client.list_uids(folder_);
        client.fetch(folder_, Uid{uid});
        client.ensure_folder(folder_ + "/Done");
        client.move(folder_, Uid{uid}, folder_ + "/Done");
        client.append(folder_, sample_message("again"));
        client.list_uids(folder_ + "/Done");
    }
    // The session summary is logged at LOGOUT, after its login line: once it is
    // there, every login line of the client is too.
    ASSERT_TRUE(server_->wait_for_log("Info: Disconnected: Logged out", log_size))
        << server_->log();
    EXPECT_EQ(server_->login_count() - before, 1) << server_->log();
}

TEST_F(ImapTest, VerifyLoginSucceedsWithGoodCredentials) {
    MailboxClient client(settings_for(*server_));
    EXPECT_NO_THROW(client.verify_login());
}

TEST_F(ImapTest, PlainImapNeedsStarttlsWhenCertificatesAreVerified) {
    imap::ServerSettings settings = settings_for(*server_);
    settings.tls_verify = true;  // plain text is then not allowed, even to loopback
    MailboxClient client(std::move(settings));
    EXPECT_THROW(client.verify_login(), ConfigError);
}

TEST_F(ImapTest, UrlOutsideThePolicyIsConfigError) {
    for (const std::string& url : {server_->url() + "/INBOX", std::string("http://127.0.0.1"),
                                   std::string("pop3://127.0.0.1")}) {
        imap::ServerSettings settings = settings_for(*server_);
        settings.url = url;
        EXPECT_THROW(MailboxClient{std::move(settings)}, ConfigError) << url;
    }
}

/// Failed logins make Dovecot delay later logins from the same address, so they
/// get a server of their own.
class ImapLoginTest : public ImapTest {
protected:
    static void SetUpTestSuite() { server_ = std::make_unique<DovecotServer>(); }
};

TEST_F(ImapLoginTest, WrongPasswordIsConfigErrorWithoutThePassword) {
    imap::ServerSettings settings = settings_for(*server_);
    settings.password = Secret("wrong-Pa55word");
    MailboxClient client(std::move(settings));
    try {
        client.select("INBOX");
        FAIL() << "login with a wrong password succeeded";
    } catch (const ConfigError& error) {
        const std::string text = describe(error);
        EXPECT_NE(text.find(server_->user()), std::string::npos) << text;
        EXPECT_NE(text.find(server_->url()), std::string::npos) << text;
        EXPECT_NE(text.find("password_file"), std::string::npos) << text;
        EXPECT_EQ(text.find("wrong-Pa55word"), std::string::npos) << text;
    }
}

/// A server with "." as separator and neither MOVE advertised: the COPY fallback.
class ImapWithoutMoveTest : public ImapTest {
protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<DovecotServer>(DovecotOptions{'.', false, true});
    }
};

TEST_F(ImapWithoutMoveTest, FoldersUseTheServersSeparator) {
    ASSERT_EQ(server_->probe().separator(), '.');
    MailboxClient client(settings_for(*server_));
    client.ensure_folder(folder_ + "/Intake/Processed");
    const std::vector<std::string> folders = server_->folders();
    EXPECT_TRUE(contains(folders, folder_ + ".Intake.Processed"))
        << ::testing::PrintToString(folders);
    client.append(folder_ + "/Intake/Processed", sample_message("dot"));
    EXPECT_EQ(server_->uids(folder_ + ".Intake.Processed").size(), 1u);
}

TEST_F(ImapWithoutMoveTest, MoveFallsBackToCopyAndUidExpunge) {
    const std::string raw = sample_message("fallback");
    const std::uint32_t uid = server_->append(folder_, raw);
    // A message the user flagged \Deleted but did not expunge must survive our move.
    const std::uint32_t deleted = server_->append(folder_, sample_message("user"), "\\Deleted");
    const size_t log_size = server_->log().size();
    {
        MailboxClient client(settings_for(*server_));
        client.ensure_folder(folder_ + "/Processed");
        client.move(folder_, Uid{uid}, folder_ + "/Processed");
    }
    // Dovecot's session summary shows the fallback: one \Deleted flag, one expunge.
    EXPECT_TRUE(server_->wait_for_log("deleted=1 expunged=1", log_size)) << server_->log();
    EXPECT_EQ(server_->uids(folder_), std::vector<std::uint32_t>{deleted});
    const std::vector<std::uint32_t> moved = server_->uids(folder_ + ".Processed");
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(server_->message(folder_ + ".Processed", moved[0]), raw);
    EXPECT_FALSE(has_flag(server_->flags(folder_ + ".Processed", moved[0]), "\\Deleted"));
}

/// Neither MOVE nor UIDPLUS: COPY, STORE \Deleted and a plain EXPUNGE.
class ImapWithoutUidplusTest : public ImapTest {
protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<DovecotServer>(DovecotOptions{'/', false, false});
    }
};

TEST_F(ImapWithoutUidplusTest, MoveFallsBackToCopyAndExpunge) {
    const std::string raw = sample_message("plain-expunge");
    const std::uint32_t uid = server_->append(folder_, raw);
    const std::uint32_t stays = server_->append(folder_, sample_message("stays"));
    const size_t log_size = server_->log().size();
    {
        MailboxClient client(settings_for(*server_));
        client.ensure_folder(folder_ + "/Processed");
        client.move(folder_, Uid{uid}, folder_ + "/Processed");
    }
    EXPECT_TRUE(server_->wait_for_log("deleted=1 expunged=1", log_size)) << server_->log();
    EXPECT_EQ(server_->uids(folder_), std::vector<std::uint32_t>{stays});
    const std::vector<std::uint32_t> moved = server_->uids(folder_ + "/Processed");
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(server_->message(folder_ + "/Processed", moved[0]), raw);
}

}  // namespace
}  // namespace intake
