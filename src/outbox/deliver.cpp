#include <deque>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "base/errors.h"
#include "outbox/outbox.h"

namespace intake::outbox {
namespace {

constexpr int kBatch = 100;
// Replies on their way at once, each over a connection of its own. The server's
// time for one reply (most of it, with a local MTA) then overlaps our bookkeeping
// and the other replies. Three stays within what hosted relays allow one client
// (Microsoft 365 SMTP AUTH: three concurrent connections).
constexpr std::size_t kSendsInFlight = 3;

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
    // kSendsInFlight sessions per server and pass: each one's password read once,
    // its connection reused for every reply it sends in the pass.
    std::map<std::string, std::vector<std::unique_ptr<SmtpSession>>> servers;
    DeliveryReport report;
};

/// A reply being sent on a worker thread; only the send runs there; what it
/// means for the state and the log is settled on the pass's own thread.
struct InFlight {
    const state::OutboxItem* item;
    const config::SmtpServer* server;
    std::future<SendResult> result;
};

void settle(Pass& pass, const state::OutboxItem& item, const config::SmtpServer& server,
            const SendResult& result) {
    auto& [db, config, log, now, on_final, max_age, first_retry, servers, report] = pass;
    if (result.status == SendStatus::sent) {
        db.mark_sent(item.id, now);
        log.info("outbox: reply for {} sent to {} via {}", item.application_id, item.reply.rcpt,
                 server.name);
        ++report.sent;
        on_final(item.application_id, "sent");
    } else if (result.status == SendStatus::temporary_failure && now - item.created_at < max_age) {
        const auto next = now + retry_delay(item.attempts, first_retry);
        db.mark_retry(item.id, next, result.detail);
        log.warn("outbox: reply for {} deferred ({}); retry in {} s — check SMTP server {}",
                 item.application_id, result.detail,
                 std::chrono::duration_cast<std::chrono::seconds>(next - now).count(), server.url);
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

/// Starts sending `item` on session `slot` of its server, which must be idle;
/// nullopt when it cannot be sent (settled here).
std::optional<InFlight> start(Pass& pass, const state::OutboxItem& item, std::size_t slot) {
    const config::SmtpServer* server = pass.config.find_smtp(item.reply.smtp);
    if (server == nullptr) {
        // The config lost the server since the reply was queued: keep it, say so.
        pass.log.warn(
            "outbox: reply for {} waits for SMTP server '{}', which the config no longer "
            "has; add it back to [[smtp]]",
            item.application_id, item.reply.smtp);
        pass.db.mark_retry(item.id, pass.now + retry_delay(item.attempts, pass.first_retry),
                           "unknown SMTP server");
        ++pass.report.deferred;
        return std::nullopt;
    }
    auto& sessions = pass.servers[server->name];
    if (sessions.empty()) sessions.resize(kSendsInFlight);
    auto& session = sessions[slot];
    if (!session) session = std::make_unique<SmtpSession>(settings_for(*server));
    SmtpSession* sender = session.get();
    const state::OutboxItem* reply = &item;
    return InFlight{
        reply, server, std::async(std::launch::async, [sender, reply] {
            return sender->send({reply->reply.mail_from, {reply->reply.rcpt}}, reply->reply.data);
        })};
}

/// Sends one batch, kSendsInFlight at a time; returns once every reply of it is settled.
void deliver_batch(Pass& pass, const std::vector<state::OutboxItem>& batch) {
    // The n-th reply started goes out on session n % kSendsInFlight: the window
    // holds the last kSendsInFlight started at most, so each has a session of its own.
    std::deque<InFlight> in_flight;
    std::size_t started = 0;
    auto settle_oldest = [&] {
        InFlight& oldest = in_flight.front();
        const SendResult result = oldest.result.get();
        settle(pass, *oldest.item, *oldest.server, result);
        in_flight.pop_front();
    };
    for (const state::OutboxItem& item : batch) {
        if (in_flight.size() == kSendsInFlight) settle_oldest();
        if (auto sending = start(pass, item, started % kSendsInFlight)) {
            in_flight.push_back(std::move(*sending));
            ++started;
        }
    }
    while (!in_flight.empty()) settle_oldest();
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
        // A batch is settled whole before the next is read: a reply still in
        // flight is still due, and must not be read again.
        const auto batch = db.due_replies(now, kBatch);
        deliver_batch(pass, batch);
        if (batch.size() < static_cast<std::size_t>(kBatch)) break;
    }
    return pass.report;
}
}  // namespace intake::outbox
