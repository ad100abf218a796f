#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <semaphore>
#include <utility>
#include <vector>

#include "base/errors.h"
#include "outbox/outbox.h"

namespace intake::outbox {
namespace {

constexpr int kBatch = 100;
// Replies on their way at once, each over a connection of its own: one's
// envelope and data go out while another is recorded. Three stays within what
// hosted relays allow one client (Microsoft 365 SMTP AUTH: three concurrent
// connections).
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
    // Per server, a session per slot: each one's password read once, its
    // connection reused for every reply it sends in the pass.
    std::map<std::string, std::vector<std::unique_ptr<SmtpSession>>> servers;
    DeliveryReport report;
};

/// Records what became of a reply, then calls `recorded`, then tells the log and
/// the listener.
void settle(Pass& pass, const state::OutboxItem& item, const config::SmtpServer& server,
            const SendResult& result, const std::function<void()>& recorded) {
    auto& [db, config, log, now, on_final, max_age, first_retry, servers, report] = pass;
    if (result.status == SendStatus::sent) {
        db.mark_sent(item.id, now);
        recorded();
        log.info("outbox: reply for {} sent to {} via {}", item.application_id, item.reply.rcpt,
                 server.name);
        ++report.sent;
        on_final(item.application_id, "sent");
    } else if (result.status == SendStatus::temporary_failure && now - item.created_at < max_age) {
        const auto next = now + retry_delay(item.attempts, first_retry);
        db.mark_retry(item.id, next, result.detail);
        recorded();
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
        recorded();
        log.error(
            "outbox: reply for {} to {} failed for good: {} — the applicant was not "
            "answered; write to them by hand",
            item.application_id, item.reply.rcpt, why);
        ++report.failed;
        on_final(item.application_id, "failed");
    }
}

/// Replies go out kSendsInFlight at a time, but only one at a time may be
/// committed on the server and not yet recorded as sent: a kill in that window
/// sends that reply again at the next pass, and must never send more than one
/// again. A reply takes the commit turn just before its final "." and gives it
/// back once its result is in the database.
class CommitTurn {
public:
    /// Waits for the turn; false when the pass has given up (the reply is abandoned).
    bool take() {
        turn_.acquire();
        if (!abandoned_) return true;
        turn_.release();  // on to the next one waiting, which gives up too
        return false;
    }
    void give_back() { turn_.release(); }
    /// From now on every reply waiting for its turn gives up, never committed.
    void abandon() { abandoned_ = true; }

private:
    std::binary_semaphore turn_{1};
    std::atomic<bool> abandoned_ = false;
};

/// One of the kSendsInFlight senders and the reply it is sending on a worker thread.
struct Slot {
    const state::OutboxItem* item = nullptr;
    const config::SmtpServer* server = nullptr;
    // Written by the worker before it reports the end.
    bool has_turn = false;
    std::exception_ptr error;
    std::future<void> worker;

    /// Gives the commit turn back if this slot's reply has it.
    void leave_turn(CommitTurn& turn) {
        if (std::exchange(has_turn, false)) turn.give_back();
    }
};

/// The slots whose send has ended, in the order they ended.
class Ended {
public:
    void add(std::size_t slot, SendResult result) {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            ended_.emplace_back(slot, std::move(result));
        }
        changed_.notify_one();
    }
    std::pair<std::size_t, SendResult> next() {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return !ended_.empty(); });
        auto first = std::move(ended_.front());
        ended_.pop_front();
        return first;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::pair<std::size_t, SendResult>> ended_;
};

/// Starts sending `item` from slot `n`, which is idle; false when it cannot be
/// sent (settled here).
bool start(Pass& pass, const state::OutboxItem& item, std::vector<Slot>& slots, std::size_t n,
           CommitTurn& turn, Ended& ended) {
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
        return false;
    }
    // kSendsInFlight sessions per server, one per slot, each kept for the pass.
    auto& sessions = pass.servers[server->name];
    if (sessions.empty()) sessions.resize(kSendsInFlight);
    if (!sessions[n]) sessions[n] = std::make_unique<SmtpSession>(settings_for(*server));
    SmtpSession* sender = sessions[n].get();
    Slot& slot = slots[n];
    slot.item = &item;
    slot.server = server;
    slot.has_turn = false;
    slot.error = nullptr;
    slot.worker = std::async(std::launch::async, [sender, &slot, &turn, &ended, n] {
        const state::QueuedReply& reply = slot.item->reply;
        SendResult result;
        try {
            result = sender->send({reply.mail_from, {reply.rcpt}}, reply.data, [&] {
                slot.has_turn = turn.take();
                return slot.has_turn;
            });
        } catch (...) {
            slot.error = std::current_exception();
        }
        ended.add(n, std::move(result));  // always: the pass waits for every slot's end
    });
    return true;
}

/// Sends one batch, kSendsInFlight at a time; returns once every reply of it is settled.
void deliver_batch(Pass& pass, const std::vector<state::OutboxItem>& batch) {
    CommitTurn turn;
    Ended ended;
    std::vector<Slot> slots(kSendsInFlight);
    std::size_t next = 0;
    std::size_t busy = 0;
    auto start_next = [&](std::size_t n) {
        while (next < batch.size()) {
            if (start(pass, batch[next++], slots, n, turn, ended)) {
                ++busy;
                return;
            }
        }
    };
    Slot* settling = nullptr;
    try {
        for (std::size_t n = 0; n < slots.size(); ++n) start_next(n);
        while (busy > 0) {
            auto [n, result] = ended.next();
            settling = &slots[n];
            settling->worker.get();
            --busy;
            if (settling->error) std::rethrow_exception(settling->error);
            settle(pass, *settling->item, *settling->server, result,
                   [&] { settling->leave_turn(turn); });
            settling = nullptr;
            start_next(n);
        }
    } catch (...) {
        // Nothing more is committed on the server: the replies still waiting for
        // their turn give up and stay due; the others end before this returns.
        turn.abandon();
        if (settling != nullptr) settling->leave_turn(turn);
        for (; busy > 0; --busy) {
            Slot& slot = slots[ended.next().first];
            slot.worker.wait();
            slot.leave_turn(turn);
        }
        throw;
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
        // A batch is settled whole before the next is read: a reply still in
        // flight is still due, and must not be read again.
        const auto batch = db.due_replies(now, kBatch);
        deliver_batch(pass, batch);
        if (batch.size() < static_cast<std::size_t>(kBatch)) break;
    }
    return pass.report;
}
}  // namespace intake::outbox
