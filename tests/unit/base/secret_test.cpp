// Where passwords come from: a file, a systemd credential under its own name or
// under the packaged unit's "intake_" prefix, and the secrets folder beside the
// config when an admin runs intake outside systemd.
#include "base/secret.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "base/errors.h"

namespace intake {
namespace {

namespace fs = std::filesystem;

class SecretTest : public ::testing::Test {
protected:
    SecretTest() {
        dir_ = fs::temp_directory_path() /
               ("intake-secret-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_ / "credentials");
        fs::create_directories(dir_ / "secrets");
    }
    ~SecretTest() override {
        ::unsetenv("CREDENTIALS_DIRECTORY");
        fs::remove_all(dir_);
    }
    void write(const fs::path& file, const std::string& text) {
        std::ofstream(dir_ / file, std::ios::binary) << text;
    }
    SecretSource credential(const std::string& name) {
        SecretSource source;
        source.credential = name;
        source.credential_folder = dir_ / "secrets";
        return source;
    }
    fs::path dir_;
};

TEST_F(SecretTest, FileWithoutTrailingNewline) {
    write("pw", "hunter2\r\n");
    EXPECT_EQ(read_secret({dir_ / "pw", "", ""}).reveal(), "hunter2");
}

TEST_F(SecretTest, ASecretReadAheadIsUsedWithoutTheFile) {
    write("pw", "hunter2\n");
    SecretSource source;
    source.file = dir_ / "pw";
    source.read_ahead = std::make_shared<const Secret>(read_secret(source));
    fs::remove(dir_ / "pw");  // as good as unreadable for the user intake has become
    EXPECT_EQ(read_secret(source).reveal(), "hunter2");
}

TEST_F(SecretTest, CredentialUnderItsOwnName) {
    write("credentials/cemr-imap", "own\n");
    write("credentials/intake_cemr-imap", "packaged\n");
    ::setenv("CREDENTIALS_DIRECTORY", (dir_ / "credentials").c_str(), 1);
    EXPECT_EQ(read_secret(credential("cemr-imap")).reveal(), "own");
}

TEST_F(SecretTest, CredentialFromThePackagedSecretsFolder) {
    write("credentials/intake_cemr-imap", "packaged\n");
    ::setenv("CREDENTIALS_DIRECTORY", (dir_ / "credentials").c_str(), 1);
    EXPECT_EQ(read_secret(credential("cemr-imap")).reveal(), "packaged");
}

TEST_F(SecretTest, OutsideSystemdTheSecretsFolderBesideTheConfig) {
    ::unsetenv("CREDENTIALS_DIRECTORY");
    write("secrets/cemr-imap", "from-folder\n");
    EXPECT_EQ(read_secret(credential("cemr-imap")).reveal(), "from-folder");
}

TEST_F(SecretTest, MissingCredentialNamesTheFile) {
    ::setenv("CREDENTIALS_DIRECTORY", (dir_ / "credentials").c_str(), 1);
    try {
        read_secret(credential("cemr-smtp"));
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("cemr-smtp"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace intake
