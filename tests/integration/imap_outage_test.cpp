// MailboxClient when the server goes away, hangs, or renumbers a folder. Each test
// has a Dovecot of its own because each one stops or freezes it.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "base/errors.h"
#include "fixtures/dovecot.h"
#include "imap/imap.h"

namespace intake {
namespace {

using fixtures::DovecotServer;
using imap::MailboxClient;
using imap::Uid;

const std::string raw_message =
    "From: applicant@example.org\r\nSubject: Policy Internship\r\n\r\nHello\r\n";

class ImapOutageTest : public ::testing::Test {
protected:
    imap::ServerSettings settings(std::chrono::seconds timeout = std::chrono::seconds(5)) const {
        imap::ServerSettings s;
        s.url = server_.url();
        s.user = server_.user();
        s.password = Secret(server_.password());
        s.tls_verify = false;
        s.timeout = timeout;
        return s;
    }

    DovecotServer server_;
};

TEST_F(ImapOutageTest, ServerDownIsTransientAndTheClientRecovers) {
    const std::uint32_t uid = server_.append("INBOX", raw_message);
    MailboxClient client(settings());
    EXPECT_EQ(client.select("INBOX").exists, 1u);

    server_.stop();
    try {
        client.list_uids("INBOX");
        FAIL() << "list_uids worked with the server down";
    } catch (const TransientError& error) {
        const std::string text = describe(error);
        EXPECT_NE(text.find(server_.url()), std::string::npos) << text;
        EXPECT_NE(text.find(server_.user()), std::string::npos) << text;
        EXPECT_NE(text.find("\"INBOX\""), std::string::npos) << text;
        EXPECT_EQ(text.find(server_.password()), std::string::npos) << text;
    }

    server_.start();
    EXPECT_EQ(client.list_uids("INBOX"), std::vector<Uid>{Uid{uid}});
    EXPECT_EQ(client.fetch("INBOX", Uid{uid}), raw_message);
}

TEST_F(ImapOutageTest, RestartBetweenTwoCallsIsInvisible) {
    const std::uint32_t uid = server_.append("INBOX", raw_message);
    MailboxClient client(settings());
    client.select("INBOX");
    server_.stop();
    server_.start();
    // libcurl notices the closed connection before reusing it and reconnects.
    EXPECT_EQ(client.list_uids("INBOX"), std::vector<Uid>{Uid{uid}});
}

TEST_F(ImapOutageTest, ServerDownAtFirstContactIsTransient) {
    server_.stop();
    MailboxClient client(settings());
    EXPECT_THROW(client.verify_login(), TransientError);
    server_.start();
    EXPECT_NO_THROW(client.verify_login());
}

TEST_F(ImapOutageTest, HangingServerTimesOut) {
    MailboxClient client(settings(std::chrono::seconds(1)));
    client.select("INBOX");
    server_.pause();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.list_uids("INBOX"), TransientError);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    server_.resume();
    EXPECT_LT(elapsed, std::chrono::seconds(4));
    EXPECT_NO_THROW(client.list_uids("INBOX"));  // on a fresh connection
}

TEST_F(ImapOutageTest, UidValidityChangeIsReported) {
    const std::uint32_t uid = server_.append("INBOX", raw_message);
    MailboxClient client(settings());
    const imap::UidValidity before = client.select("INBOX").uid_validity;
    const std::uint32_t changed = server_.change_uid_validity("INBOX");
    const imap::FolderStatus after = client.select("INBOX");
    EXPECT_EQ(after.uid_validity.value, changed);
    EXPECT_NE(after.uid_validity, before);
    EXPECT_EQ(after.exists, 1u);
    EXPECT_EQ(client.fetch("INBOX", Uid{uid}), raw_message);
}

}  // namespace
}  // namespace intake
