#include "net/endpoint.h"

#include <gtest/gtest.h>

#include "base/errors.h"

namespace intake::net {
namespace {

constexpr Schemes imap{"imap", "imaps"};
constexpr Schemes smtp{"smtp", "smtps"};

TEST(Endpoint, ImplicitTls) {
    const Endpoint e = parse_endpoint("IMAPS://mail.example.org:993/", imap, true);
    EXPECT_EQ(e.base_url, "imaps://mail.example.org:993");
    EXPECT_EQ(e.host, "mail.example.org");
    EXPECT_EQ(e.tls, TlsMode::implicit);
}

TEST(Endpoint, PlainSchemeRequiresStarttls) {
    EXPECT_EQ(parse_endpoint("imap://mail.example.org", imap, true).tls,
              TlsMode::starttls_required);
    // tls_verify = false alone does not allow plain text to a remote host.
    EXPECT_EQ(parse_endpoint("imap://mail.example.org", imap, false).tls,
              TlsMode::starttls_required);
    // Nor does a loopback host while certificates are verified.
    EXPECT_EQ(parse_endpoint("smtp://127.0.0.1:2525", smtp, true).tls, TlsMode::starttls_required);
}

TEST(Endpoint, PlainTextOnlyToLoopbackWithoutVerification) {
    EXPECT_EQ(parse_endpoint("imap://127.0.0.1:1143", imap, false).tls,
              TlsMode::starttls_if_offered);
    EXPECT_EQ(parse_endpoint("smtp://localhost:25", smtp, false).tls, TlsMode::starttls_if_offered);
    EXPECT_EQ(parse_endpoint("smtp://[::1]:25", smtp, false).tls, TlsMode::starttls_if_offered);
    EXPECT_EQ(parse_endpoint("smtp://[::1]:25", smtp, false).host, "[::1]");
}

TEST(Endpoint, RejectsOtherForms) {
    for (const char* url :
         {"http://example.org", "smtp://example.org", "imap:/example.org", "example.org",
          "imap://user:pw@example.org", "imap://example.org/INBOX", "imap://example.org:99999",
          "imap://example.org:x", "imap://", "imap://exa mple.org", "imap://h?x=1"}) {
        EXPECT_THROW(parse_endpoint(url, imap, true), ConfigError) << url;
    }
}

TEST(Endpoint, ErrorNamesTheUrlButNotItsPassword) {
    try {
        parse_endpoint("imap://user:hunter2@example.org", imap, true);
        FAIL() << "no exception";
    } catch (const ConfigError& error) {
        EXPECT_NE(std::string(error.what()).find("user name or password"), std::string::npos);
        EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos);
        EXPECT_FALSE(error.hint().empty());
    }
}

TEST(Endpoint, LoopbackHosts) {
    EXPECT_TRUE(is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.255.3.4"));
    EXPECT_TRUE(is_loopback_host("LOCALHOST"));
    EXPECT_TRUE(is_loopback_host("::1"));
    EXPECT_FALSE(is_loopback_host("127.0.0.1.example.org"));
    EXPECT_FALSE(is_loopback_host("128.0.0.1"));
    EXPECT_FALSE(is_loopback_host("127.0.0.256"));
    EXPECT_FALSE(is_loopback_host("127.0.0"));
    EXPECT_FALSE(is_loopback_host("localhost.example.org"));
    EXPECT_FALSE(is_loopback_host(""));
}

}  // namespace
}  // namespace intake::net
