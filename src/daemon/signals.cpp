#include "daemon/signals.h"

#include <cerrno>
#include <csignal>
#include <ctime>

namespace intake::daemon {

BlockedSignals::BlockedSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGHUP);
    sigprocmask(SIG_BLOCK, &set_, &previous_);
}

BlockedSignals::~BlockedSignals() { sigprocmask(SIG_SETMASK, &previous_, nullptr); }

bool BlockedSignals::stop_pending() const {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

int BlockedSignals::wait(std::chrono::milliseconds timeout) const {
    if (stop_pending()) return SIGTERM;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout - seconds);
    const timespec ts{static_cast<time_t>(seconds.count()), static_cast<long>(nanos.count())};
    siginfo_t info{};
    const int signal = sigtimedwait(&set_, &info, &ts);
    return signal < 0 ? 0 : signal;  // EAGAIN: timeout; EINTR: another signal, treat alike
}

}  // namespace intake::daemon
