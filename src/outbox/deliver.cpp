#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <set>
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

/// What a courier's replies share.
struct Pass {
    state::StateDb& db;  // the caller's connection, used from the caller's thread
    // A connection of the courier's own, used only by the reply holding the
    // commit turn (see CommitTurn), to record itself as sent.
    std::unique_ptr<state::StateDb> recorder;
    const config::Config& config;
    spdlog::logger& log;
    StatusListener on_final;
    std::chrono::hours max_age;
    std::chrono::seconds first_retry;
    state::Clock::time_point now;  // of the latest pump() or finish()
    // Per server, a session per slot: each one's password read once, its
    // connection reused for every reply it sends.
    std::map<std::string, std::vector<std::unique_ptr<SmtpSession>>> servers;
    DeliveryReport report;
};

/// Records what became of a reply (unless its sender recorded it sent already),
/// then calls `recorded`, then tells the log and the listener.
void settle(Pass& pass, const state::OutboxItem& item, const config::SmtpServer& server,
            const SendResult& result, bool recorded_sent, const std::function<void()>& recorded) {
    auto& [db, recorder, config, log, on_final, max_age, first_retry, now, servers, report] = pass;
    if (result.status == SendStatus::sent) {
        if (!recorded_sent) db.mark_sent(item.id, now);
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
/// back once its result is in the database: its own thread records a reply the
/// server accepted, so the next one commits without waiting for the caller's
/// next pump() (a drain's thread calls it once a message); other results wait
/// for the caller's thread, turn in hand.
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
    state::OutboxItem item;
    const config::SmtpServer* server = nullptr;
    // Written by the worker before it reports the end.
    bool has_turn = false;
    bool recorded_sent = false;  // by the worker, on the courier's own connection
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
    std::optional<std::pair<std::size_t, SendResult>> try_next() {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (ended_.empty()) return std::nullopt;
        auto first = std::move(ended_.front());
        ended_.pop_front();
        return first;
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

}  // namespace

struct Courier::Impl {
    explicit Impl(Pass p) : pass(std::move(p)) {}

    Pass pass;
    CommitTurn turn;
    Ended ended;
    std::vector<Slot> slots{kSendsInFlight};
    std::size_t busy = 0;
    std::deque<state::OutboxItem> waiting;  // read as due, not yet started
    std::set<std::int64_t> taken;           // waiting or on a slot

    /// Starts `item` from slot `n`, which is idle; false when it cannot be sent
    /// (settled here).
    bool start(state::OutboxItem item, std::size_t n) {
        const config::SmtpServer* server = pass.config.find_smtp(item.reply.smtp);
        if (server == nullptr) {
            // The config lost the server since the reply was queued: keep it, say so.
            pass.log.warn(
                "outbox: reply for {} waits for SMTP server '{}', which the config no longer "
                "has; add it back to [[smtp]]",
                item.application_id, item.reply.smtp);
            pass.db.mark_retry(item.id, pass.now + retry_delay(item.attempts, pass.first_retry),
                               "unknown SMTP server");
            taken.erase(item.id);
            ++pass.report.deferred;
            return false;
        }
        auto& sessions = pass.servers[server->name];
        if (sessions.empty()) sessions.resize(kSendsInFlight);
        if (!sessions[n]) sessions[n] = std::make_unique<SmtpSession>(settings_for(*server));
        SmtpSession* sender = sessions[n].get();
        Slot& slot = slots[n];
        slot.item = std::move(item);
        slot.server = server;
        slot.has_turn = false;
        slot.recorded_sent = false;
        slot.error = nullptr;
        slot.worker = std::async(std::launch::async, [this, sender, &slot, n] {
            const state::QueuedReply& reply = slot.item.reply;
            SendResult result;
            try {
                result = sender->send({reply.mail_from, {reply.rcpt}}, reply.data, [&] {
                    slot.has_turn = turn.take();
                    return slot.has_turn;
                });
                if (result.status == SendStatus::sent && slot.has_turn) {
                    pass.recorder->mark_sent(slot.item.id, state::Clock::now());
                    slot.recorded_sent = true;
                    slot.leave_turn(turn);
                }
            } catch (...) {
                slot.error = std::current_exception();
            }
            ended.add(n, std::move(result));  // always: the courier waits for every slot's end
        });
        ++busy;
        return true;
    }

    /// Reads the replies due now that are not taken yet, when none are waiting;
    /// whether it found any.
    bool read_due() {
        if (!waiting.empty()) return false;
        for (auto& item : pass.db.due_replies(pass.now, kBatch + static_cast<int>(busy))) {
            if (taken.insert(item.id).second) waiting.push_back(std::move(item));
        }
        return !waiting.empty();
    }

    /// Starts waiting replies on the idle slots.
    void start_waiting() {
        for (std::size_t n = 0; n < slots.size(); ++n) {
            if (slots[n].worker.valid()) continue;
            while (!waiting.empty()) {
                state::OutboxItem item = std::move(waiting.front());
                waiting.pop_front();
                if (start(std::move(item), n)) break;
            }
        }
    }

    /// Records the end of slot `n`'s send (only a sent one, when `sent_only`: the
    /// others stay due as they were).
    void settle_slot(std::size_t n, const SendResult& result, bool sent_only = false) {
        Slot& slot = slots[n];
        slot.worker.get();
        --busy;
        // Whatever happens next, the slot is free and its turn given back.
        struct Release {
            Impl& self;
            Slot& slot;
            ~Release() {
                slot.leave_turn(self.turn);
                self.taken.erase(slot.item.id);
            }
        } release{*this, slot};
        if (slot.error) std::rethrow_exception(slot.error);
        if (sent_only && result.status != SendStatus::sent) return;
        settle(pass, slot.item, *slot.server, result, slot.recorded_sent,
               [&] { slot.leave_turn(turn); });
    }

    /// Gives up the replies not yet committed on the server, lets the others end
    /// and records those the server accepted: from the destructor, where nothing
    /// may throw.
    void abandon() noexcept {
        turn.abandon();
        waiting.clear();
        while (busy > 0) {
            auto [n, result] = ended.next();
            try {
                settle_slot(n, result, /*sent_only=*/true);
            } catch (const std::exception& e) {
                pass.log.warn("outbox: a reply's result could not be recorded: {}", e.what());
            } catch (...) {
                pass.log.warn("outbox: a reply's result could not be recorded");
            }
        }
    }
};

Courier::Courier(state::StateDb& db, const config::Config& config, spdlog::logger& log,
                 StatusListener on_final)
    : impl_(std::make_unique<Impl>(Pass{db,
                                        db.another_connection(),
                                        config,
                                        log,
                                        std::move(on_final),
                                        std::chrono::hours(config.replies.outbox_max_age_hours),
                                        std::chrono::seconds(config.replies.retry_after_seconds),
                                        state::Clock::now(),
                                        {},
                                        {}})) {}

Courier::~Courier() { impl_->abandon(); }

void Courier::pump(state::Clock::time_point now) {
    Impl& c = *impl_;
    c.pass.now = now;
    while (auto ended = c.ended.try_next()) c.settle_slot(ended->first, ended->second);
    if (c.busy < kSendsInFlight) {
        c.read_due();
        c.start_waiting();
    }
}

DeliveryReport Courier::finish(state::Clock::time_point now) {
    Impl& c = *impl_;
    c.pass.now = now;
    // Every reply due now is tried before returning, a batch at a time so memory
    // stays flat. Each one tried leaves the due set (sent, failed, or retried
    // later), so reading finds none once all are tried.
    for (;;) {
        const bool found = c.read_due();
        c.start_waiting();
        if (c.busy == 0) {
            if (!found && c.waiting.empty()) break;
            continue;  // every one read could not be started: read on
        }
        auto [n, result] = c.ended.next();
        c.settle_slot(n, result);
    }
    return c.pass.report;
}

DeliveryReport deliver_due(state::StateDb& db, const config::Config& config, spdlog::logger& log,
                           state::Clock::time_point now, const StatusListener& on_final) {
    return Courier(db, config, log, on_final).finish(now);
}

}  // namespace intake::outbox
