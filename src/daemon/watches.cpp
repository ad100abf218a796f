#include "daemon/watches.h"

#include <algorithm>

#include "base/errors.h"
#include "daemon/pipeline.h"

namespace intake::daemon {

namespace {

// RFC 2177: a server may log out a client idling 30 minutes without a word; renew
// well before, leaving room for a slow round trip.
constexpr auto renew_after = std::chrono::minutes(25);
// After a failure, IDLE is tried again after 1 s, then 2, 4 … at most 5 minutes;
// polling goes on meanwhile, so the delay only costs promptness.
constexpr auto first_retry = std::chrono::seconds(1);
constexpr auto longest_retry = std::chrono::seconds(300);
// A server without IDLE rarely gains it; look again now and then (and on reload).
constexpr auto unsupported_retry = std::chrono::hours(1);

}  // namespace

void Watches::reset(const config::Config& config) {
    watches_.clear();  // each IdleWatcher says DONE and LOGOUT as it goes
    const Clock::time_point now = Clock::now();
    for (const auto& mailbox : config.mailboxes) {
        Watch watch;
        watch.mailbox = mailbox;
        watch.next_pass = now;
        watch.next_attempt = now;
        watches_.push_back(std::move(watch));
    }
}

void Watches::maintain(Clock::time_point now) {
    for (Watch& watch : watches_) {
        const bool idling = watch.watcher && watch.watcher->idling();
        if (!idling && now >= watch.next_attempt) {
            start(watch, now);
        } else if (idling && now - watch.watcher->idling_since() >= renew_after) {
            try {
                if (watch.watcher->renew()) watch.next_pass = now;
            } catch (const Error& e) {
                failed(watch, describe(e), now);
            }
        }
    }
}

void Watches::start(Watch& watch, Clock::time_point now) {
    const config::Mailbox& m = watch.mailbox;
    try {
        if (!watch.watcher) {
            watch.watcher = std::make_unique<imap::IdleWatcher>(imap_settings(m), m.folder);
        }
        if (!watch.watcher->start()) {
            watch.watcher.reset();
            watch.next_attempt = now + unsupported_retry;
            if (!watch.warned) {
                log_.warn(
                    "mailbox {}: {} does not offer IMAP IDLE, so new mail is noticed by polling "
                    "every {} s (poll_interval_seconds); lower it for quicker replies",
                    m.name, m.url, m.poll_interval.count());
                watch.warned = true;
            }
            return;
        }
    } catch (const Error& e) {
        // The connection never came up: nothing was missed that the regular
        // passes will not find, so no extra pass.
        failed(watch, describe(e), now);
        return;
    }
    // Mail that arrived while nobody listened is fetched by a pass now.
    watch.next_pass = now;
    watch.backoff = std::chrono::seconds(0);
    if (watch.warned) {
        log_.info("mailbox {}: IMAP IDLE works again; new mail is handled as it arrives", m.name);
    } else if (!watch.announced) {
        log_.info("mailbox {}: waiting for new mail in {} with IMAP IDLE", m.name, m.folder);
    }
    watch.warned = false;
    watch.announced = true;
}

void Watches::failed(Watch& watch, const std::string& what, Clock::time_point now) {
    const bool was_idling = watch.watcher && watch.watcher->idling();
    watch.watcher.reset();
    watch.backoff = std::clamp(watch.backoff * 2, std::chrono::seconds(first_retry),
                               std::chrono::seconds(longest_retry));
    watch.next_attempt = now + watch.backoff;
    // A broken IDLE connection may have missed an announcement: look now.
    if (was_idling) watch.next_pass = now;
    if (!watch.warned) {
        log_.warn(
            "mailbox {}: IMAP IDLE stopped: {}; until it is back the mailbox is polled every {} "
            "s, and IDLE retried in {} s, then less and less often",
            watch.mailbox.name, what, watch.mailbox.poll_interval.count(), watch.backoff.count());
        watch.warned = true;
    } else {
        log_.debug("mailbox {}: IMAP IDLE still failing: {}; next try in {} s", watch.mailbox.name,
                   what, watch.backoff.count());
    }
}

bool Watches::due(const std::string& mailbox, Clock::time_point now) const {
    const Watch* watch = find(mailbox);
    return watch == nullptr || watch->next_pass <= now;
}

void Watches::polled(const std::string& mailbox, Clock::time_point started) {
    if (Watch* watch = find(mailbox)) {
        // News read while the pass ran moved next_pass back to a time before it: keep that.
        if (watch->next_pass <= started) {
            watch->next_pass = started + watch->mailbox.poll_interval;
        }
    }
}

Watches::Clock::time_point Watches::next_event() const {
    Clock::time_point next = Clock::time_point::max();
    for (const Watch& watch : watches_) {
        next = std::min(next, watch.next_pass);
        if (watch.watcher && watch.watcher->idling()) {
            next = std::min(next, watch.watcher->idling_since() + renew_after);
        } else {
            next = std::min(next, watch.next_attempt);
        }
    }
    return next;
}

void Watches::add_sockets(std::vector<pollfd>& fds) const {
    for (const Watch& watch : watches_) {
        if (watch.watcher && watch.watcher->idling()) {
            fds.push_back(pollfd{watch.watcher->socket(), POLLIN, 0});
        }
    }
}

void Watches::read(const std::vector<pollfd>& fds, Clock::time_point now) {
    for (Watch& watch : watches_) {
        if (!watch.watcher || !watch.watcher->idling()) continue;
        const int socket = watch.watcher->socket();
        const bool ready = std::any_of(fds.begin(), fds.end(), [&](const pollfd& fd) {
            return fd.fd == socket && fd.revents != 0;
        });
        if (!ready) continue;
        try {
            if (watch.watcher->take_news()) {
                log_.debug("mailbox {}: new mail announced", watch.mailbox.name);
                watch.next_pass = now;
            }
        } catch (const Error& e) {
            failed(watch, describe(e), now);
        }
    }
}

int Watches::idling() const {
    return static_cast<int>(std::count_if(watches_.begin(), watches_.end(), [](const Watch& w) {
        return w.watcher && w.watcher->idling();
    }));
}

Watches::Watch* Watches::find(const std::string& mailbox) {
    const auto it = std::find_if(watches_.begin(), watches_.end(),
                                 [&](const Watch& w) { return w.mailbox.name == mailbox; });
    return it == watches_.end() ? nullptr : &*it;
}

const Watches::Watch* Watches::find(const std::string& mailbox) const {
    const auto it = std::find_if(watches_.begin(), watches_.end(),
                                 [&](const Watch& w) { return w.mailbox.name == mailbox; });
    return it == watches_.end() ? nullptr : &*it;
}

}  // namespace intake::daemon
