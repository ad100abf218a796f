#include "daemon/daemon.h"

#include <map>

#include "base/errors.h"
#include "daemon/daemon_impl.h"
#include "daemon/pipeline.h"
#include "imap/imap.h"
#include "outbox/outbox.h"
#include "state/state.h"
#include "store/store.h"

namespace intake::daemon {
namespace {

/// The program intake-reader installed with this intake; without it the service
/// is a fork of the daemon, which works but makes every message's reader dearer.
std::optional<std::filesystem::path> reader_program(spdlog::logger& log) {
    auto program = docs::installed_reader_program();
    if (!program) {
        log.warn(
            "the document reader program (intake-reader, beside intake or in ../lib/intake/) "
            "is missing: documents are read in forks of intake itself, more slowly; reinstall "
            "intake");
    }
    return program;
}

}  // namespace

imap::ServerSettings imap_settings(const config::Mailbox& mailbox) {
    imap::ServerSettings s;
    s.url = mailbox.url;
    s.user = mailbox.user;
    s.password = read_secret(mailbox.password);
    s.tls_verify = mailbox.tls_verify;
    s.ca_file = mailbox.ca_file.string();
    return s;
}

Daemon::Impl::Impl(std::shared_ptr<const config::Config> c, spdlog::logger& l)
    : config(std::move(c)),
      log(l),
      reader(reader_program(l)),
      db(std::make_unique<state::StateDb>(config->storage.state_dir)),
      filer(config->storage, Durability::deferred) {}

imap::MailboxClient& Daemon::Impl::client_for(const config::Mailbox& mailbox) {
    auto& client = clients[mailbox.name];
    if (!client) {
        client = std::make_unique<imap::MailboxClient>(imap_settings(mailbox));
        client->ensure_folder(mailbox.processed_folder);
        client->ensure_folder(mailbox.failed_folder);
    }
    return *client;
}

void Daemon::Impl::drain(const std::vector<const config::Mailbox*>& mailboxes, PassReport& report,
                         const std::function<bool()>& stop_requested) {
    std::map<std::string, std::set<std::uint32_t>> attempted;
    reader.ensure_running();  // a service killed since the last pass is replaced
    std::vector<const config::Mailbox*> waiting = mailboxes;
    while (!waiting.empty() && !stop_requested()) {
        std::vector<const config::Mailbox*> still_waiting;
        for (const config::Mailbox* mailbox : waiting) {
            if (stop_requested()) return;
            if (poll_batch(*mailbox, report, stop_requested, attempted[mailbox->name])) {
                still_waiting.push_back(mailbox);
            }
        }
        waiting = std::move(still_waiting);
    }
}

bool Daemon::Impl::poll_batch(const config::Mailbox& mailbox, PassReport& report,
                              const std::function<bool()>& stop_requested,
                              std::set<std::uint32_t>& attempted) {
    const config::Organisation* organisation = config->find_organisation(mailbox.organisation);
    std::optional<std::string> error;
    bool more = false;
    try {
        imap::MailboxClient& client = client_for(mailbox);
        const imap::FolderStatus status = client.select(mailbox.folder);
        std::vector<imap::Uid> uids;
        for (const imap::Uid uid : client.list_uids(mailbox.folder)) {
            if (!attempted.contains(uid.value)) uids.push_back(uid);
        }
        if (uids.size() > config->limits.max_messages_per_pass) {
            uids.resize(config->limits.max_messages_per_pass);  // the rest in the next batch
            more = true;
        }
        const std::vector<imap::MessageSize> messages = client.list_sizes(mailbox.folder, uids);
        const route::Router router(*organisation);
        const MailboxContext ctx{*config, mailbox, *organisation, *db,   client,
                                 filer,   log,     reader,        router};
        // Groups of at most kMaxGroupMessages share one sync, one commit and one move.
        for (const imap::MessageSize& message : messages) attempted.insert(message.uid.value);
        GroupReport counted;
        try {
            handle_batch(ctx, status.uid_validity, messages, stop_requested, counted);
        } catch (const Error&) {
            report.handled += counted.handled;
            report.set_aside += counted.set_aside;
            throw;
        }
        report.handled += counted.handled;
        report.set_aside += counted.set_aside;
        if (stop_requested()) more = false;
    } catch (const TransientError& e) {
        ++report.mailbox_errors;
        clients.erase(mailbox.name);  // reconnect next pass
        error = describe(e);
        log.warn("mailbox {}: {}; will retry next pass", mailbox.name, *error);
    } catch (const Error& e) {
        // Bad credentials, a refused command, a broken state database: this
        // mailbox stops for this pass, the others go on.
        ++report.mailbox_errors;
        clients.erase(mailbox.name);
        error = describe(e);
        log.error("mailbox {}: {}", mailbox.name, *error);
    }
    note_pass(mailbox, error);
    return more && !error;
}

void Daemon::Impl::note_pass(const config::Mailbox& mailbox,
                             const std::optional<std::string>& error) {
    try {
        db->record_poll(mailbox.name, state::Clock::now(), error);
    } catch (const Error& e) {
        // Only `intake status` reads it; the pass itself is done and committed.
        log.warn("mailbox {}: cannot record the pass for intake status: {}", mailbox.name,
                 describe(e));
    }
}

void Daemon::Impl::on_reply_final(const std::string& application_id,
                                  std::set<std::pair<std::string, std::string>>& changed) {
    // The database already has the status (mark_sent, mark_failed) in the record,
    // which is application.json's text: the file follows by a copy.
    if (auto record = db->record_text(application_id)) {
        filer.rewrite_record(record->organisation, record->posting, application_id, record->text);
        changed.emplace(std::move(record->organisation), std::move(record->posting));
    }
}

Daemon::Impl::PassReplies::PassReplies(Impl& daemon)
    : daemon_(daemon),
      courier_(*daemon.db, *daemon.config, daemon.log,
               [this](const std::string& id, const std::string&) {
                   daemon_.on_reply_final(id, changed_);
               }) {}

void Daemon::Impl::PassReplies::pump() noexcept {
    try {
        courier_.pump(state::Clock::now());
    } catch (const Error& e) {
        // The drain goes on; the replies wait for finish() or the next pass.
        if (!std::exchange(pump_failed_, true)) {
            daemon_.log.warn("outbox: {}; the replies wait for the end of the pass", describe(e));
        }
    } catch (const std::exception& e) {
        if (!std::exchange(pump_failed_, true)) {
            daemon_.log.warn("outbox: {}; the replies wait for the end of the pass", e.what());
        }
    }
}

void Daemon::Impl::PassReplies::finish(PassReport& report) {
    // A reply's status is a changed row: each posting's CSV is rewritten once per
    // pass, not once per reply, and the records are made durable together.
    try {
        const auto result = courier_.finish(state::Clock::now());
        report.replies_sent += result.sent;
        report.replies_deferred += result.deferred;
        report.replies_failed += result.failed;
    } catch (const Error& e) {
        daemon_.log.warn("outbox: {}; will retry next pass", describe(e));
        ++report.replies_deferred;
    }
    try {
        daemon_.filer.sync();
        for (const auto& [organisation, posting] : changed_) {
            daemon_.filer.write_index(organisation, posting,
                                      rows_in(*daemon_.db, organisation, posting));
        }
    } catch (const Error& e) {
        // The database has the statuses; the files catch up at the next change.
        daemon_.log.warn("outbox: cannot update the folders with the replies' status: {}",
                         describe(e));
    }
}

Daemon::Daemon(std::shared_ptr<const config::Config> config, spdlog::logger& log)
    : impl_(std::make_unique<Impl>(std::move(config), log)) {}

Daemon::~Daemon() = default;

PassReport Daemon::run_once() {
    PassReport report;
    std::vector<const config::Mailbox*> every_mailbox;
    for (const auto& mailbox : impl_->config->mailboxes) every_mailbox.push_back(&mailbox);
    Impl::PassReplies replies(*impl_);
    impl_->drain(every_mailbox, report, [&] {
        replies.pump();
        return false;
    });
    replies.finish(report);
    return report;
}

}  // namespace intake::daemon
