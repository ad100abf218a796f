// One message, top to bottom:
//
//   fetch -> decide (parse, route, classify, assess, reply text) -> duplicates and
//   reply rate (state) -> file the folder -> COMMIT -> rewrite the CSV -> move on
//   the server.
//
// The commit point is StateDb::commit_filing(): one SQLite transaction records
// the message as handled (by mailbox + UIDVALIDITY + UID and by Message-ID), the
// application and its queued reply. Files are renamed into place before it, the
// IMAP move happens after it. A crash before the commit leaves the message in
// the inbox and a folder nobody was told of, which the next attempt replaces
// (its id is derived from the Message-ID, so it is the same folder); a crash after
// it leaves a message that is recognised as handled and only moved. Replies never
// leave from here: the outbox sends what the commit queued.
#include "daemon/pipeline.h"

#include "base/digest.h"
#include "base/errors.h"
#include "daemon/decide.h"
#include "reply/reply.h"
#include "store/store.h"

namespace intake::daemon {
namespace {

using Clock = state::Clock;

std::string documents_summary(const record::Application& app) {
    int cv = 0, letter = 0, other = 0;
    for (const auto& d : app.documents) {
        if (d.role == "cv")
            ++cv;
        else if (d.role == "cover_letter")
            ++letter;
        else
            ++other;
    }
    return "cv=" + std::to_string(cv) + " cover_letter=" + std::to_string(letter) +
           " other=" + std::to_string(other);
}

std::string reply_summary(const record::Application& app) {
    const auto& ack = app.acknowledgement;
    return ack.reason ? ack.status + " (" + *ack.reason + ")" : ack.status;
}

void move_to(const MailboxContext& ctx, imap::Uid uid, const std::string& folder) {
    ctx.client.move(ctx.mailbox.folder, uid, folder);
}

/// A message that cannot be handled is kept whole under _failed/ and moved
/// aside on the server, so it never blocks the messages behind it.
MessageOutcome set_aside(const MailboxContext& ctx, const state::MessageRef& ref, imap::Uid uid,
                         const std::string& raw, const Error& error) {
    const auto now = Clock::now();
    const std::string id = failed_id(raw);
    const std::string reason = describe(error);
    store::file_failed(ctx.config.storage, ctx.organisation.id, id, raw, reason);
    state::Filing filing;
    filing.message = ref;
    filing.organisation = ctx.organisation.id;
    filing.outcome = state::Outcome::failed;
    filing.failed_id = id;
    ctx.db.commit_filing(filing, now);
    move_to(ctx, uid, ctx.mailbox.failed_folder);
    ctx.log.error(
        "{} uid {}: set aside as _failed/{}: {} — the raw mail is kept there; read it and "
        "forward it to HR by hand if it is an application",
        ctx.mailbox.name, uid.value, id, reason);
    return MessageOutcome::set_aside;
}

std::optional<state::QueuedReply> prepare_reply(const MailboxContext& ctx, const Decision& d) {
    const auto& app = d.application;
    if (app.acknowledgement.status != "queued") return std::nullopt;
    const std::optional<std::string> references = d.message.header("References");
    const std::string data =
        reply::compose({app.acknowledgement.subject, app.acknowledgement.text}, ctx.organisation,
                       app.acknowledgement.to, {d.message.message_id, references.value_or("")},
                       reply::reply_message_id(app.id, ctx.organisation), Clock::now());
    return state::QueuedReply{ctx.organisation.smtp, ctx.organisation.address,
                              app.acknowledgement.to, data};
}

/// Applies what only the state database knows: a resent application, at most
/// one reply per sender and posting per ack_interval_days, and at most one reply
/// per sender per sender_quiet_minutes whatever the posting.
void apply_history(const MailboxContext& ctx, Decision& d) {
    auto& app = d.application;
    app.duplicate_of = ctx.db.find_by_content_key(ctx.organisation.id, d.content_key);
    if (app.acknowledgement.status != "queued") return;
    if (app.duplicate_of) {
        suppress_reply(app, reply::reason::kDuplicate);
        return;
    }
    const auto now = Clock::now();
    const auto& replies = ctx.config.replies;
    const auto since = now - std::chrono::days(replies.ack_interval_days);
    if (ctx.db.acknowledged_since(ctx.organisation.id, app.acknowledgement.to, app.posting,
                                  since) ||
        sender_answered_lately(ctx, app.acknowledgement.to, now)) {
        suppress_reply(app, reply::reason::kRateLimit);
    }
}

/// Two messages whose short ids collide must not share a folder: filing
/// replaces an uncommitted folder of the same name, so a committed one must
/// never carry it. The longer id is as stable across retries as the short one.
void ensure_unique_id(const MailboxContext& ctx, Decision& d) {
    if (!ctx.db.application(d.application.id)) return;
    d.application.id += "-" + sha256_hex(ctx.mailbox.name + "\n" + d.message_key).substr(6, 6);
}

}  // namespace

bool sender_answered_lately(const MailboxContext& ctx, const std::string& to,
                            Clock::time_point now) {
    const int quiet = ctx.config.replies.sender_quiet_minutes;
    return quiet > 0 &&
           ctx.db.replied_since(ctx.organisation.address, to, now - std::chrono::minutes(quiet));
}

void refresh_index(const config::Config& config, state::StateDb& db,
                   const std::string& organisation, const std::string& posting) {
    store::write_index(config.storage, organisation, posting,
                       db.applications(organisation, posting));
}

MessageOutcome handle_message(const MailboxContext& ctx, imap::UidValidity validity,
                              imap::MessageSize message) {
    const imap::Uid uid = message.uid;
    const state::MessageRef ref{ctx.mailbox.name, validity.value, uid.value};

    // Handled before, but the move did not happen (crash, outage): finish it.
    if (const auto handled = ctx.db.find_handled(ref)) {
        const bool failed = handled->outcome == state::Outcome::failed;
        // The CSV rewrite after the commit may be what failed (a full disk).
        if (handled->outcome == state::Outcome::filed) {
            if (const auto app = ctx.db.application(handled->application_id))
                refresh_index(ctx.config, ctx.db, app->organisation, app->posting);
        }
        move_to(ctx, uid, failed ? ctx.mailbox.failed_folder : ctx.mailbox.processed_folder);
        ctx.log.info("{} uid {}: already handled as {}, moved", ctx.mailbox.name, uid.value,
                     handled->application_id);
        return MessageOutcome::seen_before;
    }

    if (message.bytes > ctx.config.limits.max_message_bytes) {
        return set_aside_oversized(ctx, ref, message);  // never downloaded whole
    }
    const std::string raw = ctx.client.fetch(ctx.mailbox.folder, uid);
    std::unique_ptr<Decision> decision;
    try {
        decision = decide(raw, {ctx.config, ctx.mailbox, ctx.organisation, Clock::now()});
    } catch (const PermanentError& e) {
        return set_aside(ctx, ref, uid, raw, e);
    } catch (const TransientError&) {
        throw;
    } catch (const std::exception& e) {
        // Whatever a hostile message provokes in a parser stays with that message.
        return set_aside(ctx, ref, uid, raw,
                         PermanentError(std::string("cannot parse: ") + e.what()));
    }
    Decision& d = *decision;
    record::Application& app = d.application;

    // The same message again (UIDVALIDITY changed, or copied back): filed already.
    if (const auto filed = ctx.db.find_by_message_key(ctx.organisation.id, d.message_key)) {
        ctx.db.record_seen_again(ref, *filed, Clock::now());
        move_to(ctx, uid, ctx.mailbox.processed_folder);
        ctx.log.info("{} uid {}: same Message-ID as {}, not filed again", ctx.mailbox.name,
                     uid.value, *filed);
        return MessageOutcome::seen_before;
    }

    // A bounce of one of our replies: noted on that application, not filed.
    if (const auto bounced = bounced_acknowledgement(ctx, d, raw)) {
        return record_bounce(ctx, ref, uid, *bounced, raw);
    }

    ensure_unique_id(ctx, d);
    apply_history(ctx, d);
    state::Filing filing{ref,
                         ctx.organisation.id,
                         d.message_key,
                         d.content_key,
                         app.duplicate_of ? state::Outcome::duplicate : state::Outcome::filed,
                         app,
                         {},
                         prepare_reply(ctx, d)};

    store::file_application(ctx.config.storage, app, d.files, raw);
    ctx.db.commit_filing(filing, Clock::now());  // the commit point
    refresh_index(ctx.config, ctx.db, app.organisation, app.posting);
    move_to(ctx, uid, ctx.mailbox.processed_folder);

    ctx.log.info("{} uid {}: filed {} under {}/{} ({}), routed by {}, deadline {}, reply {}",
                 ctx.mailbox.name, uid.value, app.id, app.organisation, app.posting,
                 documents_summary(app), app.routing.by, app.deadline.status, reply_summary(app));
    return app.duplicate_of ? MessageOutcome::duplicate : MessageOutcome::filed;
}

}  // namespace intake::daemon
