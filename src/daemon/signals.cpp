#include "daemon/signals.h"

#include <sys/signalfd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/errors.h"

namespace intake::daemon {

BlockedSignals::BlockedSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGHUP);
    sigprocmask(SIG_BLOCK, &set_, &previous_);
    // The signals stay pending (signalfd only reports them), so stop_pending()
    // and take() see them as before.
    fd_ = UniqueFd(::signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd_) {
        sigprocmask(SIG_SETMASK, &previous_, nullptr);
        throw InternalError(std::string("signalfd failed: ") + std::strerror(errno),
                            "a sandbox that forbids signalfd must allow @signal system calls");
    }
}

BlockedSignals::~BlockedSignals() { sigprocmask(SIG_SETMASK, &previous_, nullptr); }

bool BlockedSignals::stop_pending() const {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

int BlockedSignals::take() const {
    // Stopping wins over a reload that arrived at the same time. Each signal is
    // consumed: one left pending would kill the process once the destructor
    // unblocks it, turning a clean exit into death by SIGTERM.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    const timespec no_wait{0, 0};
    siginfo_t info{};
    int signal = sigtimedwait(&stop, &info, &no_wait);
    if (signal < 0) signal = sigtimedwait(&set_, &info, &no_wait);
    return signal < 0 ? 0 : signal;  // EAGAIN: none pending
}

}  // namespace intake::daemon
