// send_mail and verify_smtp over real TLS: aiosmtpd with certificates from a test
// CA made when the suite starts, with STARTTLS (submission) and with implicit TLS
// (smtps://, port 465 style). Verification is on and the client trusts the test CA
// through ca_file. The server records each message's TLS version and every AUTH
// attempt, so the tests see that AUTH happens only with a configured user and that
// a password is never sent before the server's certificate has been accepted.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "base/errors.h"
#include "fixtures/smtp_server.h"
#include "fixtures/test_ca.h"
#include "outbox/smtp.h"

namespace intake {

namespace fixtures {
// ctest names each test after its printed parameter; found by argument-dependent lookup.
void PrintTo(SmtpTls tls, std::ostream* out) {
    *out << (tls == SmtpTls::starttls ? "STARTTLS" : "implicit TLS");
}
}  // namespace fixtures

namespace {

using namespace std::chrono_literals;
using fixtures::ServerCert;
using fixtures::SmtpOptions;
using fixtures::SmtpServer;
using fixtures::SmtpTls;
using fixtures::TestCa;
using outbox::SendStatus;

const std::string reply =
    "From: CEMR Recruitment <application@ccre-cemr.org>\r\n"
    "To: Ana Silva <ana.silva@example.pt>\r\n"
    "Subject: Application received\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "\r\n"
    "We have received your application.\r\n";

const outbox::Envelope ana{"application@ccre-cemr.org", {"ana.silva@example.pt"}};

SmtpOptions options(const TestCa& ca, SmtpTls tls, ServerCert cert = ServerCert::good) {
    SmtpOptions o;
    o.user = "application@ccre-cemr.org";
    o.password = "smtp-Pa55";
    o.tls = tls;
    o.tls_cert = ca.cert_file(cert);
    o.tls_key = ca.key_file();
    return o;
}

/// Production settings: verification on, the test CA as ca_file, the server's user.
outbox::SmtpSettings verified(const SmtpServer& server, const TestCa& ca) {
    outbox::SmtpSettings s;
    s.url = server.url();
    s.user = server.options().user;
    s.password = Secret(server.options().password);
    s.tls_verify = true;
    s.ca_file = ca.ca_file().string();
    s.timeout = 5s;
    return s;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class SmtpTlsTest : public ::testing::TestWithParam<SmtpTls> {
protected:
    static void SetUpTestSuite() { ca_ = std::make_unique<TestCa>(); }
    static void TearDownTestSuite() { ca_.reset(); }
    static std::unique_ptr<TestCa> ca_;
};

std::unique_ptr<TestCa> SmtpTlsTest::ca_;

TEST_P(SmtpTlsTest, WithAUserTheReplyIsSentAuthenticatedOverTls) {
    SmtpServer server(options(*ca_, GetParam()));
    const outbox::SendResult result = outbox::send_mail(verified(server, *ca_), ana, reply);
    ASSERT_EQ(result.status, SendStatus::sent) << result.detail;

    const std::vector<SmtpServer::Message> received = server.received();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].data, reply);
    EXPECT_EQ(received[0].recipients, std::vector<std::string>{"ana.silva@example.pt"});
    EXPECT_EQ(received[0].auth_user, "application@ccre-cemr.org");
    EXPECT_TRUE(received[0].tls.starts_with("TLSv1.")) << received[0].tls;
    const std::vector<SmtpServer::AuthAttempt> attempts = server.auth_attempts();
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_TRUE(attempts[0].accepted);
    EXPECT_TRUE(attempts[0].tls.starts_with("TLSv1.")) << "the password went in plain text";

    EXPECT_EQ(outbox::verify_smtp(verified(server, *ca_)).status, SendStatus::sent);
    EXPECT_EQ(server.received().size(), 1u);  // verify_smtp sends nothing
}

TEST_P(SmtpTlsTest, WithoutAUserNoAuthIsSentEvenWhenOffered) {
    SmtpOptions o = options(*ca_, GetParam());
    o.auth_required = false;  // AUTH offered, not required
    SmtpServer server(o);
    outbox::SmtpSettings settings = verified(server, *ca_);
    settings.user.clear();
    settings.password = Secret("");
    const outbox::SendResult result = outbox::send_mail(settings, ana, reply);
    ASSERT_EQ(result.status, SendStatus::sent) << result.detail;

    const std::vector<SmtpServer::Message> received = server.received();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].data, reply);
    EXPECT_EQ(received[0].auth_user, "");
    EXPECT_TRUE(received[0].tls.starts_with("TLSv1.")) << received[0].tls;
    EXPECT_TRUE(server.auth_attempts().empty());
}

TEST_P(SmtpTlsTest, BadCertificatesAreRefusedBeforeAnyPasswordOrMail) {
    const struct {
        ServerCert cert;
        std::string says;
        std::string hint;
    } cases[] = {
        {ServerCert::wrong_name, "not valid for the host name '127.0.0.1'",
         "write the url with a host name the certificate names"},
        {ServerCert::expired, "the server's certificate has expired",
         "renew the server's certificate"},
        {ServerCert::untrusted, "not signed by a CA trusted here (ca_file '",
         "set ca_file to your CA's certificate"},
    };
    for (const auto& bad : cases) {
        SCOPED_TRACE(to_string(bad.cert));
        SmtpServer server(options(*ca_, GetParam(), bad.cert));
        for (const outbox::SendResult& result :
             {outbox::send_mail(verified(server, *ca_), ana, reply),
              outbox::verify_smtp(verified(server, *ca_))}) {
            // Kept and retried: the admin may fix the certificate or the config.
            EXPECT_EQ(result.status, SendStatus::temporary_failure);
            EXPECT_TRUE(contains(result.detail, server.url())) << result.detail;
            EXPECT_TRUE(contains(result.detail, "certificate verification failed"))
                << result.detail;
            EXPECT_TRUE(contains(result.detail, bad.says)) << result.detail;
            EXPECT_TRUE(contains(result.detail, bad.hint)) << result.detail;
        }
        EXPECT_TRUE(server.received().empty());
        EXPECT_TRUE(server.auth_attempts().empty());
    }
}

INSTANTIATE_TEST_SUITE_P(Modes, SmtpTlsTest,
                         ::testing::Values(SmtpTls::starttls, SmtpTls::implicit),
                         [](const ::testing::TestParamInfo<SmtpTls>& param) {
                             return param.param == SmtpTls::starttls ? "Starttls" : "Implicit";
                         });

// A server that offers no STARTTLS but would take AUTH in plain text: smtp:// is
// refused before the password leaves, unless tls_verify = false to a loopback host.
TEST(SmtpWithoutStarttls, IsRefusedUnlessTlsVerifyIsOffForLoopback) {
    TestCa ca;
    SmtpServer server(options(ca, SmtpTls::none));
    const outbox::SendResult refused = outbox::send_mail(verified(server, ca), ana, reply);
    EXPECT_EQ(refused.status, SendStatus::temporary_failure);
    EXPECT_TRUE(contains(refused.detail, server.url())) << refused.detail;
    EXPECT_TRUE(contains(refused.detail, "does not offer STARTTLS")) << refused.detail;
    EXPECT_TRUE(server.received().empty());
    EXPECT_TRUE(server.auth_attempts().empty()) << "the password was sent without TLS";

    outbox::SmtpSettings plain = verified(server, ca);
    plain.tls_verify = false;
    const outbox::SendResult sent = outbox::send_mail(plain, ana, reply);
    ASSERT_EQ(sent.status, SendStatus::sent) << sent.detail;
    ASSERT_EQ(server.received().size(), 1u);
    EXPECT_EQ(server.received()[0].data, reply);
    EXPECT_EQ(server.received()[0].tls, "");
}

}  // namespace
}  // namespace intake
