// IdleWatcher against a real Dovecot: it hears about mail another client appends,
// tells new mail from other news, says so when the server has no IDLE, and starts
// again after a server restart. Each test has a Dovecot of its own.
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <chrono>

#include "base/errors.h"
#include "fixtures/dovecot.h"
#include "imap/imap.h"

namespace intake {
namespace {

using namespace std::chrono_literals;
using fixtures::DovecotOptions;
using fixtures::DovecotServer;
using imap::IdleWatcher;

const std::string raw_message =
    "From: applicant@example.org\r\nSubject: Policy Internship\r\n\r\nHello\r\n";

imap::ServerSettings settings_for(const DovecotServer& server) {
    imap::ServerSettings s;
    s.url = server.url();
    s.user = server.user();
    s.password = Secret(server.password());
    s.tls_verify = false;  // plain IMAP to loopback
    s.timeout = std::chrono::seconds(5);
    return s;
}

/// Waits until the watcher's socket is readable, at most `limit`.
bool readable(const IdleWatcher& watcher, std::chrono::milliseconds limit = 10s) {
    pollfd fd{watcher.socket(), POLLIN, 0};
    return ::poll(&fd, 1, static_cast<int>(limit.count())) == 1;
}

/// Waits for the server's news, as the daemon does; true once new mail is announced.
bool news_within(IdleWatcher& watcher, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (readable(watcher, 200ms) && watcher.take_news()) return true;
    }
    return false;
}

TEST(ImapIdle, HearsOfMailAnotherClientAppends) {
    DovecotServer server;
    server.create_folder("Jobs/2025");
    IdleWatcher watcher(settings_for(server), "Jobs/2025");
    ASSERT_TRUE(watcher.start()) << server.log();
    EXPECT_TRUE(watcher.idling());
    EXPECT_GE(watcher.socket(), 0);
    EXPECT_FALSE(watcher.take_news());  // nothing yet

    const std::uint32_t uid = server.append("Jobs/2025", raw_message);
    EXPECT_TRUE(news_within(watcher)) << server.log();
    // Watching is read-only: the message is as the other client left it.
    const std::vector<std::string> flags = server.flags("Jobs/2025", uid);
    EXPECT_EQ(std::find(flags.begin(), flags.end(), "\\Seen"), flags.end());
    EXPECT_EQ(server.uids("Jobs/2025"), std::vector<std::uint32_t>{uid});

    // Mail elsewhere is no news for this folder.
    server.append("INBOX", raw_message);
    EXPECT_FALSE(news_within(watcher, 1500ms));
}

TEST(ImapIdle, AFlagChangeIsNotNewMail) {
    DovecotServer server;
    const std::uint32_t uid = server.append("INBOX", raw_message);
    IdleWatcher watcher(settings_for(server), "INBOX");
    ASSERT_TRUE(watcher.start());

    auto probe = server.probe();
    probe.run("SELECT INBOX");
    probe.run("UID STORE " + std::to_string(uid) + " +FLAGS (\\Flagged)");
    ASSERT_TRUE(readable(watcher)) << "the server announces the flag change";
    EXPECT_FALSE(watcher.take_news());

    server.append("INBOX", raw_message);
    EXPECT_TRUE(news_within(watcher));
}

TEST(ImapIdle, RenewKeepsWatchingAndReportsWhatCameMeanwhile) {
    DovecotServer server;
    IdleWatcher watcher(settings_for(server), "INBOX");
    ASSERT_TRUE(watcher.start());
    const auto first = watcher.idling_since();
    EXPECT_FALSE(watcher.renew());
    EXPECT_GE(watcher.idling_since(), first);
    EXPECT_TRUE(watcher.idling());

    server.append("INBOX", raw_message);
    ASSERT_TRUE(readable(watcher));
    EXPECT_TRUE(watcher.renew());  // announced while idling, read on the way out
    server.append("INBOX", raw_message);
    EXPECT_TRUE(news_within(watcher));
}

TEST(ImapIdle, ServerWithoutIdleIsToldApart) {
    DovecotOptions options;
    options.idle = false;
    DovecotServer server(options);
    IdleWatcher watcher(settings_for(server), "INBOX");
    EXPECT_FALSE(watcher.start());
    EXPECT_FALSE(watcher.idling());
    EXPECT_EQ(watcher.socket(), -1);
    EXPECT_FALSE(watcher.take_news());
    EXPECT_THROW(watcher.renew(), TransientError);
}

TEST(ImapIdle, MissingFolderAndBadPasswordAreReported) {
    DovecotServer server;
    IdleWatcher missing(settings_for(server), "No/Such/Folder");
    try {
        missing.start();
        FAIL() << "EXAMINE of a missing folder was accepted";
    } catch (const TransientError& error) {
        EXPECT_NE(describe(error).find("EXAMINE \"No/Such/Folder\""), std::string::npos)
            << describe(error);
    }
    EXPECT_FALSE(missing.idling());

    imap::ServerSettings wrong = settings_for(server);
    wrong.password = Secret("not-the-password");
    IdleWatcher refused(wrong, "INBOX");
    try {
        refused.start();
        FAIL() << "a wrong password was accepted";
    } catch (const ConfigError& error) {
        EXPECT_EQ(describe(error).find("not-the-password"), std::string::npos);
    }
}

TEST(ImapIdle, StartsAgainAfterAServerRestart) {
    DovecotServer server;
    IdleWatcher watcher(settings_for(server), "INBOX");
    ASSERT_TRUE(watcher.start());

    server.stop();
    ASSERT_TRUE(readable(watcher)) << "the server's goodbye or the closed connection";
    EXPECT_THROW(watcher.take_news(), TransientError);
    EXPECT_FALSE(watcher.idling());
    EXPECT_THROW(watcher.start(), TransientError);  // still down

    server.start();
    ASSERT_TRUE(watcher.start()) << server.log();
    server.append("INBOX", raw_message);
    EXPECT_TRUE(news_within(watcher)) << server.log();
}

TEST(ImapIdle, StopLogsOut) {
    DovecotServer server;
    IdleWatcher watcher(settings_for(server), "INBOX");
    ASSERT_TRUE(watcher.start());
    const size_t before = server.log().size();
    watcher.stop();
    EXPECT_FALSE(watcher.idling());
    // Dovecot logs a LOGOUT as "Logged out", a dropped connection as "Disconnected".
    EXPECT_TRUE(server.wait_for_log("Logged out", before)) << server.log().substr(before);
}

}  // namespace
}  // namespace intake
