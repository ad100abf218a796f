// `intake run`: the daemon's loop. Single-threaded: it waits in one poll() on the
// signalfd and every mailbox's IDLE socket, at most until the next thing is due
// (a pass, an IDLE retry or renewal) or the watchdog wants a sign of life. A
// mailbox gets a pass when IDLE announces new mail and every poll_interval_seconds
// anyway (Watches decides); the outbox is looked at between the messages of a
// round of passes and emptied of what is due after it.
#include <poll.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/errors.h"
#include "daemon/daemon_impl.h"
#include "daemon/erasure.h"
#include "daemon/signals.h"
#include "daemon/watches.h"

namespace intake::daemon {
namespace {

using Clock = std::chrono::steady_clock;

void notify_status(const PassReport& r, int passes, int idling) {
    const std::string status =
        "STATUS=pass " + std::to_string(passes) + ": " + std::to_string(r.handled) + " handled, " +
        std::to_string(r.set_aside) + " set aside, " + std::to_string(r.replies_sent) +
        " replies sent, " + std::to_string(r.mailbox_errors) + " mailbox errors; " +
        std::to_string(idling) + " mailboxes on IDLE";
    sd_notify(0, status.c_str());
}

}  // namespace

int Daemon::run_forever(const std::filesystem::path& config_file) {
    const BlockedSignals signals;
    std::uint64_t watchdog_usec = 0;
    const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0;
    // Wake at least twice per watchdog period so systemd sees us alive.
    const auto tick = watchdog ? std::chrono::milliseconds(watchdog_usec / 2000)
                               : std::chrono::milliseconds(60'000);
    Watches watches(impl_->log);
    watches.reset(*impl_->config);
    sd_notify(0, "READY=1\nSTATUS=started");
    impl_->log.info(
        "intake started: {} mailboxes; new mail is handled when IMAP IDLE announces it, and "
        "each mailbox is also polled every poll_interval_seconds",
        impl_->config->mailboxes.size());
    // Retention: at start, then once a day (steady clock: a clock change
    // neither skips a day's purge nor runs two). The loop wakes at least every
    // tick, so the purge is at most a tick late.
    constexpr auto kPurgeEvery = std::chrono::hours(24);
    impl_->purge_by_retention_rules();
    auto next_purge = Clock::now() + kPurgeEvery;
    for (int passes = 0;;) {
        if (Clock::now() >= next_purge) {
            impl_->purge_by_retention_rules();
            next_purge = Clock::now() + kPurgeEvery;
        }
        // IDLE first: whatever arrives from now on is announced, whatever came
        // before is found by the passes below.
        watches.maintain(Clock::now());
        PassReport report;
        const auto started = Clock::now();
        std::vector<const config::Mailbox*> due;
        for (const auto& mailbox : impl_->config->mailboxes) {
            if (watches.due(mailbox.name, started)) due.push_back(&mailbox);
        }
        const bool polled = !due.empty() && !signals.stop_pending();
        if (polled) {
            Impl::PassReplies replies(*impl_);
            // A drain of thousands of messages outlasts the watchdog period: keep
            // telling systemd we are alive between messages.
            auto last_sign_of_life = Clock::now();
            impl_->drain(due, report, [&] {
                if (watchdog && Clock::now() - last_sign_of_life >= tick) {
                    sd_notify(0, "WATCHDOG=1");
                    last_sign_of_life = Clock::now();
                }
                if (signals.stop_pending()) return true;
                replies.pump();
                return false;
            });
            for (const config::Mailbox* mailbox : due) watches.polled(mailbox->name, started);
            if (!signals.stop_pending()) {
                replies.finish(report);
                notify_status(report, ++passes, watches.idling());
            }
        }
        if (watchdog) sd_notify(0, "WATCHDOG=1");

        std::vector<pollfd> fds{pollfd{signals.fd(), POLLIN, 0}};
        watches.add_sockets(fds);
        const auto now = Clock::now();
        const auto wait = std::clamp(
            std::chrono::duration_cast<std::chrono::milliseconds>(watches.next_event() - now),
            std::chrono::milliseconds(0), tick);
        if (::poll(fds.data(), fds.size(), static_cast<int>(wait.count())) < 0 && errno != EINTR) {
            throw InternalError(std::string("poll failed: ") + std::strerror(errno));
        }
        watches.read(fds, Clock::now());
        for (int signal = signals.take(); signal != 0; signal = signals.take()) {
            if (signal == SIGTERM || signal == SIGINT) {
                sd_notify(0, "STOPPING=1");
                impl_->log.info("intake stopping on signal {}", signal);
                return 0;
            }
            if (signal == SIGHUP) {
                const auto before = impl_->config;
                reload(config_file);
                // New mailboxes, URLs or passwords: reconnect IDLE with them.
                if (impl_->config != before) watches.reset(*impl_->config);
            }
        }
    }
}

void Daemon::Impl::purge_by_retention_rules() {
    try {
        purge_by_rules(*config, *db, log, state::Clock::now());
    } catch (const Error& e) {
        log.error("daily purge: {}; it runs again tomorrow, or run intake purge by hand",
                  describe(e));
    }
}

void Daemon::reload(const std::filesystem::path& config_file) {
    sd_notify(0, "RELOADING=1");
    try {
        auto fresh = std::make_shared<const config::Config>(config::load_config(config_file));
        if (fresh->storage.state_dir != impl_->config->storage.state_dir) {
            impl_->log.warn("reload: storage.state_dir changed; restart intake to use the new one");
        }
        impl_->config = std::move(fresh);
        impl_->clients.clear();  // mailboxes, URLs or passwords may have changed
        impl_->log.info("configuration reloaded from {}", config_file.string());
    } catch (const ConfigError& e) {
        impl_->log.error("reload refused, keeping the running configuration: {}", describe(e));
    }
    sd_notify(0, "READY=1");
}

}  // namespace intake::daemon
