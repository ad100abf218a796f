#pragma once
// The daemon: passes over every mailbox (fetch, handle each message, move it),
// then over the reply outbox; `intake once` runs one pass, `intake run` loops
// until SIGTERM/SIGINT, reloading the configuration on SIGHUP. One failing
// mailbox never stops the others. The configuration is one immutable value,
// swapped whole on reload.
#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "config/config.h"

namespace intake::daemon {

struct PassReport {
    int handled = 0;         ///< messages filed, set aside under _failed/, or recognised again
    int set_aside = 0;       ///< of which filed under _failed/
    int mailbox_errors = 0;  ///< mailboxes that could not be polled to the end
    int replies_sent = 0;
    int replies_deferred = 0;
    int replies_failed = 0;
    bool complete() const { return mailbox_errors == 0; }
};

class Daemon {
public:
    Daemon(std::shared_ptr<const config::Config> config, spdlog::logger& log);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// One pass over every mailbox and the outbox.
    PassReport run_once();
    /// Loops until SIGTERM or SIGINT; returns the process exit status.
    int run_forever(const std::filesystem::path& config_file);

private:
    /// SIGHUP: a new configuration replaces the old one only if it validates.
    void reload(const std::filesystem::path& config_file);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// `intake parse`: the decision as JSON (application.json plus the reply text),
/// or {"outcome": "failed", "reason": …}. Returns the exit status (0 or 1).
int print_decision(const config::Config& config, std::string_view mailbox_name,
                   const std::string& raw, std::string& json_out);

/// `intake check`: logs in to every IMAP and SMTP server; returns problems found.
int check_servers(const config::Config& config, spdlog::logger& log);

/// `intake status`: per mailbox and posting counts, outbox state.
std::string status_text(const config::Config& config);
/// `intake status --json`: the same, and each posting's applications by deadline status.
std::string status_json(const config::Config& config);

/// `intake forget EMAIL`: erases every application from that address (erasure.h);
/// prints ids and paths to `out`, logs counts only. Returns the exit status.
int forget(const config::Config& config, std::string_view email, bool dry_run, spdlog::logger& log,
           std::ostream& out);
/// `intake purge --older-than DAYS`: erases applications received before then.
int purge(const config::Config& config, int older_than_days, bool dry_run, spdlog::logger& log,
          std::ostream& out);

}  // namespace intake::daemon
