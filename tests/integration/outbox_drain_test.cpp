// The outbox sends every reply that is due in one delivery pass, however many
// are queued: more than one batch of them reaches the real SMTP server, once each.
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <set>

#include "fixtures/smtp_server.h"
#include "fixtures/temp_dir.h"
#include "outbox/outbox.h"

namespace intake {
namespace {

namespace fs = std::filesystem;

state::Filing filing(int n, const std::string& email) {
    const std::string id = "app-" + std::to_string(n);
    state::Filing f;
    f.message = {"cemr", 7, static_cast<std::uint32_t>(n + 1)};
    f.organisation = "cemr";
    f.message_key = "<" + id + "@example.org>";
    f.content_key = "content-" + id;
    record::Application app;
    app.id = id;
    app.organisation = "cemr";
    app.posting = "policy-internship";
    app.received_at = "2025-03-02T10:15:00Z";
    app.applicant = {"Applicant", email};
    app.acknowledgement = {"queued", email, "en", std::nullopt, "", ""};
    f.application = app;
    f.reply = state::QueuedReply{"relay", "application@ccre-cemr.org", email,
                                 "Subject: reply " + id + "\r\n\r\nThank you.\r\n"};
    return f;
}

TEST(OutboxDrain, EveryDueReplyLeavesInOnePassBeyondOneBatch) {
    fixtures::SmtpServer smtp;
    fixtures::TempDir dir("intake-outbox-drain");
    const std::string conf = std::string(INTAKE_SOURCE_DIR) + "/config";
    fixtures::write_file(
        dir / "intake.toml",
        "[storage]\nroot = \"hr\"\nstate_dir = \"state\"\n\n[documents]\nrules = \"" + conf +
            "/rules.toml\"\n\n"
            "[[organisation]]\nid = \"cemr\"\nname = \"CEMR\"\naddress = "
            "\"application@ccre-cemr.org\"\nlanguages = [\"en\", \"fr\"]\nsmtp = \"relay\"\n"
            "postings = \"" +
            conf + "/postings/cemr.toml\"\ntemplates = \"" + conf +
            "/templates/cemr\"\n\n"
            "[[mailbox]]\nname = \"cemr\"\norganisation = \"cemr\"\n"
            "url = \"imap://127.0.0.1:1\"\nuser = \"u\"\npassword_file = \"intake.toml\"\n"
            "tls_verify = false\n\n"
            "[[smtp]]\nname = \"relay\"\nurl = \"" +
            smtp.url() + "\"\ntls_verify = false\n");
    const config::Config config = config::load_config(dir / "intake.toml");
    fs::create_directories(dir / "state");
    state::StateDb db(dir / "state");
    const auto now = state::Clock::now();
    constexpr int kQueued = 230;  // more than two of the outbox's batches
    for (int n = 0; n < kQueued; ++n) {
        db.commit_filing(filing(n, "applicant" + std::to_string(n) + "@example.org"), now);
    }

    spdlog::logger log("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    int finals = 0;
    const outbox::DeliveryReport report = outbox::deliver_due(
        db, config, log, now, [&](const std::string&, const std::string&) { ++finals; });

    EXPECT_EQ(report.sent, kQueued);
    EXPECT_EQ(finals, kQueued);
    const auto received = smtp.received();
    ASSERT_EQ(received.size(), static_cast<std::size_t>(kQueued));
    std::set<std::string> recipients;
    for (const auto& m : received) recipients.insert(m.recipients.at(0));
    EXPECT_EQ(recipients.size(), static_cast<std::size_t>(kQueued));  // each once
    EXPECT_TRUE(db.due_replies(now, 1000).empty());
}

}  // namespace
}  // namespace intake
