// MailboxClient and IdleWatcher over real TLS: Dovecot with certificates from a test
// CA made when the suite starts, on imaps:// (TLS from the first byte) and imap://
// with STARTTLS. Verification is on, as in production; the client trusts the test
// CA through ca_file. Whether a login really went over TLS is read from Dovecot's
// log, and a refused certificate must leave no login there at all: the password
// is sent only once the server's certificate has been accepted.
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "base/errors.h"
#include "fixtures/dovecot.h"
#include "fixtures/eventually.h"
#include "fixtures/test_ca.h"
#include "imap/imap.h"

namespace intake {
namespace {

using namespace std::chrono_literals;
using fixtures::DovecotOptions;
using fixtures::DovecotServer;
using fixtures::ServerCert;
using fixtures::TestCa;
using imap::IdleWatcher;
using imap::MailboxClient;

const std::string raw_message =
    "From: Ana Silva <ana.silva@example.pt>\r\n"
    "To: application@ccre-cemr.org\r\n"
    "Subject: Application - Policy Internship\r\n"
    "Message-ID: <tls-1@example.pt>\r\n"
    "\r\n"
    "Dear Sir or Madam, please find my application attached.\r\n";

DovecotOptions with_cert(const TestCa& ca, ServerCert cert) {
    DovecotOptions options;
    options.tls_cert = ca.cert_file(cert);
    options.tls_key = ca.key_file();
    return options;
}

/// Production settings: verification on, the test CA as ca_file.
imap::ServerSettings verified(const DovecotServer& server, const std::string& url,
                              const TestCa& ca) {
    imap::ServerSettings s;
    s.url = url;
    s.user = server.user();
    s.password = Secret(server.password());
    s.tls_verify = true;
    s.ca_file = ca.ca_file().string();
    s.timeout = 5s;
    return s;
}

bool all_over_tls(const std::vector<std::string>& logins) {
    return std::all_of(logins.begin(), logins.end(), [](const std::string& line) {
        return line.find(", TLS,") != std::string::npos;
    });
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class ImapTlsTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        ca_ = std::make_unique<TestCa>();
        server_ = std::make_unique<DovecotServer>(with_cert(*ca_, ServerCert::good));
    }
    static void TearDownTestSuite() {
        server_.reset();
        ca_.reset();
    }

    /// Appends a message, then reads it back with intake's client over `url`.
    void round_trip(const std::string& url) {
        const std::uint32_t uid = server_->append("INBOX", raw_message);
        const size_t logins_before = server_->logins().size();
        const size_t log_before = server_->log().size();
        MailboxClient client(verified(*server_, url, *ca_));
        const std::vector<imap::Uid> uids = client.list_uids("INBOX");
        ASSERT_NE(std::find(uids.begin(), uids.end(), imap::Uid{uid}), uids.end());
        EXPECT_EQ(client.fetch("INBOX", imap::Uid{uid}), raw_message);
        ASSERT_TRUE(server_->wait_for_log("rip=127.0.0.1,", log_before)) << server_->log();
        const std::vector<std::string> logins = server_->logins();
        ASSERT_EQ(logins.size(), logins_before + 1) << server_->log();
        EXPECT_TRUE(contains(logins.back(), ", TLS,")) << logins.back();
    }

    static std::unique_ptr<TestCa> ca_;
    static std::unique_ptr<DovecotServer> server_;
};

std::unique_ptr<TestCa> ImapTlsTest::ca_;
std::unique_ptr<DovecotServer> ImapTlsTest::server_;

TEST_F(ImapTlsTest, ImapsWithTheCaLogsInListsAndFetches) { round_trip(server_->imaps_url()); }

TEST_F(ImapTlsTest, StarttlsWithTheCaLogsInListsAndFetches) { round_trip(server_->url()); }

TEST_F(ImapTlsTest, IdleWatcherHearsOfNewMailOverImapsAndStarttls) {
    const size_t logins_before = server_->logins().size();
    for (const std::string& url : {server_->imaps_url(), server_->url()}) {
        IdleWatcher watcher(verified(*server_, url, *ca_), "INBOX");
        ASSERT_TRUE(watcher.start()) << url << "\n" << server_->log();
        server_->append("INBOX", raw_message);
        bool news = false;
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!news && std::chrono::steady_clock::now() < deadline) {
            pollfd fd{watcher.socket(), POLLIN, 0};
            if (::poll(&fd, 1, 200) == 1) news = watcher.take_news();
        }
        EXPECT_TRUE(news) << url;
        watcher.stop();
    }
    // Dovecot's log process writes a moment after the login.
    EXPECT_TRUE(
        fixtures::eventually([&] { return server_->logins().size() >= logins_before + 2; }));
    EXPECT_TRUE(all_over_tls(server_->logins())) << server_->log();
}

TEST_F(ImapTlsTest, WithoutCaFileTheSystemStoreDoesNotTrustThePrivateCa) {
    imap::ServerSettings settings = verified(*server_, server_->imaps_url(), *ca_);
    settings.ca_file.clear();
    MailboxClient client(std::move(settings));
    try {
        client.verify_login();
        FAIL() << "a certificate from an unknown CA was accepted";
    } catch (const TransientError& error) {
        const std::string text = describe(error);
        EXPECT_TRUE(contains(text, server_->imaps_url())) << text;
        EXPECT_TRUE(contains(text, "not signed by a CA trusted here (the system's CA store)"))
            << text;
        EXPECT_TRUE(contains(text, "set ca_file")) << text;
    }
}

TEST_F(ImapTlsTest, ImapsToThePlainPortSaysTheHandshakeFailed) {
    imap::ServerSettings settings = verified(*server_, server_->url(), *ca_);
    settings.url = "imaps://127.0.0.1:" + std::to_string(server_->port());
    MailboxClient client(std::move(settings));
    try {
        client.verify_login();
        FAIL() << "TLS to a port that starts plain succeeded";
    } catch (const TransientError& error) {
        const std::string text = describe(error);
        EXPECT_TRUE(contains(text, "TLS handshake failed")) << text;
        EXPECT_TRUE(contains(text, "imap://")) << text;  // the hint names the other form
    }
}

// A Dovecot with a bad certificate refuses both ways in; the error says which
// problem it is and what to do, and Dovecot never saw a login.
struct BadCertCase {
    ServerCert cert;
    std::string says;  ///< what the error must say
    std::string hint;  ///< what the hint must suggest
};

// ctest names the test after the printed parameter.
void PrintTo(const BadCertCase& bad, std::ostream* out) { *out << to_string(bad.cert); }

class ImapBadCertTest : public ::testing::TestWithParam<BadCertCase> {
protected:
    static void SetUpTestSuite() { ca_ = std::make_unique<TestCa>(); }
    static void TearDownTestSuite() { ca_.reset(); }
    static std::unique_ptr<TestCa> ca_;
};

std::unique_ptr<TestCa> ImapBadCertTest::ca_;

TEST_P(ImapBadCertTest, IsRefusedWithAnErrorSayingWhy) {
    const BadCertCase& bad = GetParam();
    DovecotServer server(with_cert(*ca_, bad.cert));
    const auto check = [&](const std::string& url, const Error& error) {
        const std::string text = describe(error);
        EXPECT_TRUE(contains(text, "IMAP server " + url)) << text;
        EXPECT_TRUE(contains(text, "certificate verification failed")) << text;
        EXPECT_TRUE(contains(text, bad.says)) << text;
        EXPECT_TRUE(contains(text, bad.hint)) << text;
        EXPECT_FALSE(contains(text, server.password())) << text;
    };
    for (const std::string& url : {server.imaps_url(), server.url()}) {
        MailboxClient client(verified(server, url, *ca_));
        try {
            client.list_uids("INBOX");
            ADD_FAILURE() << url << ": a " << to_string(bad.cert) << " certificate was accepted";
        } catch (const TransientError& error) {
            check(url, error);
        }
        IdleWatcher watcher(verified(server, url, *ca_), "INBOX");
        try {
            watcher.start();
            ADD_FAILURE() << url << ": IDLE accepted a " << to_string(bad.cert) << " certificate";
        } catch (const TransientError& error) {
            check(url, error);
        }
    }
    EXPECT_TRUE(server.logins().empty()) << server.log();
}

INSTANTIATE_TEST_SUITE_P(
    Certificates, ImapBadCertTest,
    ::testing::Values(BadCertCase{ServerCert::wrong_name, "not valid for the host name '127.0.0.1'",
                                  "write the url with a host name the certificate names"},
                      BadCertCase{ServerCert::expired, "the server's certificate has expired",
                                  "renew the server's certificate"},
                      BadCertCase{ServerCert::untrusted,
                                  "not signed by a CA trusted here (ca_file '",
                                  "set ca_file to your CA's certificate"}),
    [](const ::testing::TestParamInfo<BadCertCase>& param) {
        std::string name = to_string(param.param.cert);
        name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
        return name;
    });

// Dovecot with ssl = no offers no STARTTLS: imap:// is then refused before any
// password is sent, unless tls_verify = false to a loopback host (tests only).
TEST(ImapWithoutStarttls, IsRefusedUnlessTlsVerifyIsOffForLoopback) {
    TestCa ca;
    DovecotServer server;  // ssl = no
    const std::uint32_t uid = server.append("INBOX", raw_message);
    {
        MailboxClient client(verified(server, server.url(), ca));
        try {
            client.list_uids("INBOX");
            FAIL() << "logged in without STARTTLS";
        } catch (const ConfigError& error) {
            const std::string text = describe(error);
            EXPECT_TRUE(contains(text, server.url() + " does not offer STARTTLS")) << text;
            EXPECT_TRUE(contains(text, "imaps://")) << text;
        }
        IdleWatcher watcher(verified(server, server.url(), ca), "INBOX");
        EXPECT_THROW(watcher.start(), ConfigError);
    }
    EXPECT_TRUE(server.logins().empty()) << server.log();

    imap::ServerSettings plain = verified(server, server.url(), ca);
    plain.tls_verify = false;
    MailboxClient client(std::move(plain));
    EXPECT_EQ(client.fetch("INBOX", imap::Uid{uid}), raw_message);
    ASSERT_TRUE(server.wait_for_log("rip=127.0.0.1,"));
    ASSERT_EQ(server.logins().size(), 1u);
    EXPECT_FALSE(contains(server.logins()[0], ", TLS,")) << server.logins()[0];
}

}  // namespace
}  // namespace intake
