#pragma once
// Signals without handlers or global flags: SIGTERM, SIGINT and SIGHUP are
// blocked while the object lives, so they stay pending until the loop looks at
// them between messages (stop_pending) or takes them (take). A signalfd makes a
// pending signal readable, so the loop can wait for signals and IDLE sockets in
// one poll().
#include <csignal>

#include "base/unique_fd.h"

namespace intake::daemon {

class BlockedSignals {
public:
    /// Throws InternalError when the signalfd cannot be made.
    BlockedSignals();
    ~BlockedSignals();
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;

    /// SIGTERM or SIGINT arrived and was not consumed yet.
    bool stop_pending() const;
    /// Takes one pending signal without waiting: SIGTERM/SIGINT first, then SIGHUP;
    /// 0 when none is pending.
    int take() const;
    /// Readable while one of the signals is pending (for poll(); never read it).
    int fd() const noexcept { return fd_.get(); }

private:
    sigset_t set_{};
    sigset_t previous_{};
    UniqueFd fd_;
};

}  // namespace intake::daemon
