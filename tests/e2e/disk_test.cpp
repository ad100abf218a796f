// A filing root that is full or read-only, and a state database that is locked
// or damaged: the message stays on the server unmoved and is tried again,
// nothing half-written is left, the admin reads one clear line per mailbox, and
// nothing is started afresh behind their back. The filing root is a small tmpfs
// mounted by the test (so it needs root; elsewhere the disk tests are skipped).
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "e2e/e2e.h"
#include "fixtures/process.h"

namespace intake::e2e {
namespace {

namespace fs = std::filesystem;

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

class FullDisk : public IntakeE2E {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
        fs::create_directories(hr());
        if (::mount("tmpfs", hr().c_str(), "tmpfs", 0, "size=1m,mode=0755") != 0) {
            GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                         << "): a container without CAP_SYS_ADMIN";
        }
        mounted_ = true;
        imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
        imap_.append(kAtlanticFolder, sample("decide_ac_speculative_es.eml"));
    }
    void TearDown() override {
        if (mounted_) ::umount2(hr().c_str(), MNT_DETACH);
    }

    /// Fills the tmpfs to the last byte, in a folder no HR listing looks into.
    void fill_up() {
        fs::create_directories(filler().parent_path());
        const int fd = ::open(filler().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ASSERT_GE(fd, 0);
        const std::string block(64 * 1024, '\0');
        while (::write(fd, block.data(), block.size()) > 0) {
        }
        const std::string byte(1, '\0');
        while (::write(fd, byte.data(), 1) > 0) {
        }
        ::close(fd);
    }
    fs::path filler() const { return hr() / ".fill" / "zeros"; }

    void remount(unsigned long flags) {
        ASSERT_EQ(::mount(nullptr, hr().c_str(), nullptr, MS_REMOUNT | flags, "size=1m"), 0)
            << std::strerror(errno);
    }

    /// Every regular file and hidden staging or temporary entry under the root.
    std::vector<std::string> leftovers() const {
        std::vector<std::string> found;
        for (const auto& e : fs::recursive_directory_iterator(hr())) {
            const std::string name = e.path().filename().string();
            if (e.path() == filler()) continue;
            if (e.is_regular_file() || name.starts_with(".staging") ||
                name.find(".tmp-") != std::string::npos) {
                found.push_back(fs::relative(e.path(), hr()).string());
            }
        }
        return found;
    }

    void expect_untouched_on_the_server() {
        EXPECT_EQ(imap_.uids(kCemrFolder).size(), 1u);
        EXPECT_EQ(imap_.uids(kAtlanticFolder).size(), 1u);
        EXPECT_TRUE(imap_.uids("Intake/Processed/cemr").empty());
        EXPECT_TRUE(imap_.uids("Intake/Failed/cemr").empty());
        EXPECT_TRUE(smtp_.received().empty());
    }

    void expect_both_filed_and_answered_once() {
        EXPECT_TRUE(imap_.uids(kCemrFolder).empty());
        EXPECT_TRUE(imap_.uids(kAtlanticFolder).empty());
        EXPECT_EQ(application_folders().size(), 2u);
        EXPECT_EQ(smtp_.received().size(), 2u);
        EXPECT_TRUE(fs::exists(hr() / "cemr" / "platforma-internship" / "applications.csv"));
    }

    bool mounted_ = false;
};

TEST_F(FullDisk, AFullFilingRootLeavesEveryMessageOnTheServerAndNothingHalfWritten) {
    fill_up();
    EXPECT_NE(intake("once"), 0) << output_;

    expect_untouched_on_the_server();
    EXPECT_TRUE(leftovers().empty()) << ::testing::PrintToString(leftovers());
    // One clear line per mailbox: the cause, the file and what to do; both were tried.
    EXPECT_EQ(count_of(output_, "No space left on device"), 2u) << output_;
    EXPECT_EQ(count_of(output_, "check free space"), 2u) << output_;
    EXPECT_NE(output_.find("mailbox cemr"), std::string::npos) << output_;
    EXPECT_NE(output_.find("mailbox atlantic-cities"), std::string::npos) << output_;

    fs::remove(filler());  // the admin frees space
    ASSERT_EQ(intake("once"), 0) << output_;
    expect_both_filed_and_answered_once();
}

TEST_F(FullDisk, AReadOnlyFilingRootLeavesEveryMessageOnTheServer) {
    remount(MS_RDONLY);
    EXPECT_NE(intake("once"), 0) << output_;

    expect_untouched_on_the_server();
    EXPECT_TRUE(leftovers().empty()) << ::testing::PrintToString(leftovers());
    EXPECT_EQ(count_of(output_, "Read-only file system"), 2u) << output_;

    remount(0);
    ASSERT_EQ(intake("once"), 0) << output_;
    expect_both_filed_and_answered_once();
}

class BrokenState : public IntakeE2E {
protected:
    fs::path database() const { return work_.path() / "state" / "intake.sqlite"; }
};

TEST_F(BrokenState, ADamagedStateDatabaseStopsWithAClearErrorAndIsNotReplaced) {
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    fs::create_directories(database().parent_path());
    const std::string garbage = "this is not a database, it was overwritten by accident\n";
    fixtures::write_file(database(), garbage);

    EXPECT_EQ(intake("once"), 2) << output_;
    EXPECT_NE(output_.find(database().string()), std::string::npos) << output_;
    EXPECT_NE(output_.find("restore intake.sqlite from a backup"), std::string::npos) << output_;
    EXPECT_EQ(fixtures::read_file(database()), garbage);  // never started afresh
    EXPECT_EQ(imap_.uids(kCemrFolder).size(), 1u);
    EXPECT_TRUE(application_folders().empty());
    EXPECT_TRUE(smtp_.received().empty());
}

TEST_F(BrokenState, AnEmptyStateDatabaseIsRefusedNotTakenForANewOne) {
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    fs::create_directories(database().parent_path());
    fixtures::write_file(database(), "");

    EXPECT_EQ(intake("once"), 2) << output_;
    EXPECT_NE(output_.find("is an empty file"), std::string::npos) << output_;
    EXPECT_EQ(fs::file_size(database()), 0u);
    EXPECT_EQ(imap_.uids(kCemrFolder).size(), 1u);
    EXPECT_TRUE(smtp_.received().empty());
}

TEST_F(BrokenState, ALockedStateDatabaseLeavesTheMessageAndSaysWhy) {
    ASSERT_EQ(intake("once"), 0) << output_;  // creates the database
    imap_.append(kCemrFolder, sample("decide_cemr_platforma_lowercase_re.eml"));
    // Another process holds it: an exclusive transaction, kept open.
    const fs::path ready = work_.path() / "locked";
    fixtures::Process holder({"/usr/bin/python3", "-c",
                              "import sqlite3, sys, time, pathlib\n"
                              "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                              "db.execute('BEGIN EXCLUSIVE')\n"
                              "pathlib.Path(sys.argv[2]).touch()\n"
                              "time.sleep(120)\n",
                              database().string(), ready.string()},
                             work_.path() / "holder.log");
    for (int i = 0; i < 100 && !fs::exists(ready); ++i) ::usleep(50'000);
    ASSERT_TRUE(fs::exists(ready));

    // It waits for the lock (10 s a statement), then gives up on the mailbox for
    // this pass, saying why; the daemon would try again at the next pass.
    EXPECT_EQ(intake("once"), 1) << output_;
    EXPECT_NE(output_.find("mailbox cemr: state database " + database().string() +
                           ": commit a filing: database is locked — another process holds it "
                           "locked"),
              std::string::npos)
        << output_;
    EXPECT_EQ(imap_.uids(kCemrFolder).size(), 1u);
    EXPECT_TRUE(smtp_.received().empty());

    holder.stop();
    ASSERT_EQ(intake("once"), 0) << output_;
    EXPECT_EQ(application_folders().size(), 1u);
}

}  // namespace
}  // namespace intake::e2e
