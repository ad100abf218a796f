#pragma once
// When each mailbox needs a pass, for `intake run`: at once when its IDLE
// connection announces new mail, and every poll_interval_seconds regardless (the
// only way where the server has no IDLE, and a safety net where it has). Owns one
// imap::IdleWatcher per mailbox: starts it, renews IDLE every 25 minutes (RFC 2177
// lets servers drop a client idling 30), and after a failure retries it with
// growing delays while polling carries on. Each kind of IDLE trouble is logged
// once at WARN, saying what it means, until IDLE works again.
#include <poll.h>
#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "imap/imap.h"

namespace intake::daemon {

class Watches {
public:
    using Clock = std::chrono::steady_clock;

    explicit Watches(spdlog::logger& log) : log_(log) {}

    /// Closes every IDLE connection and watches the mailboxes of `config` instead,
    /// each due for a pass now.
    void reset(const config::Config& config);
    /// Starts IDLE where it is not running and a retry is due, and renews IDLE that
    /// is getting old. A mailbox whose IDLE (re)starts becomes due, so whatever
    /// arrived while nobody listened is fetched. Blocks for the IMAP round trips.
    void maintain(Clock::time_point now);
    /// Whether the mailbox needs a pass now.
    bool due(const std::string& mailbox, Clock::time_point now) const;
    /// Records a pass over the mailbox that started at `started`.
    void polled(const std::string& mailbox, Clock::time_point started);
    /// When something is due next (a pass, an IDLE retry or renewal).
    Clock::time_point next_event() const;
    /// One pollfd (POLLIN) per idling connection, appended to `fds`.
    void add_sockets(std::vector<pollfd>& fds) const;
    /// Reads the news on every connection poll() found readable; a mailbox with
    /// new mail, or whose connection broke, becomes due.
    void read(const std::vector<pollfd>& fds, Clock::time_point now);
    /// Number of mailboxes whose IDLE runs now (for the status line and tests).
    int idling() const;

private:
    struct Watch {
        config::Mailbox mailbox;
        std::unique_ptr<imap::IdleWatcher> watcher;
        Clock::time_point next_pass;
        Clock::time_point next_attempt;  ///< next IDLE start, when not idling
        std::chrono::seconds backoff{0};
        bool warned = false;     ///< a WARN about IDLE since it last worked
        bool announced = false;  ///< the INFO "waiting with IDLE" was logged
    };

    void start(Watch& watch, Clock::time_point now);
    void failed(Watch& watch, const std::string& what, Clock::time_point now);
    Watch* find(const std::string& mailbox);
    const Watch* find(const std::string& mailbox) const;

    spdlog::logger& log_;
    std::vector<Watch> watches_;
};

}  // namespace intake::daemon
