// Erasing applications: see erasure.h for what goes. The order makes a crash at
// any point harmless and a second run finish the job:
//
//   1. each touched posting's applications.csv is rewritten without the rows
//      about to go (so no index lists them once their folders start to vanish);
//   2. the application folders and _failed/ entries are removed;
//   3. the state rows go in one transaction (StateDb::erase_applications);
//   4. each touched applications.csv is rewritten again from the database, which
//      now is the truth (the daemon may have rewritten one in between).
//
// Until step 3 commits the database still lists every application, so running
// the same command again finds them again; after it, nothing is left to find.
#include "daemon/erasure.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/errors.h"
#include "base/text.h"
#include "daemon/decide.h"
#include "daemon/pipeline.h"
#include "mime/mime.h"
#include "store/store.h"

namespace intake::daemon {
namespace fs = std::filesystem;
using state::Clock;

namespace {

/// A message's header block is far shorter than this; a _failed/ entry may be
/// a huge or broken message, so only this much is read.
constexpr std::size_t kHeaderBytes = 256 * 1024;

/// Every <root>/<organisation>/_failed/<id> folder of the configured organisations.
std::vector<fs::path> failed_entries(const config::Config& config) {
    std::vector<fs::path> out;
    for (const auto& org : config.organisations) {
        const fs::path dir = config.storage.root / org.id / "_failed";
        std::error_code error;
        if (!fs::is_directory(dir, error)) continue;
        for (const auto& entry : fs::directory_iterator(dir)) {
            // ".staging-…" is a set-aside interrupted before its rename; the next
            // attempt replaces it, so it is not an entry of its own.
            if (entry.is_directory() && !entry.path().filename().string().starts_with(".")) {
                out.push_back(entry.path());
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// The From address of a set-aside message, or nullopt when its header says none
/// (it was set aside because it could not be read, so that happens).
std::optional<std::string> sender_of(const fs::path& entry) {
    std::ifstream in(entry / "message.eml", std::ios::binary);
    if (!in) return std::nullopt;
    std::string head(kHeaderBytes, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    auto end = head.find("\r\n\r\n");
    if (end == std::string::npos) end = head.find("\n\n");
    if (end != std::string::npos) head.resize(end);
    try {
        // Only the header block: the body is what got the message set aside.
        const auto message = mime::parse_message(head + "\r\n\r\n", mime::Limits{});
        if (message.from.address.empty()) return std::nullopt;
        return message.from.address;
    } catch (const Error&) {
        return std::nullopt;  // an unreadable header names nobody
    }
}

/// When the entry was written, from its reason.txt (else the folder itself).
std::optional<Clock::time_point> set_aside_at(const fs::path& entry) {
    std::error_code error;
    auto written = fs::last_write_time(entry / "reason.txt", error);
    if (error) written = fs::last_write_time(entry, error);
    if (error) return std::nullopt;
    return std::chrono::time_point_cast<Clock::duration>(std::chrono::file_clock::to_sys(written));
}

std::string short_id(const std::string& id) { return id.substr(id.rfind('_') + 1); }

record::Application as_record(const state::ApplicationRef& ref) {
    record::Application app;
    app.id = ref.id;
    app.organisation = ref.organisation;
    app.posting = ref.posting;
    return app;
}

fs::path folder_of(const config::Config& config, const state::ApplicationRef& ref) {
    return store::application_folder(config.storage, as_record(ref));
}

fs::path index_of(const config::Config& config, const std::string& organisation,
                  const std::string& posting) {
    return config.storage.root / organisation / posting / "applications.csv";
}

void remove_folder(const fs::path& folder) {
    std::error_code error;
    fs::remove_all(folder, error);
    if (error) {
        throw TransientError("cannot remove " + folder.string() + ": " + error.message(),
                             "check that the filing root belongs to the intake user, then run "
                             "the command again: it finishes what is left");
    }
}

}  // namespace

std::optional<Clock::time_point> erase_after(const config::Posting& posting) {
    using namespace std::chrono;
    if (!posting.retain_months_after_close || !posting.deadline) return std::nullopt;
    const sys_seconds at = posting.deadline->at;
    const sys_days day = floor<days>(at);
    year_month_day target = year_month_day(day) + months(*posting.retain_months_after_close);
    if (!target.ok()) target = year_month_day(target.year() / target.month() / last);
    return sys_days(target) + (at - day);
}

RetentionRules retention_rules(const config::Config& config, Clock::time_point now) {
    RetentionRules rules;
    if (config.storage.retention_days > 0) {
        rules.received_before = now - std::chrono::days(config.storage.retention_days);
    }
    for (const auto& org : config.organisations) {
        for (const auto& posting : org.postings) {
            if (const auto after = erase_after(posting); after && now > *after) {
                rules.closed_postings.emplace_back(org.id, posting.id);
            }
        }
    }
    return rules;
}

ErasurePlan plan_forget(const config::Config& config, state::StateDb& db, std::string_view email) {
    ErasurePlan plan;
    plan.applications = db.applications_from(std::string(email));
    const std::string wanted = text::ascii_lower(email);
    for (const auto& entry : failed_entries(config)) {
        const auto sender = sender_of(entry);
        if (sender && text::ascii_lower(*sender) == wanted) plan.failed_entries.push_back(entry);
    }
    return plan;
}

ErasurePlan plan_purge(const config::Config& config, state::StateDb& db, Clock::time_point cutoff) {
    ErasurePlan plan;
    const std::string cutoff_text = utc_text(std::chrono::floor<std::chrono::seconds>(cutoff));
    plan.applications = db.applications_received_before(cutoff_text);
    // A _failed/ entry's name carries the day the message says it arrived, which a
    // sender can forge (or omit); when it was set aside is when its reason.txt was
    // written (each attempt rewrites it), and that is what the retention counts from.
    for (const auto& entry : failed_entries(config)) {
        if (const auto at = set_aside_at(entry); at && *at < cutoff) {
            plan.failed_entries.push_back(entry);
        }
    }
    return plan;
}

ErasurePlan plan_retention(const config::Config& config, state::StateDb& db,
                           const RetentionRules& rules) {
    ErasurePlan plan;
    if (rules.received_before) plan = plan_purge(config, db, *rules.received_before);
    std::set<std::string> planned;
    for (const auto& app : plan.applications) planned.insert(app.id);
    for (const auto& [organisation, posting] : rules.closed_postings) {
        for (auto& app : db.applications_of_posting(organisation, posting)) {
            if (planned.insert(app.id).second) plan.applications.push_back(std::move(app));
        }
    }
    return plan;
}

ErasureReport carry_out(const config::Config& config, state::StateDb& db, const ErasurePlan& plan) {
    ErasureReport report;
    report.erased = plan;
    std::set<std::string> ids;
    std::set<std::pair<std::string, std::string>> postings;
    for (const auto& app : plan.applications) {
        ids.insert(app.id);
        postings.emplace(app.organisation, app.posting);
    }
    // 1. No index lists an application about to go.
    for (const auto& [organisation, posting] : postings) {
        store::write_index(config.storage, organisation, posting, [&](const auto& visit) {
            db.each_index_row(organisation, posting, [&](const record::IndexRow& row) {
                if (!ids.contains(row.id())) visit(row);
            });
        });
    }
    // 2. The folders, with what an interrupted filing may have left beside them.
    for (const auto& app : plan.applications) {
        const fs::path folder = folder_of(config, app);
        remove_folder(folder);
        remove_folder(folder.parent_path() / (".staging-" + app.id));
    }
    for (const auto& entry : plan.failed_entries) {
        remove_folder(entry);
        // A notice to its sender (too large) was queued under the entry's id.
        ids.insert(std::string(state::kFailedNoticePrefix) + entry.filename().string());
    }
    // 3. The state, in one transaction.
    report.rows = db.erase_applications({ids.begin(), ids.end()});
    // 4. The indexes from the database, the truth from now on.
    for (const auto& [organisation, posting] : postings) {
        refresh_index(config, db, organisation, posting);
        report.indexes.push_back(index_of(config, organisation, posting));
    }
    return report;
}

std::string describe_plan(const config::Config& config, const ErasurePlan& plan) {
    if (plan.empty()) return "nothing to erase\n";
    std::ostringstream out;
    for (const auto& app : plan.applications) {
        out << "would erase application " << app.id << " (" << app.organisation << "/"
            << app.posting << ", received " << app.received_at
            << "): " << folder_of(config, app).string() << "\n";
    }
    for (const auto& entry : plan.failed_entries) {
        out << "would erase _failed/ entry " << entry.string() << "\n";
    }
    out << "would erase " << plan.applications.size() << " application(s) and "
        << plan.failed_entries.size() << " _failed/ entr(ies); nothing was changed (--dry-run)\n";
    return out.str();
}

std::string describe_report(const config::Config& config, const ErasureReport& report) {
    if (report.erased.empty()) return "nothing to erase\n";
    std::ostringstream out;
    for (const auto& app : report.erased.applications) {
        out << "erased application " << app.id << " (" << app.organisation << "/" << app.posting
            << "): " << folder_of(config, app).string() << "\n";
    }
    for (const auto& entry : report.erased.failed_entries) {
        out << "erased _failed/ entry " << entry.string() << "\n";
    }
    for (const auto& index : report.indexes) out << "rewrote " << index.string() << "\n";
    const auto& r = report.rows;
    out << "erased " << r.applications << " application(s) with their folders and index rows, "
        << report.erased.failed_entries.size() << " _failed/ entr(ies), " << r.replies_queued
        << " queued repl(ies) and " << r.replies_other << " sent or failed repl(ies); "
        << r.messages_scrubbed << " handled-message row(s) keep only their server UID\n";
    return out.str();
}

std::string log_summary(const ErasureReport& report) {
    std::string ids;
    for (const auto& app : report.erased.applications) {
        ids += (ids.empty() ? "" : ", ") + short_id(app.id);
    }
    std::ostringstream out;
    out << report.rows.applications << " application(s)";
    if (!ids.empty()) out << " (" << ids << ")";
    out << ", " << report.erased.failed_entries.size() << " _failed/ entr(ies), "
        << report.rows.replies_queued << " queued repl(ies), " << report.rows.replies_other
        << " sent or failed repl(ies)";
    return out.str();
}

void purge_by_rules(const config::Config& config, state::StateDb& db, spdlog::logger& log,
                    Clock::time_point now) {
    const RetentionRules rules = retention_rules(config, now);
    if (rules.empty()) {
        log.debug("daily purge: no retention rule is set, nothing erased");
        return;
    }
    const ErasurePlan plan = plan_retention(config, db, rules);
    if (plan.empty()) {
        log.info("daily purge: nothing is past its retention");
        return;
    }
    log.info("daily purge: erased {}", log_summary(carry_out(config, db, plan)));
}

}  // namespace intake::daemon
