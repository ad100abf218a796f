// intake as an admin runs it: the Debian package installed with apt into a
// Debian 12 container booted with systemd, the service enabled and started with
// systemctl, a mail filed and answered, reloads good and bad, a hung daemon
// restarted by the watchdog, a clean stop, and the journal read for priorities,
// passwords and mail text. One container for the whole suite; the tests run in
// order, each building on the state the previous one left.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "fixtures/base64.h"
#include "fixtures/dovecot.h"
#include "fixtures/eventually.h"
#include "fixtures/smtp_server.h"
#include "systemd/container.h"

namespace intake::systemd_test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kBodyMarker = "Zebra-quartz-body-line-4711";

/// The container's services take their time; a minute is a failure, not a wait.
template <typename Fn>
bool eventually(Fn done, std::chrono::milliseconds limit = 60s) {
    return fixtures::eventually(done, limit, 250ms);
}

/// A letter in the body and, attached under an unhelpful name, a real PDF that
/// the document reader (a child process under the unit's sandbox) must open.
std::string application(const std::string& sender, const std::string& message_id) {
    return "From: Marie Dupont <" + sender +
           ">\r\n"
           "To: application@ccre-cemr.org\r\n"
           "Subject: Policy Internship\r\n"
           "Date: Mon, 3 Mar 2025 10:00:00 +0100\r\n"
           "Message-ID: <" +
           message_id +
           ">\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
           "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Dear Sir or Madam,\r\n\r\nplease find my CV attached. " +
           std::string(kBodyMarker) +
           "\r\n\r\nKind regards,\r\nMarie Dupont\r\n"
           "--b1\r\nContent-Type: application/pdf\r\n"
           "Content-Disposition: attachment; filename=\"document1.pdf\"\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n" +
           fixtures::base64(fixtures::read_file(fs::path(INTAKE_DOCS_FIXTURES) / "document1.pdf")) +
           "--b1--\r\n";
}

class ServiceTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const std::string why = why_containers_cannot_boot();
        if (!why.empty()) {
            skip_reason_ = new std::string(why);
            return;
        }
        imap_ = new fixtures::DovecotServer();
        smtp_ = new fixtures::SmtpServer();
        container_ = new BootedDebian(fs::path(INTAKE_BINARY_DIR) / "systemd-rootfs");
    }
    static void TearDownTestSuite() {
        delete container_;
        delete smtp_;
        delete imap_;
        delete skip_reason_;
        delete deb_;
        deb_ = nullptr;
        container_ = nullptr;
        smtp_ = nullptr;
        imap_ = nullptr;
        skip_reason_ = nullptr;
    }
    void SetUp() override {
        if (skip_reason_ != nullptr) GTEST_SKIP() << *skip_reason_;
    }

    static std::string config_text(const std::string& log_level) {
        return "[storage]\nroot = \"/srv/intake\"\nstate_dir = \"/var/lib/intake\"\n"
               "group = \"intake-hr\"\n\n[log]\nlevel = \"" +
               log_level +
               "\"\n\n"
               "[[organisation]]\nid = \"cemr\"\nname = \"CEMR\"\n"
               "address = \"application@ccre-cemr.org\"\nlanguages = [\"en\", \"fr\"]\n"
               "smtp = \"relay\"\n\n"
               "[[mailbox]]\nname = \"cemr\"\norganisation = \"cemr\"\nurl = \"" +
               imap_->url() + "\"\nuser = \"" + imap_->user() +
               "\"\npassword_credential = \"cemr-imap\"\ntls_verify = false\n"
               "poll_interval_seconds = 2\n\n"
               "[[smtp]]\nname = \"relay\"\nurl = \"" +
               smtp_->url() + "\"\ntls_verify = false\n";
    }
    static void write_config(const std::string& text) {
        fixtures::write_file(container_->root() / "etc/intake/intake.toml", text);
    }
    static std::string show(const std::string& property) {
        std::string value = container_->must_run("systemctl show intake -P " + property);
        while (!value.empty() && value.back() == '\n') value.pop_back();
        return value;
    }
    static std::string journal(const std::string& options = "") {
        return container_->must_run("journalctl -u intake -o cat --no-pager " + options);
    }
    /// Application folders filed for CEMR's Policy Internship, as the host sees them.
    static int filed() {
        const fs::path posting = container_->root() / "srv/intake/cemr/policy-internship";
        if (!fs::exists(posting)) return 0;
        int count = 0;
        for (const auto& entry : fs::directory_iterator(posting)) count += entry.is_directory();
        return count;
    }

    static inline std::string* skip_reason_ = nullptr;
    static inline fs::path* deb_ = nullptr;
    static inline fixtures::DovecotServer* imap_ = nullptr;
    static inline fixtures::SmtpServer* smtp_ = nullptr;
    static inline BootedDebian* container_ = nullptr;
};

TEST_F(ServiceTest, PackageInstallsWithAptAndStartsNothing) {
    const fs::path packages = fs::path(INTAKE_BINARY_DIR) / "systemd-test-package";
    fs::remove_all(packages);
    const std::string cpack = "cd '" + std::string(INTAKE_BINARY_DIR) + "' && cpack -G DEB -B '" +
                              packages.string() + "' > '" + packages.string() + ".log' 2>&1";
    fs::create_directories(packages);
    ASSERT_EQ(std::system(cpack.c_str()), 0) << fixtures::read_file(packages.string() + ".log");
    fs::path deb;
    for (const auto& entry : fs::directory_iterator(packages)) {
        if (entry.path().extension() == ".deb") deb = entry.path();
    }
    ASSERT_FALSE(deb.empty());
    deb_ = new fs::path(deb);
    fs::copy_file(deb, container_->root() / "root/intake.deb");

    container_->must_run(
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
        "apt-get install -y -qq /root/intake.deb");
    EXPECT_EQ(container_->must_run("test -x /usr/bin/intake && echo ok"), "ok\n");
    EXPECT_EQ(container_->must_run("stat -c '%U:%G %a' /srv/intake"), "intake:intake-hr 2750\n");
    EXPECT_EQ(container_->must_run("stat -c '%U:%G %a' /etc/intake/secrets"), "root:root 700\n");
    EXPECT_EQ(container_->must_run("id -gn intake"), "intake-hr\n");
    EXPECT_NE(container_->must_run("cat /var/lib/dpkg/info/intake.conffiles")
                  .find("/etc/intake/intake.toml"),
              std::string::npos);
    EXPECT_EQ(container_->run("systemctl is-active intake").output, "inactive\n");
    EXPECT_EQ(container_->run("systemctl is-enabled intake").output, "disabled\n");
}

TEST_F(ServiceTest, LintianFindsNoErrors) {
    ASSERT_NE(deb_, nullptr) << "the package was not built";
    const fs::path report = deb_->string() + ".lintian";
    const std::string lintian =
        "lintian --fail-on error '" + deb_->string() + "' > '" + report.string() + "' 2>&1";
    EXPECT_EQ(std::system(lintian.c_str()), 0) << fixtures::read_file(report);
    EXPECT_EQ(("\n" + fixtures::read_file(report)).find("\nE: "), std::string::npos)
        << fixtures::read_file(report);
}

TEST_F(ServiceTest, EnableNowFilesAndAnswersOnce) {
    write_config(config_text("info"));
    fixtures::write_file(container_->root() / "etc/intake/secrets/cemr-imap",
                         imap_->password() + "\n");
    container_->must_run("chmod 0600 /etc/intake/secrets/cemr-imap");
    // A short watchdog, so that the hang test below need not wait five minutes.
    container_->must_run(
        "mkdir -p /etc/systemd/system/intake.service.d && printf '[Service]\\nWatchdogSec=4s\\n"
        "RestartSec=1s\\n' > /etc/systemd/system/intake.service.d/test.conf && "
        "systemctl daemon-reload");
    container_->must_run("systemctl enable --now intake");
    ASSERT_TRUE(eventually([] { return show("ActiveState") == "active"; }, 30s)) << journal();
    ASSERT_TRUE(eventually([] { return !show("StatusText").empty(); }, 30s)) << journal();

    imap_->append("INBOX", application("marie.dupont@example.org", "first@example.org"));
    ASSERT_TRUE(eventually([] { return smtp_->received().size() == 1; })) << journal();
    std::this_thread::sleep_for(5s);  // two more passes: still one folder, one reply
    EXPECT_EQ(filed(), 1);
    ASSERT_EQ(smtp_->received().size(), 1u);
    const auto reply = smtp_->received()[0];  // a copy: received() returns a new vector
    EXPECT_EQ(reply.recipients, std::vector<std::string>{"marie.dupont@example.org"});
    EXPECT_NE(reply.data.find("Auto-Submitted: auto-replied"), std::string::npos);
    EXPECT_NE(reply.data.find("In-Reply-To: <first@example.org>"), std::string::npos);
    EXPECT_TRUE(imap_->uids("INBOX").empty());
    // The attached PDF was read: the reader's child lives within the unit's sandbox
    // (seccomp filter, no new privileges, its own rlimits).
    const std::string record =
        container_->must_run("cat /srv/intake/cemr/policy-internship/*/application.json");
    EXPECT_NE(record.find("\"status\": \"ok\""), std::string::npos) << record;
    EXPECT_NE(record.find("\"method\": \"embedded\""), std::string::npos) << record;
    // ... by the installed reader program, not by forks of the daemon.
    const std::string service = show("MainPID");
    EXPECT_EQ(container_->must_run("readlink /proc/$(cat /proc/" + service + "/task/" + service +
                                   "/children | cut -d' ' -f1)/exe"),
              "/usr/lib/intake/intake-reader\n");
    EXPECT_EQ(journal("-p warning").find("reader program"), std::string::npos) << journal();
    // What HR reads belongs to HR's group.
    EXPECT_NE(container_->must_run("find /srv/intake/cemr -printf '%g\\n' | sort -u"), "")
        << "no files";
    EXPECT_EQ(container_->must_run("find /srv/intake/cemr ! -group intake-hr | wc -l"), "0\n");
}

TEST_F(ServiceTest, ReloadTakesAGoodConfigAndRefusesABadOne) {
    write_config(config_text("debug"));
    container_->must_run("systemctl reload intake");
    ASSERT_TRUE(eventually(
        [] { return journal().find("configuration reloaded") != std::string::npos; }, 20s))
        << journal();

    const std::string good = config_text("info");
    // `systemctl reload` returns once the signal is sent: wait for each refusal
    // before writing the next file, or the daemon may read only the last one.
    const auto refused_count = [] {
        const std::string lines = journal("-p warning");
        std::size_t count = 0;
        for (auto at = lines.find("reload refused"); at != std::string::npos;
             at = lines.find("reload refused", at + 1)) {
            ++count;
        }
        return count;
    };
    write_config(good + "\n[limits]\nmax_parts_typo = 3\n");
    container_->must_run("systemctl reload intake");
    ASSERT_TRUE(eventually([&] { return refused_count() == 1; }, 20s)) << journal();
    EXPECT_NE(journal("-p warning").find("max_parts_typo"), std::string::npos) << journal();
    write_config("[storage\nroot = \n");
    container_->must_run("systemctl reload intake");
    ASSERT_TRUE(eventually([&] { return refused_count() == 2; }, 20s)) << journal();
    EXPECT_NE(journal("-p warning").find("not valid TOML"), std::string::npos) << journal();
    EXPECT_EQ(show("ActiveState"), "active");

    // The running configuration was kept: the next mail is filed and answered.
    imap_->append("INBOX", application("joao.silva@example.org", "second@example.org"));
    ASSERT_TRUE(eventually([] { return smtp_->received().size() == 2; })) << journal();
    EXPECT_EQ(filed(), 2);
    write_config(good);
}

TEST_F(ServiceTest, WatchdogRestartsAHungDaemon) {
    const std::string before = show("MainPID");
    ASSERT_NE(before, "0");
    container_->must_run("kill -STOP " + before);
    ASSERT_TRUE(eventually(
        [&] {
            return show("NRestarts") == "1" && show("ActiveState") == "active" &&
                   show("MainPID") != before && show("MainPID") != "0";
        },
        60s))
        << journal();
    EXPECT_NE(journal().find("Watchdog timeout"), std::string::npos)
        << container_->must_run("journalctl --no-pager -n 50");
    imap_->append("INBOX", application("ana.garcia@example.org", "third@example.org"));
    ASSERT_TRUE(eventually([] { return smtp_->received().size() == 3; })) << journal();
}

TEST_F(ServiceTest, AdminCommandsAsRootLeaveTheServiceFiling) {
    // status, forget and purge, run by root in a shell beside the running service.
    const std::string status = container_->must_run("intake status --json");
    EXPECT_NE(status.find("\"outbox\""), std::string::npos) << status;
    EXPECT_NE(status.find("\"policy-internship\""), std::string::npos) << status;
    const std::string forgot = container_->must_run("intake forget joao.silva@example.org");
    EXPECT_EQ(filed(), 2) << forgot;
    EXPECT_EQ(container_->must_run("grep -rl joao.silva /srv/intake /var/lib/intake | wc -l"),
              "0\n");
    container_->must_run("intake purge --older-than 100000 --dry-run");
    EXPECT_EQ(container_->must_run("find /srv/intake /var/lib/intake -user root | wc -l"), "0\n")
        << container_->must_run("find /srv/intake /var/lib/intake -user root -ls");

    imap_->append("INBOX", application("lea.martin@example.org", "fourth@example.org"));
    ASSERT_TRUE(eventually([] { return smtp_->received().size() == 4; })) << journal();
    EXPECT_EQ(filed(), 3);
    EXPECT_EQ(show("ActiveState"), "active");
}

TEST_F(ServiceTest, StopsCleanly) {
    container_->must_run("systemctl stop intake");
    EXPECT_EQ(show("ActiveState"), "inactive");
    EXPECT_EQ(show("Result"), "success");
    EXPECT_EQ(show("ExecMainStatus"), "0") << journal();
}

TEST_F(ServiceTest, JournalHasPrioritiesAndNoPasswordOrMailText) {
    // One INFO line per filed message, at journald priority 6.
    const std::string info = journal("-p info..info");
    std::smatch match;
    EXPECT_TRUE(std::regex_search(info, match, std::regex("cemr uid [0-9]+: filed "))) << info;
    // No prefixes left unparsed, no timestamps of our own (journald has them).
    EXPECT_EQ(info.find("<6>"), std::string::npos) << info;
    EXPECT_FALSE(std::regex_search(info, match, std::regex("(^|\\n)\\[?20[0-9]{2}-"))) << info;
    const std::string everything = container_->must_run("journalctl -o cat --no-pager");
    EXPECT_EQ(everything.find(imap_->password()), std::string::npos);
    EXPECT_EQ(everything.find(kBodyMarker), std::string::npos);
}

TEST_F(ServiceTest, SandboxExposureIsAtMostOnePointFive) {
    const std::string report = container_->run("systemd-analyze security intake").output;
    std::smatch match;
    ASSERT_TRUE(std::regex_search(report, match,
                                  std::regex("Overall exposure level for intake.service: "
                                             "([0-9]+\\.[0-9])")))
        << report;
    EXPECT_LE(std::stod(match[1].str()), 1.5) << report;
}

}  // namespace
}  // namespace intake::systemd_test
