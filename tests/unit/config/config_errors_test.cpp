// Bad configurations: each is refused with a ConfigError that names the file and the key,
// says what was expected, and carries a hint. Each test writes a small valid setup into a
// temporary folder, breaks one thing, and loads it.
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
languages = ["en", "fr"]
smtp = "out"

[[mailbox]]
name = "jobs"
organisation = "org"
url = "imaps://imap.org.example"
user = "jobs"
password_file = "secrets/imap"

[[smtp]]
name = "out"
url = "smtps://smtp.org.example:465"
)";

const char* const kPostings = R"(
[[posting]]
id = "clerk"
titles = { en = "Clerk", fr = "Commis" }
aliases = ["Clerk job"]
deadline = 2025-01-31T23:59:59+01:00
)";

const char* const kTemplate =
    "Subject: About {posting_title}\n\nDear {applicant_name},\n\nThanks.\n";

class ConfigDir : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("intake-config-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        write("intake.toml", kMain);
        write("rules.toml", "");  // every rule is optional
        write("postings/org.toml", kPostings);
        for (const char* lang : {"en", "fr"}) {
            for (const char* name : {"received", "late", "unsorted", "too_large"}) {
                write(std::string("templates/org/") + lang + "/" + name + ".txt", kTemplate);
            }
        }
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& name, const std::string& text) {
        fs::create_directories((dir_ / name).parent_path());
        std::ofstream(dir_ / name, std::ios::binary) << text;
    }
    void append(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name, std::ios::binary | std::ios::app) << text;
    }
    void replace(const std::string& name, const std::string& from, const std::string& to) {
        std::ifstream in(dir_ / name, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto at = text.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        text.replace(at, from.size(), to);
        write(name, text);
    }
    Config load() { return load_config(dir_ / "intake.toml"); }

    /// Loads, expects a ConfigError, and returns "message — hint".
    std::string error() {
        try {
            load();
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

TEST_F(ConfigDir, TheValidSetupLoads) {
    Config config = load();
    ASSERT_EQ(config.organisations.size(), 1u);
    const Organisation& org = config.organisations[0];
    ASSERT_EQ(org.postings.size(), 2u);
    EXPECT_EQ(org.postings[1].id, "unsorted");
    EXPECT_EQ(org.postings[0].deadline->text, "2025-01-31T23:59:59+01:00");
    EXPECT_EQ(org.templates.size(), 8u);  // 2 languages × 4 cases
    EXPECT_EQ(org.templates.at({"fr", ReplyCase::late}).subject, "About {posting_title}");
    EXPECT_EQ(org.templates.at({"fr", ReplyCase::late}).body,
              "Dear {applicant_name},\n\nThanks.\n");
    EXPECT_EQ(org.own_addresses, (std::vector<std::string>{"jobs@org.example"}));
    EXPECT_TRUE(org.phrases.empty());
    // Defaults of keys left out.
    EXPECT_EQ(config.mailboxes[0].processed_folder, "Intake/Processed");
    EXPECT_EQ(config.mailboxes[0].poll_interval, std::chrono::seconds(60));
    EXPECT_TRUE(config.mailboxes[0].tls_verify);
    EXPECT_TRUE(config.smtp_servers[0].user.empty());
    EXPECT_EQ(config.limits.max_parts, 200u);
    EXPECT_EQ(config.storage.csv_delimiter, ',');
}

TEST_F(ConfigDir, RelativePathsAreReadFromTheFolderOfTheirFile) {
    Config config = load();
    EXPECT_EQ(config.storage.root, (dir_ / "files").lexically_normal());
    EXPECT_EQ(config.storage.state_dir, (dir_ / "state").lexically_normal());
    EXPECT_EQ(config.mailboxes[0].password.file, (dir_ / "secrets/imap").lexically_normal());
}

TEST_F(ConfigDir, PostingsAndTemplatesPathsAreResolvedToo) {
    fs::rename(dir_ / "postings", dir_ / "elsewhere");
    fs::rename(dir_ / "templates/org", dir_ / "texts");
    replace("intake.toml", "smtp = \"out\"\n",
            "smtp = \"out\"\npostings = \"elsewhere/org.toml\"\ntemplates = \"./texts\"\n");
    Config config = load();
    EXPECT_EQ(config.organisations[0].templates.at({"en", ReplyCase::received}).file,
              (dir_ / "texts/en/received.txt").lexically_normal());
}

TEST_F(ConfigDir, AbsolutePathsStayAsWritten) {
    replace("intake.toml", "root = \"files\"", "root = \"/srv/elsewhere\"");
    EXPECT_EQ(load().storage.root, "/srv/elsewhere");
}

TEST_F(ConfigDir, MissingMainFile) {
    fs::remove(dir_ / "intake.toml");
    std::string e = error();
    EXPECT_HAS(e, "intake.toml");
    EXPECT_HAS(e, "not found");
}

TEST_F(ConfigDir, TomlSyntaxErrorNamesFileLineAndColumn) {
    append("intake.toml", "\n[log\nlevel = 1\n");
    std::string e = error();
    EXPECT_HAS(e, "intake.toml:");
    EXPECT_HAS(e, "not valid TOML");
}

TEST_F(ConfigDir, UnknownKeyInAMailbox) {
    replace("intake.toml", "password_file", "pasword_file");
    std::string e = error();
    EXPECT_HAS(e, "intake.toml: unknown key 'mailbox[0].pasword_file'");
    EXPECT_HAS(e, "password_file");  // the hint lists the allowed keys
}

TEST_F(ConfigDir, UnknownTopLevelTable) {
    append("intake.toml", "\n[logging]\nlevel = \"info\"\n");
    EXPECT_HAS(error(), "unknown key 'logging'");
}

TEST_F(ConfigDir, UnknownKeyInAPostingsFile) {
    append("postings/org.toml", "dedline = 2025-01-01T00:00:00Z\n");
    std::string e = error();
    EXPECT_HAS(e, "org.toml: unknown key 'posting[0].dedline'");
}

TEST_F(ConfigDir, TitleInALanguageTheOrganisationDoesNotOffer) {
    replace("postings/org.toml", "fr = \"Commis\"", "de = \"Angestellter\"");
    EXPECT_HAS(error(), "unknown key 'posting[0].titles.de'");
}

TEST_F(ConfigDir, WrongTypeSaysWhatWasExpected) {
    append("intake.toml", "\n[limits]\nmax_parts = \"many\"\n");
    std::string e = error();
    EXPECT_HAS(e, "'limits.max_parts'");
    EXPECT_HAS(e, "expected a positive integer, got a string");
}

TEST_F(ConfigDir, NegativeLimit) {
    append("intake.toml", "\n[limits]\nmax_depth = -1\n");
    EXPECT_HAS(error(), "'limits.max_depth' at line");
}

TEST_F(ConfigDir, BadCsvDelimiter) {
    replace("intake.toml", "state_dir = \"state\"", "state_dir = \"state\"\ncsv_delimiter = \"|\"");
    EXPECT_HAS(error(), "'storage.csv_delimiter'");
}

TEST_F(ConfigDir, BadLogLevel) {
    append("intake.toml", "\n[log]\nlevel = \"verbose\"\n");
    EXPECT_HAS(error(), "expected one of trace, debug, info, warn, error");
}

TEST_F(ConfigDir, BadImapUrlScheme) {
    replace("intake.toml", "imaps://imap.org.example", "https://imap.org.example");
    std::string e = error();
    EXPECT_HAS(e, "'mailbox[0].url'");
    EXPECT_HAS(e, "expected one of imaps://, imap://");
}

TEST_F(ConfigDir, BadSmtpUrlScheme) {
    replace("intake.toml", "smtps://smtp.org.example:465", "imaps://smtp.org.example");
    EXPECT_HAS(error(), "expected one of smtps://, smtp://");
}

TEST_F(ConfigDir, UrlWithAFolder) {
    replace("intake.toml", "imaps://imap.org.example", "imaps://imap.org.example/INBOX");
    EXPECT_HAS(error(), "folder = ");
}

TEST_F(ConfigDir, PasswordInTheMainFileIsRefused) {
    replace("intake.toml", "password_file = \"secrets/imap\"", "password = \"hunter2\"");
    std::string e = error();
    EXPECT_HAS(e, "'mailbox[0].password'");
    EXPECT_HAS(e, "password_file");
    EXPECT_HAS(e, "password_credential");
    EXPECT_EQ(e.find("hunter2"), std::string::npos);
}

TEST_F(ConfigDir, PasswordInAnSmtpTableIsRefused) {
    replace("intake.toml", "url = \"smtps://smtp.org.example:465\"",
            "url = \"smtps://smtp.org.example:465\"\nuser = \"u\"\npassword = \"x\"");
    EXPECT_HAS(error(), "'smtp[0].password'");
}

TEST_F(ConfigDir, ImapUserWithoutPasswordSource) {
    replace("intake.toml", "password_file = \"secrets/imap\"", "");
    std::string e = error();
    EXPECT_HAS(e, "no password source");
    EXPECT_HAS(e, "password_credential");
}

TEST_F(ConfigDir, BothPasswordSources) {
    replace("intake.toml", "password_file = \"secrets/imap\"",
            "password_file = \"secrets/imap\"\npassword_credential = \"imap\"");
    EXPECT_HAS(error(), "both password_file and password_credential");
}

TEST_F(ConfigDir, CredentialIsAcceptedAsPasswordSource) {
    replace("intake.toml", "password_file = \"secrets/imap\"", "password_credential = \"imap\"");
    EXPECT_EQ(load().mailboxes[0].password.credential, "imap");
}

TEST_F(ConfigDir, SmtpUserWithoutPassword) {
    replace("intake.toml", "url = \"smtps://smtp.org.example:465\"",
            "url = \"smtps://smtp.org.example:465\"\nuser = \"u\"");
    EXPECT_HAS(error(), "smtp server 'out' has a user but no password source");
}

TEST_F(ConfigDir, MissingRequiredKey) {
    replace("intake.toml", "url = \"imaps://imap.org.example\"", "");
    std::string e = error();
    EXPECT_HAS(e, "missing key 'mailbox[0].url'");
}

TEST_F(ConfigDir, MailboxNamingAnUnknownOrganisation) {
    replace("intake.toml", "organisation = \"org\"", "organisation = \"orgg\"");
    std::string e = error();
    EXPECT_HAS(e, "mailbox 'jobs' names organisation = 'orgg'");
    EXPECT_HAS(e, "use one of: org");
}

TEST_F(ConfigDir, OrganisationNamingAnUnknownSmtpServer) {
    replace("intake.toml", "smtp = \"out\"", "smtp = \"outgoing\"");
    EXPECT_HAS(error(), "smtp = 'outgoing', which is no [[smtp]] name");
}

TEST_F(ConfigDir, DuplicateMailboxName) {
    append("intake.toml",
           "\n[[mailbox]]\nname = \"jobs\"\norganisation = \"org\"\nurl = \"imap://h\"\n"
           "user = \"u\"\npassword_file = \"p\"\n");
    EXPECT_HAS(error(), "two [[mailbox]] tables are named 'jobs'");
}

TEST_F(ConfigDir, LanguagesMustIncludeEnglish) {
    replace("intake.toml", "languages = [\"en\", \"fr\"]", "languages = [\"fr\"]");
    EXPECT_HAS(error(), "expected \"en\" among the languages");
}

TEST_F(ConfigDir, DuplicatePostingId) {
    append("postings/org.toml", "\n[[posting]]\nid = \"clerk\"\ntitles = { en = \"Clerk 2\" }\n");
    std::string e = error();
    EXPECT_HAS(e, "org.toml: 'posting[1].id'");
    EXPECT_HAS(e, "used twice");
}

TEST_F(ConfigDir, ReservedPostingIds) {
    for (const char* id : {"unsorted", "_failed", "Clerk", "a/b"}) {
        replace("postings/org.toml", "id = \"clerk\"", std::string("id = \"") + id + "\"");
        EXPECT_HAS(error(), "'posting[0].id'");
        replace("postings/org.toml", std::string("id = \"") + id + "\"", "id = \"clerk\"");
    }
}

TEST_F(ConfigDir, DeadlineWithoutOffset) {
    replace("postings/org.toml", "2025-01-31T23:59:59+01:00", "2025-01-31T23:59:59");
    std::string e = error();
    EXPECT_HAS(e, "'posting[0].deadline'");
    EXPECT_HAS(e, "offset");
}

TEST_F(ConfigDir, DeadlineAsAString) {
    replace("postings/org.toml", "2025-01-31T23:59:59+01:00", "\"2025-01-31\"");
    EXPECT_HAS(error(), "expected a date-time with offset, got a string");
}

TEST_F(ConfigDir, DeadlineInstantAndText) {
    replace("postings/org.toml", "2025-01-31T23:59:59+01:00", "2025-06-01T08:30:00-03:30");
    const Config config = load();
    const auto& deadline = *config.organisations[0].postings[0].deadline;
    EXPECT_EQ(deadline.text, "2025-06-01T08:30:00-03:30");
    using namespace std::chrono;
    EXPECT_EQ(deadline.at, sys_days{2025y / 6 / 1} + hours{12} + minutes{0});
}

TEST_F(ConfigDir, UnknownRequirement) {
    append("postings/org.toml", "requirements = [\"driving_licence\"]\n");
    std::string e = error();
    EXPECT_HAS(e, "unknown requirement 'driving_licence'");
    EXPECT_HAS(e, "english_cover_letter");
}

TEST_F(ConfigDir, BadKind) {
    append("postings/org.toml", "kind = \"volunteer\"\n");
    EXPECT_HAS(error(), "'posting[0].kind'");
}

TEST_F(ConfigDir, MissingPostingsFile) {
    fs::remove(dir_ / "postings/org.toml");
    std::string e = error();
    EXPECT_HAS(e, "postings/org.toml");
    EXPECT_HAS(e, "not found");
}

TEST_F(ConfigDir, MissingTemplateFile) {
    fs::remove(dir_ / "templates/org/fr/late.txt");
    std::string e = error();
    EXPECT_HAS(e, "templates/org/fr/late.txt: template file not found");
    EXPECT_HAS(e, "received.txt, late.txt, unsorted.txt and too_large.txt");
}

TEST_F(ConfigDir, UnknownPlaceholderNamesFileAndLine) {
    write("templates/org/en/received.txt", "Subject: Hi\n\nDear {applicant},\n");
    std::string e = error();
    EXPECT_HAS(e, "templates/org/en/received.txt: line 3: unknown placeholder {applicant}");
    EXPECT_HAS(e, "{applicant_name}");
}

TEST_F(ConfigDir, UnknownPlaceholderInTheSubject) {
    write("templates/org/fr/unsorted.txt", "Subject: {title}\n\nBonjour.\n");
    EXPECT_HAS(error(), "fr/unsorted.txt: line 1: unknown placeholder {title}");
}

TEST_F(ConfigDir, DoubledBracesAreLiteral) {
    write("templates/org/en/received.txt", "Subject: Hi\n\n{{not a placeholder}} {deadline}\n");
    EXPECT_EQ(load().organisations[0].templates.at({"en", ReplyCase::received}).body,
              "{{not a placeholder}} {deadline}\n");
}

TEST_F(ConfigDir, LoneBrace) {
    write("templates/org/en/late.txt", "Subject: Hi\n\nA { here\n");
    EXPECT_HAS(error(), "late.txt: line 3: a '{' that starts no {placeholder}");
}

TEST_F(ConfigDir, TemplateWithoutSubjectLine) {
    write("templates/org/en/late.txt", "Dear {applicant_name}\n");
    EXPECT_HAS(error(), "late.txt: line 1: expected \"Subject: …\"");
}

TEST_F(ConfigDir, TemplateWithoutBlankLineAfterSubject) {
    write("templates/org/en/late.txt", "Subject: Hi\nDear {applicant_name}\n");
    EXPECT_HAS(error(), "late.txt: line 2: expected a blank line");
}

TEST_F(ConfigDir, CrlfTemplatesAndBomAreRead) {
    write("templates/org/en/received.txt",
          "\xEF\xBB\xBFSubject: Hi\r\n\r\nLine one\r\nLine two\r\n\r\n");
    const Config config = load();
    const Template& t = config.organisations[0].templates.at({"en", ReplyCase::received});
    EXPECT_EQ(t.subject, "Hi");
    EXPECT_EQ(t.body, "Line one\nLine two\n");
}

TEST_F(ConfigDir, FeedbackNeedsPhrasesInEveryLanguage) {
    replace("intake.toml", "smtp = \"out\"\n", "smtp = \"out\"\nfeedback = true\n");
    EXPECT_HAS(error(), "templates/org/en/phrases.toml: phrases file not found");
}

TEST_F(ConfigDir, FeedbackNeedsEveryPhraseCode) {
    replace("intake.toml", "smtp = \"out\"\n", "smtp = \"out\"\nfeedback = true\n");
    std::string all;
    for (const auto& code : phrase_codes()) all += code + " = \"Sentence.\"\n";
    write("templates/org/en/phrases.toml", all);
    write("templates/org/fr/phrases.toml", "missing_cv = \"Pas de CV.\"\n");
    std::string e = error();
    EXPECT_HAS(e, "fr/phrases.toml: missing key 'missing_cover_letter'");
}

TEST_F(ConfigDir, UnknownPhraseCode) {
    write("templates/org/en/phrases.toml", "mising_cv = \"No CV.\"\n");
    EXPECT_HAS(error(), "en/phrases.toml: unknown key 'mising_cv'");
}

TEST_F(ConfigDir, PhrasesAreOptionalWithoutFeedback) {
    write("templates/org/fr/phrases.toml", "missing_cv = \"Pas de CV.\"\n");
    Config config = load();
    EXPECT_EQ(config.organisations[0].phrases.at("fr").at("missing_cv"), "Pas de CV.");
}

TEST_F(ConfigDir, UnsortedTitlesCanBeOverridden) {
    append("postings/org.toml", "\n[unsorted]\ntitles = { en = \"Other mail\" }\n");
    const Config config = load();
    const Posting& unsorted = config.organisations[0].postings.back();
    EXPECT_EQ(unsorted.title("en"), "Other mail");
    EXPECT_EQ(unsorted.title("fr"), "Candidatures non classées");
}

TEST_F(ConfigDir, OwnAddressesAreLowerCaseAndIncludeTheAddress) {
    replace("intake.toml", "address = \"jobs@org.example\"",
            "address = \"Jobs@Org.example\"\nown_addresses = [\"HR@org.example\"]");
    EXPECT_EQ(load().organisations[0].own_addresses,
              (std::vector<std::string>{"hr@org.example", "jobs@org.example"}));
}

TEST_F(ConfigDir, RetainMonthsAfterCloseIsReadForAPostingWithADeadline) {
    append("postings/org.toml", "retain_months_after_close = 6\n");
    const Config config = load();
    EXPECT_EQ(config.organisations[0].postings[0].retain_months_after_close, 6);
    EXPECT_FALSE(config.organisations[0].postings[1].retain_months_after_close);  // unsorted
}

TEST_F(ConfigDir, RetainMonthsAfterCloseNeedsADeadline) {
    replace("postings/org.toml", "deadline = 2025-01-31T23:59:59+01:00",
            "retain_months_after_close = 6");
    const std::string e = error();
    EXPECT_HAS(e, "'posting[0].retain_months_after_close'");
    EXPECT_HAS(e, "without a deadline");
}

TEST_F(ConfigDir, RetainMonthsAfterCloseIsNotNegative) {
    append("postings/org.toml", "retain_months_after_close = -1\n");
    EXPECT_HAS(error(), "expected an integer >= 0");
}

// ca_file, the private CA a mailbox or SMTP server is checked against: read relative
// to the config file, and refused at load (naming the key and the file) when it is
// missing, a folder, or holds no PEM certificate, so a typo stops `intake check`
// and the start instead of failing every connection later.

// Any PEM certificate will do: only its marker is looked at when loading.
const char* const kPem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

class CaFile : public ConfigDir {
protected:
    void SetUp() override {
        ConfigDir::SetUp();
        write("ca/company-ca.pem", kPem);
    }
    /// The setup with these lines added to the mailbox and to the SMTP server.
    void add(const std::string& mailbox_lines, const std::string& smtp_lines = "") {
        replace("intake.toml", "password_file = \"secrets/imap\"",
                "password_file = \"secrets/imap\"\n" + mailbox_lines);
        replace("intake.toml", "url = \"smtps://smtp.org.example:465\"",
                "url = \"smtps://smtp.org.example:465\"\n" + smtp_lines);
    }
};

TEST_F(CaFile, DefaultIsTheSystemStore) {
    const Config config = load();
    EXPECT_TRUE(config.mailboxes[0].ca_file.empty());
    EXPECT_TRUE(config.smtp_servers[0].ca_file.empty());
}

TEST_F(CaFile, IsReadRelativeToTheConfigFileForMailboxesAndSmtp) {
    add("ca_file = \"ca/company-ca.pem\"", "ca_file = \"ca/company-ca.pem\"");
    const Config config = load();
    EXPECT_EQ(config.mailboxes[0].ca_file, (dir_ / "ca/company-ca.pem").lexically_normal());
    EXPECT_EQ(config.smtp_servers[0].ca_file, (dir_ / "ca/company-ca.pem").lexically_normal());
}

TEST_F(CaFile, MissingFileNamesTheKeyAndTheFile) {
    add("ca_file = \"ca/typo.pem\"");
    const std::string e = error();
    EXPECT_HAS(e, "intake.toml");
    EXPECT_HAS(e, "'mailbox[0].ca_file'");
    EXPECT_HAS(e, (dir_ / "ca/typo.pem").lexically_normal().string());
    EXPECT_HAS(e, "does not exist");
    EXPECT_HAS(e, "PEM");
}

TEST_F(CaFile, MissingFileOfAnSmtpServer) {
    add("", "ca_file = \"/nonexistent/ca.pem\"");
    const std::string e = error();
    EXPECT_HAS(e, "'smtp[0].ca_file'");
    EXPECT_HAS(e, "/nonexistent/ca.pem");
}

TEST_F(CaFile, AFolderIsRefused) {
    add("ca_file = \"ca\"");
    EXPECT_HAS(error(), "is not a file");
}

TEST_F(CaFile, AFileWithoutACertificateIsRefused) {
    write("ca/key-by-mistake.pem", "-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n");
    add("ca_file = \"ca/key-by-mistake.pem\"");
    const std::string e = error();
    EXPECT_HAS(e, "'mailbox[0].ca_file'");
    EXPECT_HAS(e, "holds no PEM certificate");
}

}  // namespace
}  // namespace intake::config
