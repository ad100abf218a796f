#include <map>
#include <memory>

#include "base/errors.h"
#include "outbox/outbox.h"

namespace intake::outbox {
namespace {

constexpr int kBatch = 100;

}  // namespace

SmtpSettings settings_for(const config::SmtpServer& server) {
    SmtpSettings s;
    s.url = server.url;
    s.user = server.user;
    s.password = read_secret(server.password);
    s.tls_verify = server.tls_verify;
    s.ca_file = server.ca_file.string();
    return s;
}

std::chrono::seconds retry_delay(int attempts, std::chrono::seconds first) {
    const int exponent = std::min(attempts, 12);
    return std::min(first * (1 << exponent), std::max(first, std::chrono::seconds(3600)));
}

namespace {

/// What one delivery pass shares between its replies.
struct Pass {
    state::StateDb& db;
    const config::Config& config;
    spdlog::logger& log;
    state::Clock::time_point now;
    const StatusListener& on_final;
    std::chrono::hours max_age;
    std::chrono::seconds first_retry;
    // One session per server and pass: its password read once, its connection
    // reused for every reply of the pass.
    std::map<std::string, std::unique_ptr<SmtpSession>> servers;
    DeliveryReport report;
};

void deliver_one(Pass& pass, const state::OutboxItem& item) {
    auto& [db, config, log, now, on_final, max_age, first_retry, servers, report] = pass;
    const config::SmtpServer* server = config.find_smtp(item.reply.smtp);
    if (server == nullptr) {
        // The config lost the server since the reply was queued: keep it, say so.
        log.warn(
            "outbox: reply for {} waits for SMTP server '{}', which the config no longer "
            "has; add it back to [[smtp]]",
            item.application_id, item.reply.smtp);
        db.mark_retry(item.id, now + retry_delay(item.attempts, first_retry),
                      "unknown SMTP server");
        ++report.deferred;
        return;
    }
    auto& session = servers[server->name];
    if (!session) session = std::make_unique<SmtpSession>(settings_for(*server));
    const SendResult result =
        session->send({item.reply.mail_from, {item.reply.rcpt}}, item.reply.data);
    if (result.status == SendStatus::sent) {
        db.mark_sent(item.id, now);
        log.info("outbox: reply for {} sent to {} via {}", item.application_id, item.reply.rcpt,
                 server->name);
        ++report.sent;
        on_final(item.application_id, "sent");
    } else if (result.status == SendStatus::temporary_failure && now - item.created_at < max_age) {
        const auto next = now + retry_delay(item.attempts, first_retry);
        db.mark_retry(item.id, next, result.detail);
        log.warn("outbox: reply for {} deferred ({}); retry in {} s — check SMTP server {}",
                 item.application_id, result.detail,
                 std::chrono::duration_cast<std::chrono::seconds>(next - now).count(), server->url);
        ++report.deferred;
    } else {
        // A permanent refusal, or temporary ones for longer than outbox_max_age_hours:
        // marked failed, which takes it out of the due set, so this line is written once.
        const std::string why = result.status == SendStatus::temporary_failure
                                    ? "still refused temporarily after outbox_max_age_hours (" +
                                          std::to_string(max_age.count()) + " h): " + result.detail
                                    : result.detail;
        db.mark_failed(item.id, why);
        log.error(
            "outbox: reply for {} to {} failed for good: {} — the applicant was not "
            "answered; write to them by hand",
            item.application_id, item.reply.rcpt, why);
        ++report.failed;
        on_final(item.application_id, "failed");
    }
}

}  // namespace

DeliveryReport deliver_due(state::StateDb& db, const config::Config& config, spdlog::logger& log,
                           state::Clock::time_point now, const StatusListener& on_final) {
    Pass pass{db,
              config,
              log,
              now,
              on_final,
              std::chrono::hours(config.replies.outbox_max_age_hours),
              std::chrono::seconds(config.replies.retry_after_seconds),
              {},
              {}};
    // Every reply due now is tried before returning, a batch at a time so memory
    // stays flat. Each one tried leaves the due set (sent, failed, or retried
    // later), so a short batch means none is left.
    for (;;) {
        const auto batch = db.due_replies(now, kBatch);
        for (const auto& item : batch) deliver_one(pass, item);
        if (batch.size() < static_cast<std::size_t>(kBatch)) break;
    }
    return pass.report;
}
}  // namespace intake::outbox
