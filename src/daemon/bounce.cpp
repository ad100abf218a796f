// A delivery report about one of our acknowledgements: the applicant's address
// does not work. It is no application and is never answered (a bounce of a
// bounce is how mail loops start); it is noted on the application it concerns,
// so HR see "bounced" in application.json and the CSV and can reach the
// applicant another way. A report that names no reply of ours goes through the
// pipeline like any other mail (filed, never answered).
#include <algorithm>

#include "base/text.h"
#include "daemon/decide.h"
#include "daemon/pipeline.h"
#include "reply/reply.h"
#include "store/store.h"

namespace intake::daemon {
namespace {

/// Delivery reports are small; only their beginning is read.
constexpr std::size_t kReportWindow = 1 << 20;

/// The value of the first "Name: value" line of a delivery status (RFC 3464), printable
/// ASCII only and cut short: it is shown to HR, and comes from a stranger. `lower` is
/// the report's beginning in lower case, made once for every field.
std::string report_field(std::string_view raw, std::string_view lower, std::string_view name) {
    const std::string key = "\n" + text::ascii_lower(name) + ":";
    const auto at = lower.find(key);
    if (at == std::string::npos) return {};
    const auto start = at + key.size();
    const auto end = raw.find('\n', start);
    std::string value;
    for (char c : raw.substr(start, end == std::string_view::npos ? end : end - start)) {
        if (c >= 0x20 && c < 0x7f) value += c;
    }
    value = text::trim(value);
    if (value.size() > 200) value.resize(200);
    return value;
}

/// "5.1.1": an RFC 3463 status code, the only part of the report fit for the log.
bool is_status_code(std::string_view s) {
    if (s.size() < 5 || s.size() > 9 || (s[0] != '2' && s[0] != '4' && s[0] != '5')) return false;
    int dots = 0;
    for (char c : s) {
        if (c == '.')
            ++dots;
        else if (c < '0' || c > '9')
            return false;
    }
    return dots == 2 && s[1] == '.';
}

}  // namespace

std::optional<std::string> bounced_acknowledgement(const MailboxContext& ctx, const Decision& d,
                                                   std::string_view raw) {
    const auto& reason = d.application.acknowledgement.reason;
    if (!reason || *reason != reply::reason::kBounce) return std::nullopt;
    // The report quotes our mail's header, and with it our Message-ID.
    for (const std::string& id : reply::acknowledgement_ids(raw, ctx.organisation)) {
        if (ctx.db.application(id)) return id;
    }
    return std::nullopt;
}

MessageOutcome record_bounce(const MailboxContext& ctx, const state::MessageRef& ref, imap::Uid uid,
                             const std::string& application_id, std::string_view raw) {
    std::string why = "the acknowledgement bounced";
    const std::string lower = text::ascii_lower(raw.substr(0, kReportWindow));
    const std::string status = report_field(raw, lower, "Status");
    const std::string diagnostic = report_field(raw, lower, "Diagnostic-Code");
    if (!status.empty()) why += ": " + status;
    if (!diagnostic.empty()) why += " (" + diagnostic + ")";
    ctx.db.record_bounce(ref, application_id, why, state::Clock::now());
    if (const auto app = ctx.db.application(application_id)) {
        store::update_record(ctx.config.storage, *app);
        refresh_index(ctx.config, ctx.db, app->organisation, app->posting);
    }
    ctx.client.move(ctx.mailbox.folder, uid, ctx.mailbox.processed_folder);
    // The diagnostic often quotes the applicant's address: it stays out of the log.
    ctx.log.warn(
        "{} uid {}: the acknowledgement of {} bounced ({}); recorded as ack_status "
        "bounced, not answered — HR may reach the applicant another way",
        ctx.mailbox.name, uid.value, application_id,
        is_status_code(status) ? status : std::string("no status code"));
    return MessageOutcome::seen_before;
}

}  // namespace intake::daemon
