// ca_file, the private CA a mailbox or SMTP server is checked against: read relative
// to the config file, and refused at load (naming the key and the file) when it is
// missing, a folder, or holds no PEM certificate, so a typo stops `intake check`
// and the start instead of failing every connection later.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/errors.h"
#include "config/config.h"

namespace intake::config {
namespace {

namespace fs = std::filesystem;

const char* const kMain = R"(
[storage]
root = "files"
state_dir = "state"

[[organisation]]
id = "org"
name = "Org"
address = "jobs@org.example"
smtp = "out"

[[mailbox]]
name = "jobs"
organisation = "org"
url = "imaps://imap.org.example"
user = "jobs"
password_file = "secrets/imap"
#MAILBOX

[[smtp]]
name = "out"
url = "smtp://smtp.org.example:587"
#SMTP
)";

// Any PEM certificate will do: only its marker is looked at when loading.
const char* const kPem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

class CaFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("intake-ca-file-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        write("rules.toml", "");
        write("postings/org.toml", "[[posting]]\nid = \"clerk\"\ntitles = { en = \"Clerk\" }\n");
        for (const char* name : {"received", "late", "unsorted", "too_large"}) {
            write(std::string("templates/org/en/") + name + ".txt", "Subject: Hi\n\nThanks.\n");
        }
        write("ca/company-ca.pem", kPem);
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& name, const std::string& text) {
        fs::create_directories((dir_ / name).parent_path());
        std::ofstream(dir_ / name, std::ios::binary) << text;
    }
    Config load(const std::string& mailbox_extra, const std::string& smtp_extra = "") {
        std::string text = kMain;
        text.replace(text.find("#MAILBOX"), 8, mailbox_extra);
        text.replace(text.find("#SMTP"), 5, smtp_extra);
        write("intake.toml", text);
        return load_config(dir_ / "intake.toml");
    }
    std::string error(const std::string& mailbox_extra, const std::string& smtp_extra = "") {
        try {
            load(mailbox_extra, smtp_extra);
        } catch (const ConfigError& e) {
            EXPECT_FALSE(e.hint().empty()) << e.what();
            return describe(e);
        }
        ADD_FAILURE() << "no ConfigError";
        return {};
    }

    fs::path dir_;
};

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST_F(CaFileTest, DefaultIsTheSystemStore) {
    const Config config = load("");
    EXPECT_TRUE(config.mailboxes[0].ca_file.empty());
    EXPECT_TRUE(config.smtp_servers[0].ca_file.empty());
}

TEST_F(CaFileTest, IsReadRelativeToTheConfigFileForMailboxesAndSmtp) {
    const Config config =
        load("ca_file = \"ca/company-ca.pem\"", "ca_file = \"ca/company-ca.pem\"");
    EXPECT_EQ(config.mailboxes[0].ca_file, (dir_ / "ca/company-ca.pem").lexically_normal());
    EXPECT_EQ(config.smtp_servers[0].ca_file, (dir_ / "ca/company-ca.pem").lexically_normal());
}

TEST_F(CaFileTest, MissingFileNamesTheKeyAndTheFile) {
    const std::string e = error("ca_file = \"ca/typo.pem\"");
    EXPECT_HAS(e, "intake.toml");
    EXPECT_HAS(e, "'mailbox[0].ca_file'");
    EXPECT_HAS(e, (dir_ / "ca/typo.pem").lexically_normal().string());
    EXPECT_HAS(e, "does not exist");
    EXPECT_HAS(e, "PEM");
}

TEST_F(CaFileTest, MissingFileOfAnSmtpServer) {
    const std::string e = error("", "ca_file = \"/nonexistent/ca.pem\"");
    EXPECT_HAS(e, "'smtp[0].ca_file'");
    EXPECT_HAS(e, "/nonexistent/ca.pem");
}

TEST_F(CaFileTest, AFolderIsRefused) { EXPECT_HAS(error("ca_file = \"ca\""), "is not a file"); }

TEST_F(CaFileTest, AFileWithoutACertificateIsRefused) {
    write("ca/key-by-mistake.pem", "-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n");
    const std::string e = error("ca_file = \"ca/key-by-mistake.pem\"");
    EXPECT_HAS(e, "'mailbox[0].ca_file'");
    EXPECT_HAS(e, "holds no PEM certificate");
}

}  // namespace
}  // namespace intake::config
