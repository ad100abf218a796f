#pragma once
// Signals without handlers or global flags: SIGTERM, SIGINT and SIGHUP are
// blocked while the object lives, so they stay pending until the loop looks at
// them between messages (stop_pending) or while it waits (wait).
#include <chrono>
#include <csignal>

namespace intake::daemon {

class BlockedSignals {
public:
    BlockedSignals();
    ~BlockedSignals();
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;

    /// SIGTERM or SIGINT arrived and was not consumed yet.
    bool stop_pending() const;
    /// Waits for one of the signals at most `timeout`; returns it, or 0 on timeout.
    int wait(std::chrono::milliseconds timeout) const;

private:
    sigset_t set_{};
    sigset_t previous_{};
};

}  // namespace intake::daemon
