// A group of messages of one mailbox, top to bottom:
//
//   for each message: fetch -> decide (parse, route, classify, assess, reply
//   text; on worker threads, a few messages ahead: DecideAhead) -> in UID
//   order, duplicates and reply rate (state, and the group so far) -> file the
//   folder, not yet durable
//   then for the group: make every folder durable (one syncfs) -> COMMIT (one
//   transaction) -> add the rows to each touched posting's CSV -> move the group
//   on the server (one command per destination).
//
// A batch is cut into such groups (group_sizes) and fetched and decided as one
// stream (Batch): a group is committed as soon as its last message is filed,
// while the next group's first messages are being decided, and before any of
// them is filed.
//
// The commit point is StateDb::commit_filings(): one SQLite transaction records
// every message of the group as handled (by mailbox + UIDVALIDITY + UID and by
// Message-ID), with its application and its queued reply. Folders are renamed
// into place and made durable before it, the IMAP moves happen after it. A crash
// before the commit leaves the whole group in the inbox and folders nobody was
// told of, which the next attempt replaces (their ids derive from the Message-ID,
// so they are the same folders); a crash after it leaves messages that are
// recognised as handled and only moved. Replies never leave from here: the
// outbox sends what the commit queued. A message that cannot be handled is set
// aside (_failed/) within the group and holds up nothing; a message whose fetch
// or filing fails for a reason that may pass (TransientError) ends the group
// early: what was filed before it is still committed.
#include "daemon/pipeline.h"

#include <algorithm>
#include <deque>
#include <future>
#include <map>
#include <thread>

#include "base/digest.h"
#include "base/errors.h"
#include "daemon/decide.h"
#include "reply/reply.h"
#include "store/store.h"

namespace intake::daemon {
namespace {

using Clock = state::Clock;
using DecisionPtr = std::unique_ptr<Decision>;

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

/// What a group has decided but not yet committed, and what it must do after the
/// commit. Lookups see the database and the group so far, so two messages of one
/// group are told apart exactly as if they came in two passes.
class Group {
public:
    Group(const MailboxContext& ctx, imap::UidValidity validity, GroupReport& report)
        : ctx_(ctx), validity_(validity), report_(report) {}

    state::MessageRef ref(imap::Uid uid) const {
        return {ctx_.mailbox.name, validity_.value, uid.value};
    }

    /// Handled before, but the move did not happen (crash, outage): only move it.
    void finish_move(imap::Uid uid, const state::Handled& handled) {
        auto& to = handled.outcome == state::Outcome::failed ? to_failed_ : to_processed_;
        to.push_back(uid);
        // The CSV update after the commit may be what failed (a full disk).
        if (handled.outcome == state::Outcome::filed) {
            if (const auto app = ctx_.db.application(handled.application_id)) {
                stale_indexes_.emplace(app->organisation, app->posting);
            }
        }
        after_commit_.push_back(fmt::format("{} uid {}: already handled as {}, moved",
                                            ctx_.mailbox.name, uid.value, handled.application_id));
        ++pending_.handled;
    }

    /// Files (or sets aside) one message once `decided` (decide() on a worker) is ready.
    void handle(imap::Uid uid, const std::string& raw, std::future<DecisionPtr>& decided);

    /// Durable, committed, indexed and moved, in that order; empties the group.
    void commit();

private:
    void set_aside(imap::Uid uid, const std::string& raw, const Error& error);
    std::optional<std::string> filed_message_key(const std::string& key);
    void apply_history(Decision& d);
    void ensure_unique_id(Decision& d);

    const MailboxContext& ctx_;
    imap::UidValidity validity_;
    std::vector<state::Filing> filings_;
    std::vector<state::SeenAgain> seen_again_;
    std::vector<imap::Uid> to_processed_, to_failed_;
    std::vector<std::string> after_commit_;  // log lines that are true once committed
    // The group's own applications, for the lookups the database cannot answer yet.
    std::map<std::string, std::string> message_keys_, content_keys_;
    std::set<std::string> ids_;
    std::set<std::pair<std::string, std::string>> acknowledged_;  // email, posting
    std::set<std::string> answered_;                              // email
    // Postings whose CSV may have missed a committed row (a failure after a commit).
    std::set<std::pair<std::string, std::string>> stale_indexes_;
    GroupReport pending_;  // counted into report_ once committed
    GroupReport& report_;
};

/// A message that cannot be handled is kept whole under _failed/ and moved
/// aside on the server, so it never blocks the messages behind it.
void Group::set_aside(imap::Uid uid, const std::string& raw, const Error& error) {
    const std::string id = failed_id(raw);
    const std::string reason = describe(error);
    ctx_.filer.file_failed(ctx_.organisation.id, id, raw, reason);
    state::Filing filing;
    filing.message = ref(uid);
    filing.organisation = ctx_.organisation.id;
    filing.outcome = state::Outcome::failed;
    filing.failed_id = id;
    filings_.push_back(std::move(filing));
    to_failed_.push_back(uid);
    ++pending_.handled;
    ++pending_.set_aside;
    ctx_.log.error(
        "{} uid {}: set aside as _failed/{}: {} — the raw mail is kept there; read it and "
        "forward it to HR by hand if it is an application",
        ctx_.mailbox.name, uid.value, id, reason);
}

std::optional<std::string> Group::filed_message_key(const std::string& key) {
    if (const auto it = message_keys_.find(key); it != message_keys_.end()) return it->second;
    return ctx_.db.find_by_message_key(ctx_.organisation.id, key);
}

/// Applies what only the history knows: a resent application, at most one reply
/// per sender and posting per ack_interval_days, and at most one reply per sender
/// per sender_quiet_minutes whatever the posting.
void Group::apply_history(Decision& d) {
    auto& app = d.application;
    app.duplicate_of = ctx_.db.find_by_content_key(ctx_.organisation.id, d.content_key);
    if (!app.duplicate_of) {
        if (const auto it = content_keys_.find(d.content_key); it != content_keys_.end()) {
            app.duplicate_of = it->second;
        }
    }
    if (app.acknowledgement.status != "queued") return;
    if (app.duplicate_of) {
        suppress_reply(app, reply::reason::kDuplicate);
        return;
    }
    const auto now = Clock::now();
    const auto& replies = ctx_.config.replies;
    const auto since = now - std::chrono::days(replies.ack_interval_days);
    const std::string& to = app.acknowledgement.to;
    if (acknowledged_.contains({to, app.posting}) ||
        (replies.sender_quiet_minutes > 0 && answered_.contains(to)) ||
        ctx_.db.acknowledged_since(ctx_.organisation.id, to, app.posting, since) ||
        sender_answered_lately(ctx_, to, now)) {
        suppress_reply(app, reply::reason::kRateLimit);
    }
}

/// Two messages whose short ids collide must not share a folder: filing
/// replaces an uncommitted folder of the same name, so a committed one must
/// never carry it. The longer id is as stable across retries as the short one.
void Group::ensure_unique_id(Decision& d) {
    if (!ids_.contains(d.application.id) && !ctx_.db.application(d.application.id)) return;
    d.application.id += "-" + sha256_hex(ctx_.mailbox.name + "\n" + d.message_key).substr(6, 6);
}

void Group::handle(imap::Uid uid, const std::string& raw, std::future<DecisionPtr>& decided) {
    DecisionPtr decision;
    try {
        decision = decided.get();
    } catch (const PermanentError& e) {
        return set_aside(uid, raw, e);
    } catch (const TransientError&) {
        throw;
    } catch (const std::exception& e) {
        // Whatever a hostile message provokes in a parser stays with that message.
        return set_aside(uid, raw, PermanentError(std::string("cannot parse: ") + e.what()));
    }
    Decision& d = *decision;
    record::Application& app = d.application;

    // The same message again (UIDVALIDITY changed, or copied back): filed already.
    if (const auto filed = filed_message_key(d.message_key)) {
        seen_again_.push_back({ref(uid), *filed});
        to_processed_.push_back(uid);
        after_commit_.push_back(fmt::format("{} uid {}: same Message-ID as {}, not filed again",
                                            ctx_.mailbox.name, uid.value, *filed));
        ++pending_.handled;
        return;
    }

    // A bounce of one of our replies: noted on that application, not filed. Rare,
    // so committed and moved at once (bounce.cpp) rather than with the group.
    if (const auto bounced = bounced_acknowledgement(ctx_, d, raw)) {
        record_bounce(ctx_, ref(uid), uid, *bounced, raw);
        ++report_.handled;
        return;
    }

    ensure_unique_id(d);
    apply_history(d);
    std::string record = ctx_.filer.file_application(app, d.files, raw);

    message_keys_.emplace(d.message_key, app.id);
    content_keys_.emplace(d.content_key, app.id);
    ids_.insert(app.id);
    if (app.acknowledgement.status == "queued") {
        acknowledged_.emplace(app.acknowledgement.to, app.posting);
        answered_.insert(app.acknowledgement.to);
    }
    after_commit_.push_back(fmt::format(
        "{} uid {}: filed {} under {}/{} ({}), routed by {}, deadline {}, reply {}",
        ctx_.mailbox.name, uid.value, app.id, app.organisation, app.posting, documents_summary(app),
        app.routing.by, app.deadline.status, reply_summary(app)));
    filings_.push_back(
        state::Filing{ref(uid),
                      ctx_.organisation.id,
                      d.message_key,
                      d.content_key,
                      app.duplicate_of ? state::Outcome::duplicate : state::Outcome::filed,
                      app,
                      {},
                      prepare_reply(ctx_, d),
                      std::move(record)});
    to_processed_.push_back(uid);
    ++pending_.handled;
}

void Group::commit() {
    if (filings_.empty() && seen_again_.empty() && to_processed_.empty() && to_failed_.empty() &&
        stale_indexes_.empty()) {
        return;  // nothing to make durable, record or move
    }
    ctx_.filer.sync();
    ctx_.db.commit_filings(filings_, seen_again_, Clock::now());  // the commit point
    report_.handled += std::exchange(pending_.handled, 0);
    report_.set_aside += std::exchange(pending_.set_aside, 0);

    std::map<std::pair<std::string, std::string>, std::vector<record::Application>> by_posting;
    for (state::Filing& f : filings_) {
        if (f.application) {
            auto& app = *f.application;
            by_posting[{app.organisation, app.posting}].push_back(std::move(app));
        }
    }
    filings_.clear();
    seen_again_.clear();
    for (const auto& [posting, rows] : by_posting) {
        if (stale_indexes_.contains(posting)) continue;  // rewritten below
        ctx_.filer.add_to_index(posting.first, posting.second, rows,
                                rows_in(ctx_.db, posting.first, posting.second));
    }
    for (const auto& [organisation, posting] : stale_indexes_) {
        ctx_.filer.write_index(organisation, posting, rows_in(ctx_.db, organisation, posting));
    }
    stale_indexes_.clear();

    // Said once committed, even if the move below fails (the next pass moves them).
    for (const std::string& line : after_commit_) ctx_.log.info("{}", line);
    after_commit_.clear();

    ctx_.client.move_all(ctx_.mailbox.folder, to_processed_, ctx_.mailbox.processed_folder);
    to_processed_.clear();
    ctx_.client.move_all(ctx_.mailbox.folder, to_failed_, ctx_.mailbox.failed_folder);
    to_failed_.clear();
}

/// A batch cut into groups (group_sizes), handled as one stream: the messages
/// are fetched and decided ahead across the groups' limits, and a group is
/// committed as soon as its last message is filed, while the first messages of
/// the next one are being decided. Each group is committed before any message
/// of the next is filed, so the next one's lookups find it in the database.
class Batch {
public:
    Batch(const MailboxContext& ctx, imap::UidValidity validity,
          const std::vector<imap::MessageSize>& messages, GroupReport& report) {
        std::size_t begin = 0;
        for (const std::size_t size : group_sizes(messages.size())) {
            Planned& planned =
                groups_.emplace_back(Planned{std::make_unique<Group>(ctx, validity, report), 0});
            for (std::size_t i = begin; i < begin + size; ++i) {
                const imap::MessageSize& message = messages[i];
                if (const auto handled = ctx.db.find_handled(planned.group->ref(message.uid))) {
                    planned.group->finish_move(message.uid, *handled);
                } else if (message.bytes > ctx.config.limits.max_message_bytes) {
                    // Never downloaded whole; committed and moved at once (oversized.cpp).
                    set_aside_oversized(ctx, planned.group->ref(message.uid), message);
                    ++report.handled;
                    ++report.set_aside;
                } else {
                    to_fetch_.push_back(message.uid);
                    group_of_.emplace(message.uid.value, groups_.size() - 1);
                    ++planned.left_to_file;
                }
            }
            begin += size;
        }
        commit_done_groups();  // those with nothing to fetch, up to the first that has
    }

    const std::vector<imap::Uid>& to_fetch() const { return to_fetch_; }

    /// Files one message into its group, committing the groups before it first.
    void handle(imap::Uid uid, const std::string& raw, std::future<DecisionPtr>& decided) {
        const std::size_t group = group_of_.at(uid.value);
        // A group whose messages were not all fetched (gone from the folder) ends here.
        while (committed_ < group) commit_next();
        Planned& planned = groups_[group];
        planned.group->handle(uid, raw, decided);
        --planned.left_to_file;
        commit_done_groups();
    }

    /// Commits every group not committed yet, in order: the end of the batch, or
    /// what was filed before an error or a stop.
    void commit_the_rest() {
        while (committed_ < groups_.size()) commit_next();
    }

private:
    struct Planned {
        std::unique_ptr<Group> group;
        std::size_t left_to_file = 0;
    };

    void commit_done_groups() {
        while (committed_ < groups_.size() && groups_[committed_].left_to_file == 0) {
            commit_next();
        }
    }

    void commit_next() {
        Planned& planned = groups_[committed_++];
        planned.group->commit();
        planned.group.reset();  // what it held for the commit goes now
    }

    std::deque<Planned> groups_;
    std::size_t committed_ = 0;  // the groups before this one are committed
    std::vector<imap::Uid> to_fetch_;
    std::map<std::uint32_t, std::size_t> group_of_;  // UID to fetch -> its group
};

/// decide() runs on worker threads a few messages ahead of this thread, which
/// fetches, files and commits in UID order: deciding (parsing, the documents'
/// text, feedback) is most of a message's CPU, and fetching and filing wait on
/// the server and the disk. decide() touches nothing shared but the read-only
/// configuration and the reader service.
class DecideAhead {
public:
    DecideAhead(const MailboxContext& ctx, Batch& batch)
        : ctx_(ctx), batch_(batch), depth_(std::max(2u, std::thread::hardware_concurrency()) + 1) {}
    /// Waits for what is still being decided and drops it: not filed, so its
    /// message stays in the inbox for the next pass.
    ~DecideAhead() = default;

    void add(imap::Uid uid, std::string raw) {
        auto held = std::make_unique<const std::string>(std::move(raw));
        const std::string_view bytes = *held;
        const MessageContext message{ctx_.config,  ctx_.mailbox, ctx_.organisation,
                                     Clock::now(), &ctx_.reader, &ctx_.router};
        auto decided =
            std::async(std::launch::async, [bytes, message] { return decide(bytes, message); });
        waiting_.push_back({uid, std::move(held), std::move(decided)});
        if (waiting_.size() >= depth_) handle_oldest();
    }

    /// Files everything added, in order.
    void finish() {
        while (!waiting_.empty()) handle_oldest();
    }

private:
    struct Waiting {
        imap::Uid uid;
        std::unique_ptr<const std::string> raw;  // decide() reads it: it must not move
        std::future<DecisionPtr> decided;
    };

    void handle_oldest() {
        Waiting w = std::move(waiting_.front());
        waiting_.pop_front();
        batch_.handle(w.uid, *w.raw, w.decided);
    }

    const MailboxContext& ctx_;
    Batch& batch_;
    const std::size_t depth_;
    std::deque<Waiting> waiting_;
};

}  // namespace

std::vector<std::size_t> group_sizes(std::size_t messages, std::size_t max_group) {
    max_group = std::max<std::size_t>(1, max_group);
    const std::size_t last = std::min(kLastGroupMessages, max_group);
    if (messages <= 2 * last) {
        // Few enough for one group, or cut evenly when the limit is lower.
        const std::size_t groups = (messages + max_group - 1) / max_group;
        std::vector<std::size_t> sizes;
        for (std::size_t g = 0; g < groups; ++g) sizes.push_back((messages + g) / groups);
        return sizes;
    }
    std::vector<std::size_t> from_the_end;
    std::size_t left = messages;
    std::size_t next = last;
    while (left > 0) {
        std::size_t take = std::min(next, left);
        const std::size_t rest = left - take;
        if (rest > 0 && rest < last / 2) {
            // A handful left over joins this group, or shares it evenly when
            // that would be over the limit, rather than make a group of its own.
            take = left <= max_group ? left : (left + 1) / 2;
        }
        from_the_end.push_back(take);
        left -= take;
        next = std::min(max_group, take * 5 / 2);
    }
    return {from_the_end.rbegin(), from_the_end.rend()};
}

bool sender_answered_lately(const MailboxContext& ctx, const std::string& to,
                            Clock::time_point now) {
    const int quiet = ctx.config.replies.sender_quiet_minutes;
    return quiet > 0 &&
           ctx.db.replied_since(ctx.organisation.address, to, now - std::chrono::minutes(quiet));
}

store::EachRow rows_in(state::StateDb& db, const std::string& organisation,
                       const std::string& posting) {
    return [&db, organisation, posting](const auto& visit) {
        db.each_index_row(organisation, posting, visit);
    };
}

void refresh_index(const config::Config& config, state::StateDb& db,
                   const std::string& organisation, const std::string& posting) {
    store::write_index(config.storage, organisation, posting, rows_in(db, organisation, posting));
}

void handle_batch(const MailboxContext& ctx, imap::UidValidity validity,
                  const std::vector<imap::MessageSize>& messages,
                  const std::function<bool()>& stop_requested, GroupReport& report) {
    Batch batch(ctx, validity, messages, report);
    try {
        DecideAhead ahead(ctx, batch);
        const std::vector<imap::Uid> missing = ctx.client.fetch_each(
            ctx.mailbox.folder, batch.to_fetch(), [&](imap::Uid uid, std::string raw) {
                if (stop_requested()) return false;  // between messages, never inside one
                ahead.add(uid, std::move(raw));
                return true;
            });
        ahead.finish();
        for (const imap::Uid uid : missing) {
            ctx.log.info(
                "{} uid {}: gone from the folder before it was fetched (another client "
                "moved or deleted it)",
                ctx.mailbox.name, uid.value);
        }
    } catch (const Error&) {
        // What was filed before the failure is committed and moved all the same.
        const std::exception_ptr first = std::current_exception();
        try {
            batch.commit_the_rest();
        } catch (const Error& e) {
            ctx.log.warn("{}: the messages handled before the error wait for the next pass: {}",
                         ctx.mailbox.name, describe(e));
        }
        std::rethrow_exception(first);
    }
    batch.commit_the_rest();
}

}  // namespace intake::daemon
