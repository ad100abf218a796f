// The daemon's one-shot commands: parse (a dry run), check, forget, purge
// (intake status is in status.cpp).
#include <sstream>

#include "base/errors.h"
#include "daemon/daemon.h"
#include "daemon/decide.h"
#include "daemon/erasure.h"
#include "daemon/pipeline.h"
#include "imap/imap.h"
#include "outbox/outbox.h"
#include "state/state.h"

namespace intake::daemon {

int print_decision(const config::Config& config, std::string_view mailbox_name,
                   const std::string& raw, std::string& json_out) {
    const config::Mailbox* mailbox = config.find_mailbox(mailbox_name);
    if (mailbox == nullptr) {
        std::string names;
        for (const auto& m : config.mailboxes) names += (names.empty() ? "" : ", ") + m.name;
        throw ConfigError(
            "no mailbox named '" + std::string(mailbox_name) + "' in " + config.file.string(),
            "use one of: " + names);
    }
    const config::Organisation& organisation = *config.find_organisation(mailbox->organisation);
    try {
        const auto decision =
            decide(raw, {config, *mailbox, organisation, std::chrono::system_clock::now()});
        json_out = record::to_json(decision->application, /*with_reply_text=*/true).dump(2);
        return 0;
    } catch (const PermanentError& e) {
        json_out = nlohmann::ordered_json{{"outcome", "failed"}, {"reason", describe(e)}}.dump(2);
    } catch (const InternalError&) {
        throw;
    } catch (const std::exception& e) {
        json_out = nlohmann::ordered_json{{"outcome", "failed"},
                                          {"reason", std::string("cannot parse: ") + e.what()}}
                       .dump(2);
    }
    return 1;
}

int check_servers(const config::Config& config, spdlog::logger& log) {
    int problems = 0;
    for (const auto& m : config.mailboxes) {
        try {
            imap::MailboxClient client(imap_settings(m));
            client.verify_login();
            const auto status = client.select(m.folder);
            log.info("mailbox {}: logged in to {} as {}; {} holds {} messages", m.name, m.url,
                     m.user, m.folder, status.exists);
        } catch (const Error& e) {
            ++problems;
            log.error("mailbox {}: {}", m.name, describe(e));
        }
    }
    for (const auto& s : config.smtp_servers) {
        try {
            const auto result = outbox::verify_smtp(outbox::settings_for(s));
            if (result.status != outbox::SendStatus::sent) {
                ++problems;
                // The detail starts with the server's URL and, where the cause is
                // known (TLS, STARTTLS, AUTH), says what to do.
                log.error("smtp {}: {} — check url, user and password", s.name, result.detail);
            } else {
                log.info("smtp {}: {} accepts us{}", s.name, s.url,
                         s.user.empty() ? "" : " as " + s.user);
            }
        } catch (const Error& e) {
            ++problems;
            log.error("smtp {}: {}", s.name, describe(e));
        }
    }
    return problems;
}

int forget(const config::Config& config, std::string_view email, bool dry_run, spdlog::logger& log,
           std::ostream& out) {
    state::StateDb db(config.storage.state_dir);
    const ErasurePlan plan = plan_forget(config, db, email);
    if (dry_run) {
        out << describe_plan(config, plan);
        return 0;
    }
    const ErasureReport report = carry_out(config, db, plan);
    out << describe_report(config, report);
    log.info("forget: erased {}", log_summary(report));  // never the address itself
    return 0;
}

int purge(const config::Config& config, int older_than_days, bool dry_run, spdlog::logger& log,
          std::ostream& out) {
    state::StateDb db(config.storage.state_dir);
    const auto cutoff = state::Clock::now() - std::chrono::days(older_than_days);
    const ErasurePlan plan = plan_purge(config, db, cutoff);
    if (dry_run) {
        out << describe_plan(config, plan);
        return 0;
    }
    const ErasureReport report = carry_out(config, db, plan);
    out << describe_report(config, report);
    log.info("purge of applications older than {} days: erased {}", older_than_days,
             log_summary(report));
    return 0;
}

}  // namespace intake::daemon
