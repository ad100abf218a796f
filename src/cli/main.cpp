// intake: the command line. Parses arguments, loads the configuration, builds
// the logger and libcurl's global state, and hands over to the daemon. Maps
// errors to exit statuses: 0 success, 1 the work failed, 2 bad usage or config.
#include <malloc.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/errors.h"
#include "cli/logging.h"
#include "cli/privileges.h"
#include "config/config.h"
#include "daemon/daemon.h"
#include "net/curl.h"

namespace {

using namespace intake;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot read " + path, "check the path and its permissions");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

struct Options {
    std::string config = "/etc/intake/intake.toml";
    std::string file;
    std::string mailbox;
    bool json = false;
    std::string email;
    int older_than_days = 0;
    bool dry_run = false;
};

/// Commands an admin runs as root beside the service: they act as the owner of
/// the state directory, so they leave no file the service cannot write.
bool acts_as_state_owner(const std::string& command) {
    return command == "status" || command == "forget" || command == "purge" || command == "once";
}

int run_command(const std::string& command, const Options& options) {
    config::Config loaded = config::load_config(options.config);
    // As root, `once` becomes the service's user below; its passwords are root's.
    if (command == "once" && ::geteuid() == 0) cli::read_secrets_ahead(loaded);
    const auto config = std::make_shared<const config::Config>(std::move(loaded));
    const bool quiet = command == "parse" || command == "status";
    auto log = cli::make_logger(quiet ? "warn" : config->log_level);
    const net::CurlGlobal curl;  // before anything may use libcurl
    // Where the passwords are used: `intake check` and the daemon's start (run, once).
    if (command == "check" || command == "run" || command == "once") {
        for (const std::string& warning : config::secret_warnings(*config)) {
            log->warn("{}", warning);
        }
    }
    if (acts_as_state_owner(command)) cli::act_as_state_owner(config->storage, *log);

    if (command == "parse") {
        std::string json;
        const int status =
            daemon::print_decision(*config, options.mailbox, read_file(options.file), json);
        std::cout << json << "\n";
        return status;
    }
    if (command == "check") {
        log->info("configuration {} is valid: {} organisations, {} mailboxes, {} SMTP servers",
                  options.config, config->organisations.size(), config->mailboxes.size(),
                  config->smtp_servers.size());
        const int problems = daemon::check_servers(*config, *log);
        if (problems > 0) log->error("{} problem(s) found", problems);
        return problems == 0 ? kExitOk : kExitFailed;
    }
    if (command == "status") {
        std::cout << (options.json ? daemon::status_json(*config) : daemon::status_text(*config));
        return kExitOk;
    }
    if (command == "forget") {
        return daemon::forget(*config, options.email, options.dry_run, *log, std::cout);
    }
    if (command == "purge") {
        return daemon::purge(*config, options.older_than_days, options.dry_run, *log, std::cout);
    }
    daemon::Daemon intake_daemon(config, *log);
    if (command == "run") return intake_daemon.run_forever(options.config);
    const daemon::PassReport report = intake_daemon.run_once();
    log->info(
        "pass done: {} messages handled, {} set aside, {} replies sent, {} deferred, {} failed, "
        "{} mailbox errors",
        report.handled, report.set_aside, report.replies_sent, report.replies_deferred,
        report.replies_failed, report.mailbox_errors);
    return report.complete() && report.set_aside == 0 ? kExitOk : kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
    // One malloc arena for every thread: the decide() threads come and go per
    // message, and each new arena kept its freed memory, so the peak resident set
    // grew with the mailbox (31 MB for 100 messages, 37 MB for 5,000; one arena:
    // flat). The threads mostly wait for their document readers, so the shared
    // arena's lock costs nothing measurable.
    mallopt(M_ARENA_MAX, 1);
    CLI::App app{"intake: files job applications from IMAP mailboxes and answers applicants"};
    app.require_subcommand(1);
    Options options;
    auto add_config = [&](CLI::App* sub) {
        sub->add_option("--config", options.config, "main configuration file")
            ->capture_default_str();
    };
    add_config(&app);
    auto* run = app.add_subcommand("run", "the daemon: poll, file, acknowledge until stopped");
    auto* once =
        app.add_subcommand("once", "one pass over every mailbox and the outbox, then exit");
    auto* check =
        app.add_subcommand("check", "validate the configuration and log in to every server");
    auto* status = app.add_subcommand("status", "messages handled, applications, outbox");
    status->add_flag("--json", options.json,
                     "per mailbox, posting and the outbox, as JSON (last poll and error, "
                     "applications by deadline status, oldest queued reply)");
    auto* forget = app.add_subcommand(
        "forget",
        "erase every application from that address: folders, index rows, state, queued "
        "replies, _failed/ entries; prints what it removed");
    forget->add_option("EMAIL", options.email, "the applicant's address (any case)")
        ->required()
        ->check(CLI::Validator(
            [](const std::string& value) {
                return value.find('@') == std::string::npos ? "expected an e-mail address"
                                                            : std::string();
            },
            "EMAIL"));
    forget->add_flag("--dry-run", options.dry_run, "print what would be erased, change nothing");
    auto* purge = app.add_subcommand(
        "purge", "erase applications received more than DAYS days ago, with everything about them");
    purge->add_option("--older-than", options.older_than_days, "age in days")
        ->required()
        ->check(CLI::Range(1, 100000));
    purge->add_flag("--dry-run", options.dry_run, "print what would be erased, change nothing");
    auto* parse = app.add_subcommand("parse", "dry run on one message: print the decision as JSON");
    parse->add_option("FILE", options.file, "the message (.eml)")
        ->required()
        ->check(CLI::ExistingFile);
    parse->add_option("--mailbox", options.mailbox, "as if it arrived in this mailbox")->required();
    for (auto* sub : {run, once, check, status, forget, purge, parse}) add_config(sub);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }
    try {
        return run_command(app.get_subcommands().front()->get_name(), options);
    } catch (const ConfigError& e) {
        std::cerr << "intake: " << describe(e) << "\n";
        return kExitUsage;
    } catch (const Error& e) {
        std::cerr << "intake: " << describe(e) << "\n";
        return kExitFailed;
    } catch (const std::exception& e) {
        std::cerr << "intake: internal error: " << e.what() << "\n";
        return kExitFailed;
    }
}
