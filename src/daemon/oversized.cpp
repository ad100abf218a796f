// A message over limits.max_message_bytes. Its size is known from the server
// (RFC822.SIZE) before anything is downloaded, so a 2 GB mail costs a header
// fetch, not 2 GB of memory and bandwidth per attempt. What HR and the sender
// get is what any message over a limit gets, plus a notice to the sender: the
// header under _failed/ with the reason, the message in the failed folder on
// the server (whole, for anyone who wants it), and one notice per
// ack_interval_days saying what the limit is and how to send again.
#include "base/errors.h"
#include "base/text.h"
#include "daemon/decide.h"
#include "daemon/pipeline.h"
#include "docs/docs.h"
#include "mime/mime.h"
#include "reply/reply.h"
#include "store/store.h"

namespace intake::daemon {
namespace {

using Clock = state::Clock;

/// More header than any mail system sends: what is beyond it is not kept.
constexpr std::size_t kMaxKeptHeader = 256 * 1024;

/// The header as a message of its own, for the same parser as every mail; nullopt
/// (with the reason in `why_not`) when it cannot be read, and then nobody is told.
std::optional<mime::ParsedMessage> parse_header(const std::string& header,
                                                const config::Limits& limits,
                                                std::string& why_not) {
    try {
        return mime::parse_message(header, mime_limits(limits));
    } catch (const std::exception& e) {
        why_not = e.what();
        return std::nullopt;
    }
}

/// The sender's language: the one the header declares, else the subject's.
std::string notice_language(const mime::ParsedMessage& m, const config::Organisation& org) {
    if (const auto declared = m.header("Content-Language")) {
        std::string language = text::ascii_lower(text::trim(declared->substr(0, 2)));
        if (org.offers_language(language)) return language;
    }
    return reply::choose_language(docs::detect_language(m.subject), org);
}

/// Why the sender hears nothing, or nullopt when the notice may go.
std::optional<std::string> no_notice_reason(const MailboxContext& ctx, const mime::ParsedMessage& m,
                                            const std::string& to, Clock::time_point now) {
    if (auto reason = reply::suppression_reason(m, ctx.organisation)) return reason;
    const auto since = now - std::chrono::days(ctx.config.replies.ack_interval_days);
    if (ctx.db.notified_since(ctx.organisation.address, to, since) ||
        sender_answered_lately(ctx, to, now)) {
        return std::string(reply::reason::kRateLimit);
    }
    return std::nullopt;
}

std::optional<state::QueuedReply> too_large_notice(const MailboxContext& ctx,
                                                   const std::string& header,
                                                   const std::string& failed_id,
                                                   std::string& outcome) {
    const auto now = Clock::now();
    std::string why_not;
    const std::optional<mime::ParsedMessage> m = parse_header(header, ctx.config.limits, why_not);
    if (!m) {
        outcome = "none (unreadable header: " + why_not + ")";
        return std::nullopt;
    }
    const std::string to = reply::reply_address(*m);
    if (auto reason = no_notice_reason(ctx, *m, to, now)) {
        outcome = "suppressed (" + *reason + ")";
        return std::nullopt;
    }
    const auto arrived = m->received_date ? m->received_date : m->date;
    const std::string received =
        utc_text(arrived.value_or(std::chrono::floor<std::chrono::seconds>(now)));
    const reply::Text text =
        reply::render_too_large(ctx.organisation, notice_language(*m, ctx.organisation),
                                text::valid_utf8(applicant_name(m->from, {}, ctx.config.rules)),
                                received, ctx.config.limits.max_message_bytes);
    const std::string data = reply::compose(
        text, ctx.organisation, to, {m->message_id, m->header("References").value_or("")},
        reply::reply_message_id(failed_id, ctx.organisation), now);
    outcome = "notice queued";
    return state::QueuedReply{ctx.organisation.smtp, ctx.organisation.address, to, data};
}

}  // namespace

MessageOutcome set_aside_oversized(const MailboxContext& ctx, const state::MessageRef& ref,
                                   imap::MessageSize message) {
    std::string header = ctx.client.fetch_header(ctx.mailbox.folder, message.uid);
    if (header.size() > kMaxKeptHeader) header.resize(kMaxKeptHeader);
    const std::string id = failed_id(header);
    const std::string reason =
        "the message is " + std::to_string(message.bytes) +
        " bytes, over limits.max_message_bytes = " +
        std::to_string(ctx.config.limits.max_message_bytes) +
        "; it was not downloaded: message.eml holds its header only, and the whole message "
        "is in the failed folder on the mail server";
    store::file_failed(ctx.config.storage, ctx.organisation.id, id, header, reason);

    std::string notice;
    state::Filing filing;
    filing.message = ref;
    filing.organisation = ctx.organisation.id;
    filing.outcome = state::Outcome::failed;
    filing.failed_id = id;
    filing.reply = too_large_notice(ctx, header, id, notice);
    ctx.db.commit_filing(filing, Clock::now());
    ctx.client.move(ctx.mailbox.folder, message.uid, ctx.mailbox.failed_folder);
    ctx.log.error(
        "{} uid {}: set aside as _failed/{}: {} bytes, over limits.max_message_bytes ({}); "
        "sender notice {} — raise the limit and move the message back to the inbox if such "
        "mail is expected",
        ctx.mailbox.name, message.uid.value, id, message.bytes, ctx.config.limits.max_message_bytes,
        notice);
    return MessageOutcome::set_aside;
}

}  // namespace intake::daemon
