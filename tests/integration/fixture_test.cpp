// The fixtures themselves: processes stopped by PID, temporary directories removed,
// and the Dovecot and SMTP servers doing what the other tests rely on.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "fixtures/dovecot.h"
#include "fixtures/process.h"
#include "fixtures/smtp_server.h"
#include "fixtures/socket.h"
#include "fixtures/temp_dir.h"

namespace intake::fixtures {
namespace {

/// Processes of a process group that are still running (zombies do not count:
/// an orphan's zombie waits for PID 1, which in a container may never reap it).
int live_members_of_group(pid_t group) {
    int live = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string stat;
        try {
            stat = read_file(entry.path() / "stat");
        } catch (const std::runtime_error&) {
            continue;  // the process ended while we looked
        }
        // pid (comm) state ppid pgrp …; comm may contain spaces, so parse after ')'.
        std::istringstream fields(stat.substr(stat.rfind(')') + 2));
        char state = 0;
        pid_t parent = 0;
        pid_t process_group = 0;
        fields >> state >> parent >> process_group;
        if (process_group == group && state != 'Z') ++live;
    }
    return live;
}

/// A SIGKILLed process stays in /proc, not yet a zombie, until the kernel has torn
/// it down; count the group's live members again until none is left or time is up.
int live_members_after_teardown(pid_t group, std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    int live = live_members_of_group(group);
    while (live > 0 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        live = live_members_of_group(group);
    }
    return live;
}

TEST(FixtureTest, TempDirIsRemovedWithItsContents) {
    std::filesystem::path kept;
    {
        TempDir dir;
        kept = dir.path();
        std::filesystem::create_directories(dir / "a" / "b");
        write_file(dir / "a" / "b" / "file", "x");
        EXPECT_TRUE(std::filesystem::exists(dir / "a" / "b" / "file"));
    }
    EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(FixtureTest, ProcessStopEscalatesToSigkill) {
    TempDir dir;
    // A child that ignores SIGTERM, and a grandchild in its group that does too.
    Process process({"/bin/sh", "-c", "trap '' TERM; sleep 30 & echo ready; sleep 30; wait"},
                    dir / "out.log");
    for (int i = 0; i < 500 && read_file(dir / "out.log").empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(read_file(dir / "out.log"), "ready\n");
    EXPECT_TRUE(process.running());
    const auto start = std::chrono::steady_clock::now();
    const int status = process.stop(std::chrono::milliseconds(200));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    EXPECT_FALSE(process.running());
    // the background sleep died too
    EXPECT_EQ(live_members_after_teardown(process.pid(), std::chrono::seconds(5)), 0);
}

TEST(FixtureTest, ProcessStopsGracefullyWithSigterm) {
    TempDir dir;
    Process process({"/bin/sleep", "30"}, dir / "out.log");
    const int status = process.stop();
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

TEST(FixtureTest, ProcessThatCannotStartThrows) {
    TempDir dir;
    EXPECT_THROW(Process({"/nonexistent/binary"}, dir / "out.log"), std::runtime_error);
}

TEST(FixtureTest, FreePortsDiffer) {
    const int a = free_port();
    const int b = free_port();
    EXPECT_GT(a, 0);
    EXPECT_GT(b, 0);
}

TEST(FixtureTest, DovecotStoresWhatItIsGivenAndStopsCleanly) {
    std::filesystem::path dir;
    int port = 0;
    {
        DovecotServer server;
        dir = server.directory();
        port = server.port();
        const std::string raw = "Subject: probe\r\n\r\nbody\r\n";
        const std::uint32_t uid = server.append("INBOX", raw, "\\Flagged");
        EXPECT_EQ(server.uids("INBOX"), std::vector<std::uint32_t>{uid});
        EXPECT_EQ(server.message("INBOX", uid), raw);
        const std::vector<std::string> flags = server.flags("INBOX", uid);
        EXPECT_NE(std::find(flags.begin(), flags.end(), "\\Flagged"), flags.end());
        EXPECT_EQ(std::find(flags.begin(), flags.end(), "\\Seen"), flags.end());
        server.create_folder("Intake/Processed");
        EXPECT_NE(std::find(server.folders().begin(), server.folders().end(), "INBOX"),
                  server.folders().end());
        EXPECT_EQ(std::filesystem::exists(server.password_file()), true);

        server.stop();
        EXPECT_THROW(LineSocket(port, std::chrono::milliseconds(500)), std::runtime_error);
        server.start();
        EXPECT_EQ(server.message("INBOX", uid), raw);  // same mail after a restart
    }
    EXPECT_FALSE(std::filesystem::exists(dir));
    EXPECT_THROW(LineSocket(port, std::chrono::milliseconds(500)), std::runtime_error);
}

TEST(FixtureTest, SmtpServerFailureModeSwitchesAtRuntime) {
    SmtpServer server;
    LineSocket client(server.port(), std::chrono::milliseconds(5000));
    EXPECT_TRUE(client.read_line().starts_with("220"));
    client.write("EHLO test\r\n");
    for (std::string line = client.read_line(); !line.starts_with("250 ");) {
        line = client.read_line();
    }
    server.set_failure(SmtpServer::Stage::mail, 451);
    client.write("MAIL FROM:<a@example.org>\r\n");
    EXPECT_TRUE(client.read_line().starts_with("451 4.3.0"));
    server.clear_failure();
    client.write("MAIL FROM:<a@example.org>\r\n");
    EXPECT_TRUE(client.read_line().starts_with("250"));
    client.write("RCPT TO:<b@example.org>\r\nDATA\r\n");
    EXPECT_TRUE(client.read_line().starts_with("250"));
    EXPECT_TRUE(client.read_line().starts_with("354"));
    client.write("Subject: x\r\n\r\n..dot\r\n.\r\n");
    EXPECT_TRUE(client.read_line().starts_with("250"));
    const std::vector<SmtpServer::Message> received = server.received();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].data, "Subject: x\r\n\r\n.dot\r\n");
    EXPECT_EQ(received[0].mail_from, "a@example.org");
    EXPECT_EQ(received[0].recipients, std::vector<std::string>{"b@example.org"});
}

}  // namespace
}  // namespace intake::fixtures
