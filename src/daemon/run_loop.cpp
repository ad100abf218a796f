#include <systemd/sd-daemon.h>

#include <algorithm>

#include "base/errors.h"
#include "daemon/daemon_impl.h"
#include "daemon/signals.h"

namespace intake::daemon {
namespace {

std::chrono::seconds poll_interval(const config::Config& config) {
    std::chrono::seconds shortest{3600};
    for (const auto& m : config.mailboxes) shortest = std::min(shortest, m.poll_interval);
    return std::max(shortest, std::chrono::seconds(1));
}

void notify_status(const PassReport& r, int passes) {
    const std::string status =
        "STATUS=pass " + std::to_string(passes) + ": " + std::to_string(r.handled) + " handled, " +
        std::to_string(r.set_aside) + " set aside, " + std::to_string(r.replies_sent) +
        " replies sent, " + std::to_string(r.mailbox_errors) + " mailbox errors";
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
    sd_notify(0, "READY=1\nSTATUS=started");
    impl_->log.info("intake started: {} mailboxes, polling every {} s",
                    impl_->config->mailboxes.size(), poll_interval(*impl_->config).count());
    for (int passes = 1;; ++passes) {
        PassReport report;
        for (const auto& mailbox : impl_->config->mailboxes) {
            if (signals.stop_pending()) break;
            impl_->poll_mailbox(mailbox, report, [&] { return signals.stop_pending(); });
        }
        if (!signals.stop_pending()) impl_->deliver_replies(report);
        notify_status(report, passes);
        if (watchdog) sd_notify(0, "WATCHDOG=1");

        const auto next_pass = std::chrono::steady_clock::now() + poll_interval(*impl_->config);
        while (std::chrono::steady_clock::now() < next_pass) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                next_pass - std::chrono::steady_clock::now());
            const int signal = signals.wait(std::min(left, tick));
            if (watchdog) sd_notify(0, "WATCHDOG=1");
            if (signal == SIGTERM || signal == SIGINT) {
                sd_notify(0, "STOPPING=1");
                impl_->log.info("intake stopping on signal {}", signal);
                return 0;
            }
            if (signal == SIGHUP) reload(config_file);
        }
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
