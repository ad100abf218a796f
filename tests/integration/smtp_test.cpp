// send_mail and verify_smtp against a real SMTP server (aiosmtpd). What arrived is
// read back from the server's own store, byte for byte.
#include "outbox/smtp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "base/errors.h"
#include "fixtures/smtp_server.h"

namespace intake {
namespace {

using fixtures::SmtpOptions;
using fixtures::SmtpServer;
using outbox::Envelope;
using outbox::SendStatus;

outbox::SmtpSettings settings_for(const SmtpServer& server) {
    outbox::SmtpSettings settings;
    settings.url = server.url();
    settings.user = server.options().user;
    settings.password = Secret(server.options().password);
    settings.tls_verify = false;  // plain SMTP to loopback
    settings.timeout = std::chrono::seconds(5);
    return settings;
}

/// An acknowledgement as the reply stage writes it: CRLF, quoted-printable UTF-8,
/// plus lines that need dot-stuffing (a leading dot, a lone dot).
const std::string acknowledgement =
    "From: CEMR Recruitment <application@ccre-cemr.org>\r\n"
    "To: Marie Dupont <marie.dupont@example.org>\r\n"
    "Subject: =?UTF-8?Q?Accus=C3=A9_de_r=C3=A9ception?=\r\n"
    "In-Reply-To: <abc@example.org>\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Nous avons bien re=C3=A7u votre candidature.\r\n"
    ".Cette ligne commence par un point.\r\n"
    ".\r\n"
    "..deux points\r\n";

const Envelope marie{"application@ccre-cemr.org", {"marie.dupont@example.org"}};

class SmtpTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server_ = std::make_unique<SmtpServer>(); }
    static void TearDownTestSuite() { server_.reset(); }
    void TearDown() override { server_->clear_failure(); }

    static std::unique_ptr<SmtpServer> server_;
};

std::unique_ptr<SmtpServer> SmtpTest::server_;

TEST_F(SmtpTest, SentMailArrivesByteForByteWithItsEnvelope) {
    const size_t before = server_->received().size();
    const outbox::SendResult result =
        outbox::send_mail(settings_for(*server_), marie, acknowledgement);
    ASSERT_EQ(result.status, SendStatus::sent) << result.detail;
    EXPECT_NE(result.detail.find("250"), std::string::npos) << result.detail;
    const std::vector<SmtpServer::Message> received = server_->received();
    ASSERT_EQ(received.size(), before + 1);
    EXPECT_EQ(received.back().data, acknowledgement);
    EXPECT_EQ(received.back().mail_from, "application@ccre-cemr.org");
    EXPECT_EQ(received.back().recipients, std::vector<std::string>{"marie.dupont@example.org"});
    EXPECT_EQ(received.back().auth_user, "");
}

TEST_F(SmtpTest, NullSenderAndSeveralRecipients) {
    const Envelope envelope{"", {"a@example.org", "b@example.net"}};
    const outbox::SendResult result =
        outbox::send_mail(settings_for(*server_), envelope, acknowledgement);
    ASSERT_EQ(result.status, SendStatus::sent) << result.detail;
    const SmtpServer::Message last = server_->received().back();
    EXPECT_EQ(last.mail_from, "");  // MAIL FROM:<>
    EXPECT_EQ(last.recipients, (std::vector<std::string>{"a@example.org", "b@example.net"}));
    EXPECT_EQ(last.data, acknowledgement);
}

TEST_F(SmtpTest, TemporaryFailureAtRcptIsRetryable) {
    const size_t before = server_->received().size();
    server_->set_failure(SmtpServer::Stage::rcpt, 451);
    const outbox::SendResult result =
        outbox::send_mail(settings_for(*server_), marie, acknowledgement);
    EXPECT_EQ(result.status, SendStatus::temporary_failure) << result.detail;
    EXPECT_NE(result.detail.find("451 4.3.0 Test failure at RCPT"), std::string::npos)
        << result.detail;
    EXPECT_EQ(server_->received().size(), before);

    server_->clear_failure();  // the retry goes through
    EXPECT_EQ(outbox::send_mail(settings_for(*server_), marie, acknowledgement).status,
              SendStatus::sent);
    EXPECT_EQ(server_->received().size(), before + 1);
}

TEST_F(SmtpTest, TemporaryFailureAtDataIsRetryable) {
    server_->set_failure(SmtpServer::Stage::data, 451);
    const outbox::SendResult result =
        outbox::send_mail(settings_for(*server_), marie, acknowledgement);
    EXPECT_EQ(result.status, SendStatus::temporary_failure) << result.detail;
    EXPECT_NE(result.detail.find("451"), std::string::npos) << result.detail;
}

TEST_F(SmtpTest, PermanentFailureAtDataIsFinal) {
    const size_t before = server_->received().size();
    server_->set_failure(SmtpServer::Stage::data, 550);
    const outbox::SendResult result =
        outbox::send_mail(settings_for(*server_), marie, acknowledgement);
    EXPECT_EQ(result.status, SendStatus::permanent_failure) << result.detail;
    EXPECT_NE(result.detail.find("550 5.7.1 Test failure at DATA"), std::string::npos)
        << result.detail;
    EXPECT_EQ(server_->received().size(), before);
}

TEST_F(SmtpTest, PermanentFailureAtRcptAndMailIsFinal) {
    server_->set_failure(SmtpServer::Stage::rcpt, 550);
    EXPECT_EQ(outbox::send_mail(settings_for(*server_), marie, acknowledgement).status,
              SendStatus::permanent_failure);
    server_->set_failure(SmtpServer::Stage::mail, 553);
    EXPECT_EQ(outbox::send_mail(settings_for(*server_), marie, acknowledgement).status,
              SendStatus::permanent_failure);
}

TEST_F(SmtpTest, AddressesThatCouldInjectCommandsAreRefused) {
    const size_t before = server_->received().size();
    const Envelope injected{"application@ccre-cemr.org",
                            {"x@example.org>\r\nRCPT TO:<victim@example.org"}};
    EXPECT_EQ(outbox::send_mail(settings_for(*server_), injected, acknowledgement).status,
              SendStatus::permanent_failure);
    const Envelope bad_sender{"a@b> SIZE=1", {"x@example.org"}};
    EXPECT_EQ(outbox::send_mail(settings_for(*server_), bad_sender, acknowledgement).status,
              SendStatus::permanent_failure);
    EXPECT_EQ(server_->received().size(), before);
}

TEST_F(SmtpTest, UserGivenButServerOffersNoAuthSendsNothing) {
    const size_t before = server_->received().size();
    outbox::SmtpSettings settings = settings_for(*server_);
    settings.user = "application@ccre-cemr.org";
    settings.password = Secret("irrelevant");
    const outbox::SendResult result = outbox::send_mail(settings, marie, acknowledgement);
    EXPECT_EQ(result.status, SendStatus::temporary_failure) << result.detail;
    EXPECT_NE(result.detail.find("AUTH"), std::string::npos) << result.detail;
    EXPECT_EQ(server_->received().size(), before);
    EXPECT_EQ(outbox::verify_smtp(settings).status, SendStatus::temporary_failure);
}

TEST_F(SmtpTest, VerifyConnectsAndSendsNothing) {
    const size_t before = server_->received().size();
    const outbox::SendResult result = outbox::verify_smtp(settings_for(*server_));
    EXPECT_EQ(result.status, SendStatus::sent) << result.detail;
    EXPECT_EQ(server_->received().size(), before);
}

TEST_F(SmtpTest, PlainSmtpNeedsStarttlsWhenCertificatesAreVerified) {
    outbox::SmtpSettings settings = settings_for(*server_);
    settings.tls_verify = true;
    const outbox::SendResult result = outbox::send_mail(settings, marie, acknowledgement);
    EXPECT_EQ(result.status, SendStatus::temporary_failure) << result.detail;
    EXPECT_NE(result.detail.find("STARTTLS"), std::string::npos) << result.detail;
}

TEST_F(SmtpTest, UrlOutsideThePolicyIsConfigError) {
    outbox::SmtpSettings settings = settings_for(*server_);
    settings.url = "imap://127.0.0.1:25";
    EXPECT_THROW(outbox::send_mail(settings, marie, acknowledgement), ConfigError);
    EXPECT_THROW(outbox::verify_smtp(settings), ConfigError);
}

/// A server that requires AUTH.
class SmtpAuthTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ =
            std::make_unique<SmtpServer>(SmtpOptions{"application@ccre-cemr.org", "sm7p-Secret"});
    }
    static void TearDownTestSuite() { server_.reset(); }

    static std::unique_ptr<SmtpServer> server_;
};

std::unique_ptr<SmtpServer> SmtpAuthTest::server_;

TEST_F(SmtpAuthTest, AuthenticatedMailArrives) {
    const outbox::SendResult result =
        outbox::send_mail(settings_for(*server_), marie, acknowledgement);
    ASSERT_EQ(result.status, SendStatus::sent) << result.detail;
    const SmtpServer::Message last = server_->received().back();
    EXPECT_EQ(last.auth_user, "application@ccre-cemr.org");
    EXPECT_EQ(last.data, acknowledgement);
}

TEST_F(SmtpAuthTest, OneSessionSendsSeveralMailsOverOneAuthenticatedConnection) {
    const size_t before = server_->received().size();
    outbox::SmtpSession session(settings_for(*server_));
    for (int n = 0; n < 3; ++n) {
        const std::string mail = acknowledgement + "Number " + std::to_string(n) + "\r\n";
        const outbox::SendResult result = session.send(marie, mail);
        ASSERT_EQ(result.status, SendStatus::sent) << result.detail;
    }
    const auto received = server_->received();
    ASSERT_EQ(received.size(), before + 3);
    for (size_t n = before; n < received.size(); ++n) {
        EXPECT_EQ(received[n].data,
                  acknowledgement + "Number " + std::to_string(n - before) + "\r\n");
        EXPECT_EQ(received[n].auth_user, "application@ccre-cemr.org");
        EXPECT_EQ(received[n].peer, received[before].peer);  // the same connection
    }
}

TEST_F(SmtpAuthTest, ASessionRecoversOnAFreshConnectionAfterARefusal) {
    outbox::SmtpSession session(settings_for(*server_));
    ASSERT_EQ(session.send(marie, acknowledgement).status, SendStatus::sent);
    const std::string first_peer = server_->received().back().peer;
    server_->set_failure(SmtpServer::Stage::rcpt, 451);
    EXPECT_EQ(session.send(marie, acknowledgement).status, SendStatus::temporary_failure);
    server_->clear_failure();
    ASSERT_EQ(session.send(marie, acknowledgement).status, SendStatus::sent);
    EXPECT_NE(server_->received().back().peer, first_peer);
    EXPECT_EQ(server_->received().back().auth_user, "application@ccre-cemr.org");
}

TEST_F(SmtpAuthTest, WrongPasswordIsRetriedAndNotShown) {
    const size_t before = server_->received().size();
    outbox::SmtpSettings settings = settings_for(*server_);
    settings.password = Secret("not-the-Password");
    const outbox::SendResult result = outbox::send_mail(settings, marie, acknowledgement);
    EXPECT_EQ(result.status, SendStatus::temporary_failure) << result.detail;
    EXPECT_NE(result.detail.find("535"), std::string::npos) << result.detail;
    EXPECT_EQ(result.detail.find("not-the-Password"), std::string::npos) << result.detail;
    EXPECT_EQ(server_->received().size(), before);
    EXPECT_EQ(outbox::verify_smtp(settings).status, SendStatus::temporary_failure);
}

TEST_F(SmtpAuthTest, NoUserWhereAuthIsRequiredIsRetried) {
    outbox::SmtpSettings settings = settings_for(*server_);
    settings.user.clear();
    const outbox::SendResult result = outbox::send_mail(settings, marie, acknowledgement);
    EXPECT_EQ(result.status, SendStatus::temporary_failure) << result.detail;
    EXPECT_NE(result.detail.find("530"), std::string::npos) << result.detail;
}

TEST_F(SmtpAuthTest, VerifyAuthenticates) {
    const size_t before = server_->received().size();
    const outbox::SendResult result = outbox::verify_smtp(settings_for(*server_));
    EXPECT_EQ(result.status, SendStatus::sent) << result.detail;
    EXPECT_EQ(server_->received().size(), before);
}

/// A server of its own per test, because the tests stop or freeze it.
class SmtpOutageTest : public ::testing::Test {
protected:
    SmtpServer server_;
};

TEST_F(SmtpOutageTest, ServerDownIsTemporary) {
    server_.stop();
    const outbox::SendResult result =
        outbox::send_mail(settings_for(server_), marie, acknowledgement);
    EXPECT_EQ(result.status, SendStatus::temporary_failure) << result.detail;
    EXPECT_NE(result.detail.find(server_.url()), std::string::npos) << result.detail;
    EXPECT_EQ(outbox::verify_smtp(settings_for(server_)).status, SendStatus::temporary_failure);

    server_.start();
    EXPECT_EQ(outbox::send_mail(settings_for(server_), marie, acknowledgement).status,
              SendStatus::sent);
    ASSERT_EQ(server_.received().size(), 1u);
    EXPECT_EQ(server_.received()[0].data, acknowledgement);
}

TEST_F(SmtpOutageTest, HangingServerTimesOutAsTemporary) {
    outbox::SmtpSettings settings = settings_for(server_);
    settings.timeout = std::chrono::seconds(1);
    server_.pause();
    const auto start = std::chrono::steady_clock::now();
    const outbox::SendResult result = outbox::send_mail(settings, marie, acknowledgement);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    server_.resume();
    EXPECT_EQ(result.status, SendStatus::temporary_failure) << result.detail;
    EXPECT_LT(elapsed, std::chrono::seconds(4));
    EXPECT_TRUE(server_.received().empty());
}

}  // namespace
}  // namespace intake
