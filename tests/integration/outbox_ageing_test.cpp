// A reply the SMTP server refuses temporarily is retried until it is
// outbox_max_age_hours old, then marked failed: once, with one ERROR line, and
// never tried again. The clock is the `now` each delivery pass is given; the
// SMTP server is the real one, answering 451.
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "fixtures/smtp_server.h"
#include "fixtures/temp_dir.h"
#include "integration/outbox_setup.h"
#include "outbox/outbox.h"

namespace intake {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

TEST(OutboxAgeing, ATemporarilyRefusedReplyFailsOnceAfterMaxAgeAndIsNeverTriedAgain) {
    fixtures::SmtpServer smtp;
    smtp.set_failure(fixtures::SmtpServer::Stage::rcpt, 451);
    fixtures::TempDir dir("intake-outbox-ageing");
    const config::Config config =
        outbox_test::outbox_config(dir, smtp.url(), "[replies]\noutbox_max_age_hours = 72\n");
    state::StateDb db(dir / "state");
    const auto queued_at = state::Clock::now();
    db.commit_filing(outbox_test::queued_filing("app-1", "ana@example.org"), queued_at);

    std::ostringstream lines;
    spdlog::logger log("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
    std::vector<std::string> finals;
    const auto pass = [&](state::Clock::duration after) {
        return outbox::deliver_due(db, config, log, queued_at + after,
                                   [&](const std::string& id, const std::string& status) {
                                       finals.push_back(id + " " + status);
                                   });
    };

    // Within the 72 hours: deferred each time it is due, nothing final.
    EXPECT_EQ(pass(seconds(0)).deferred, 1);
    EXPECT_EQ(pass(hours(71)).deferred, 1);
    EXPECT_EQ(pass(hours(71)).deferred, 0);  // not due again yet: the retry delay runs
    EXPECT_TRUE(finals.empty());
    EXPECT_EQ(count(lines.str(), "[error]"), 0u) << lines.str();
    EXPECT_EQ(db.counts().outbox_queued, 1);

    // Past them: failed, told once.
    const outbox::DeliveryReport aged = pass(hours(73));
    EXPECT_EQ(aged.failed, 1);
    EXPECT_EQ(aged.deferred, 0);
    EXPECT_EQ(finals, std::vector<std::string>{"app-1 failed"});
    EXPECT_EQ(count(lines.str(), "[error]"), 1u) << lines.str();
    EXPECT_NE(lines.str().find("outbox_max_age_hours (72 h)"), std::string::npos) << lines.str();
    EXPECT_EQ(db.counts().outbox_failed, 1);
    EXPECT_EQ(db.counts().outbox_queued, 0);

    // Never again, even once the server would take it.
    smtp.clear_failure();
    for (const auto later : {hours(74), hours(200), hours(10000)}) {
        const outbox::DeliveryReport r = pass(later);
        EXPECT_EQ(r.sent + r.deferred + r.failed, 0);
    }
    EXPECT_EQ(finals.size(), 1u);
    EXPECT_EQ(count(lines.str(), "[error]"), 1u) << lines.str();
    EXPECT_TRUE(smtp.received().empty());
}

}  // namespace
}  // namespace intake
