#pragma once
// The reply outbox pass: every acknowledgement leaves from here, never from the
// filing step. A reply is marked sent only after the SMTP server accepted it; a
// temporary failure (4xx, server down) is retried with growing delays until
// replies.outbox_max_age_hours, a permanent one (5xx) is marked failed at once.
#include <spdlog/logger.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "outbox/smtp.h"
#include "state/state.h"

namespace intake::outbox {

struct DeliveryReport {
    int sent = 0;
    int deferred = 0;
    int failed = 0;
};

/// Called when a reply reaches a final state: "sent" or "failed".
using StatusListener =
    std::function<void(const std::string& application_id, const std::string& status)>;

/// The sender's settings for that server, its password read now.
SmtpSettings settings_for(const config::SmtpServer& server);

/// Sends replies while its caller does other work. pump(), between two messages
/// of a drain, records the replies whose sending has ended and starts the ones
/// due, without waiting; finish() sends every reply still due and waits for it.
/// Used from one thread, the one that owns the state database; only the SMTP
/// conversations run on worker threads. Destroyed early (an error), it sends no
/// more and records what had already gone.
class Courier {
public:
    Courier(state::StateDb& db, const config::Config& config, spdlog::logger& log,
            StatusListener on_final);
    ~Courier();
    Courier(const Courier&) = delete;
    Courier& operator=(const Courier&) = delete;

    void pump(state::Clock::time_point now);
    /// What happened to every reply this courier tried.
    DeliveryReport finish(state::Clock::time_point now);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Sends every reply that is due; returns what happened.
DeliveryReport deliver_due(state::StateDb& db, const config::Config& config, spdlog::logger& log,
                           state::Clock::time_point now, const StatusListener& on_final);

/// Delay before attempt number `attempts` + 1: first, 2 × first, 4 × first …, at most an hour.
std::chrono::seconds retry_delay(int attempts, std::chrono::seconds first);

}  // namespace intake::outbox
