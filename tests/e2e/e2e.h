#pragma once
// End-to-end harness: a real Dovecot and a real SMTP server on loopback, a
// config pointing intake at them (with the shipped postings and templates), and
// the intake binary run as an admin would run it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "fixtures/dovecot.h"
#include "fixtures/smtp_server.h"
#include "fixtures/temp_dir.h"

namespace intake::e2e {

/// One mailbox per organisation, both on the fixture's single IMAP account.
inline constexpr const char* kCemrFolder = "INBOX";
inline constexpr const char* kAtlanticFolder = "Atlantic";

/// The value of a mail's header field (the first, unfolded lines only), "" if absent.
std::string header_of(const std::string& mail, const std::string& name);

/// A reply's quoted-printable body decoded, enough to read its text.
std::string qp_body(const std::string& mail);

class IntakeE2E : public ::testing::Test {
protected:
    explicit IntakeE2E(fixtures::DovecotOptions imap_options = {},
                       fixtures::SmtpOptions smtp_options = {});
    /// Servers with TLS: the config then reaches Dovecot on imaps:// and the SMTP
    /// server on its url() with tls_verify = true, trusting `ca_file`.
    IntakeE2E(fixtures::DovecotOptions imap_options, fixtures::SmtpOptions smtp_options,
              std::filesystem::path ca_file);

    /// Writes the config; `extra` is appended to it (e.g. a [limits] table).
    void write_config(const std::string& extra = "", int poll_interval_seconds = 60);
    /// Runs `intake <args> --config <config>`; returns the exit status, output in output_.
    int intake(const std::string& command);
    /// A file of tests/data/eml.
    static std::string sample(const std::string& name);

    std::filesystem::path hr() const { return work_.path() / "hr"; }
    std::filesystem::path config_file() const { return work_.path() / "intake.toml"; }
    /// Every application folder below hr/<organisation>/<posting>/.
    std::vector<std::filesystem::path> application_folders() const;
    /// Every file below hr/, relative, with its size, to compare two runs.
    std::vector<std::string> tree() const;

    fixtures::DovecotServer imap_;
    fixtures::SmtpServer smtp_;
    fixtures::TempDir work_{"intake-e2e"};
    std::filesystem::path ca_file_;  ///< empty: plain text to loopback, tls_verify = false
    std::string output_;
};

}  // namespace intake::e2e
