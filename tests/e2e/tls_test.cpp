// intake once over TLS as in production: Dovecot on imaps:// and the SMTP server
// with STARTTLS, both with certificates from a test CA that the config trusts with
// ca_file, and tls_verify left on. One application is filed and answered.
#include <algorithm>

#include "e2e/e2e.h"
#include "fixtures/test_ca.h"

namespace intake::e2e {
namespace {

using fixtures::ServerCert;
using fixtures::TestCa;

/// Made before the servers, which need its certificates; lives for the whole run.
const TestCa& test_ca() {
    static const TestCa ca;
    return ca;
}

fixtures::DovecotOptions imap_options() {
    fixtures::DovecotOptions options;
    options.tls_cert = test_ca().cert_file(ServerCert::good);
    options.tls_key = test_ca().key_file();
    return options;
}

fixtures::SmtpOptions smtp_options() {
    fixtures::SmtpOptions options;
    options.tls = fixtures::SmtpTls::starttls;
    options.tls_cert = test_ca().cert_file(ServerCert::good);
    options.tls_key = test_ca().key_file();
    return options;
}

class TlsE2E : public IntakeE2E {
protected:
    TlsE2E() : IntakeE2E(imap_options(), smtp_options(), test_ca().ca_file()) {}
};

TEST_F(TlsE2E, OnceFilesAndAnswersOverImapsAndStarttls) {
    const std::string application = sample("decide_cemr_platforma_lowercase_re.eml");
    imap_.append(kCemrFolder, application);

    ASSERT_EQ(intake("once"), 0) << output_;

    const auto folders = application_folders();
    ASSERT_EQ(folders.size(), 1u) << output_;
    EXPECT_EQ(fixtures::read_file(folders[0] / "message.eml"), application);
    EXPECT_TRUE(imap_.uids(kCemrFolder).empty());  // moved to Intake/Processed/cemr

    const auto replies = smtp_.received();
    ASSERT_EQ(replies.size(), 1u) << output_;
    EXPECT_EQ(replies[0].recipients, std::vector<std::string>{"ana.silva@example.pt"});
    EXPECT_TRUE(replies[0].tls.starts_with("TLSv1.")) << replies[0].tls;
    EXPECT_TRUE(smtp_.auth_attempts().empty());  // no user configured: no AUTH

    const auto logins = imap_.logins();
    ASSERT_FALSE(logins.empty()) << imap_.log();
    EXPECT_TRUE(std::all_of(logins.begin(), logins.end(), [](const std::string& line) {
        return line.find(", TLS,") != std::string::npos;
    })) << imap_.log();
}

TEST_F(TlsE2E, CheckNamesTheServerWhoseCertificateIsRefused) {
    // The same servers, but the config trusts a CA that did not sign them.
    ca_file_ = test_ca().other_ca_file();
    write_config();
    EXPECT_NE(intake("check"), 0) << output_;
    EXPECT_NE(output_.find(imap_.imaps_url()), std::string::npos) << output_;
    EXPECT_NE(output_.find("certificate verification failed"), std::string::npos) << output_;
    EXPECT_NE(output_.find("set ca_file"), std::string::npos) << output_;
    EXPECT_NE(output_.find("smtp test-smtp: " + smtp_.url() + ": certificate verification failed"),
              std::string::npos)
        << output_;
}

}  // namespace
}  // namespace intake::e2e
