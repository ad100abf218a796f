// `intake status`: what the state database knows of each mailbox (last pass,
// last error, messages handled and set aside), each posting (applications by
// deadline status) and the outbox. Read only; the daemon may run meanwhile.
#include <map>
#include <set>
#include <sstream>

#include "daemon/daemon.h"
#include "daemon/decide.h"
#include "record/application.h"
#include "state/state.h"

namespace intake::daemon {
namespace {

using Json = nlohmann::ordered_json;

Json time_or_null(const std::optional<state::Clock::time_point>& t) {
    if (!t) return nullptr;
    return utc_text(std::chrono::floor<std::chrono::seconds>(*t));
}

/// Configured mailboxes first, in config order, then any the database still
/// knows (renamed or removed since), so nothing it counted is hidden.
std::vector<state::MailboxStats> mailboxes_to_show(const config::Config& config,
                                                   std::vector<state::MailboxStats> known) {
    std::vector<state::MailboxStats> out;
    for (const auto& m : config.mailboxes) {
        auto it = std::find_if(known.begin(), known.end(),
                               [&](const state::MailboxStats& s) { return s.mailbox == m.name; });
        state::MailboxStats stats;
        stats.mailbox = m.name;
        if (it != known.end()) {
            stats = std::move(*it);
            known.erase(it);
        }
        out.push_back(std::move(stats));
    }
    for (auto& rest : known) out.push_back(std::move(rest));
    return out;
}

/// Every configured posting (with zeros), then any other the database has.
std::vector<state::PostingStats> postings_to_show(const config::Config& config,
                                                  const std::vector<state::PostingStats>& known) {
    std::map<std::pair<std::string, std::string>, state::PostingStats> by_key;
    for (const auto& p : known) by_key[{p.organisation, p.posting}] = p;
    std::vector<state::PostingStats> out;
    for (const auto& org : config.organisations) {
        for (const auto& posting : org.postings) {
            state::PostingStats stats{org.id, posting.id};
            if (auto it = by_key.find({org.id, posting.id}); it != by_key.end()) {
                stats = it->second;
                by_key.erase(it);
            }
            out.push_back(stats);
        }
    }
    for (const auto& [key, stats] : by_key) out.push_back(stats);
    return out;
}

}  // namespace

std::string status_text(const config::Config& config) {
    state::StateDb db(config.storage.state_dir);
    const state::Counts c = db.counts();
    std::ostringstream out;
    out << "messages: " << c.handled << " handled (" << c.filed << " filed, " << c.duplicates
        << " duplicates or seen again, " << c.failed << " set aside under _failed/)\n";
    out << "outbox: " << c.outbox_queued << " queued, " << c.outbox_sent << " sent, "
        << c.outbox_failed << " failed\n";
    for (const auto& p : db.postings_with_applications()) {
        out << p.organisation << "/" << p.posting << ": " << p.applications << " applications\n";
    }
    for (const auto& m : mailboxes_to_show(config, db.mailbox_stats())) {
        out << "mailbox " << m.mailbox << ": last pass "
            << (m.last_poll_at ? time_or_null(m.last_poll_at).get<std::string>() : "never")
            << (m.last_poll_at ? (m.last_poll_ok ? " (ok)" : " (failed)") : "");
        if (m.last_error) {
            out << ", last error at " << time_or_null(m.last_error_at).get<std::string>() << ": "
                << *m.last_error;
        }
        out << "\n";
    }
    return out.str();
}

std::string status_json(const config::Config& config) {
    state::StateDb db(config.storage.state_dir);
    Json mailboxes = Json::array();
    for (const auto& m : mailboxes_to_show(config, db.mailbox_stats())) {
        mailboxes.push_back({{"name", m.mailbox},
                             {"last_poll_at", time_or_null(m.last_poll_at)},
                             {"last_poll_ok", m.last_poll_at ? Json(m.last_poll_ok) : Json()},
                             {"last_error", m.last_error ? Json(*m.last_error) : Json()},
                             {"last_error_at", time_or_null(m.last_error_at)},
                             {"handled", m.handled},
                             {"set_aside", m.set_aside}});
    }
    Json postings = Json::array();
    for (const auto& p : postings_to_show(config, db.posting_stats())) {
        postings.push_back(
            {{"organisation", p.organisation},
             {"posting", p.posting},
             {"applications", p.applications},
             {"deadline", {{"on_time", p.on_time}, {"late", p.late}, {"none", p.no_deadline}}}});
    }
    const state::Counts c = db.counts();
    const Json outbox = {{"queued", c.outbox_queued},
                         {"sent", c.outbox_sent},
                         {"failed", c.outbox_failed},
                         {"oldest_queued_at", time_or_null(c.oldest_queued_at)}};
    const Json status = {{"schema_version", db.schema_version()},
                         {"mailboxes", mailboxes},
                         {"postings", postings},
                         {"outbox", outbox}};
    return status.dump(2) + "\n";
}

}  // namespace intake::daemon
