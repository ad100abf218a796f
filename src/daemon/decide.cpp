#include "daemon/decide.h"

#include <algorithm>
#include <ctime>

#include "base/digest.h"
#include "base/errors.h"
#include "base/text.h"
#include "feedback/feedback.h"
#include "reply/reply.h"
#include "route/route.h"

namespace intake::daemon {
namespace {

using std::chrono::sys_seconds;

/// When the application arrived: the topmost Received line (added by the
/// organisation's own mail server, so the applicant cannot backdate it), else
/// the Date header, else now.
sys_seconds arrival_time(const mime::ParsedMessage& m, std::chrono::system_clock::time_point now) {
    if (m.received_date) return *m.received_date;
    if (m.date) return *m.date;
    return std::chrono::floor<std::chrono::seconds>(now);
}

/// Outlook's winmail.dat replaced by the files inside it, which are then
/// classified and filed like any others (the raw message keeps the original).
/// One that cannot be unpacked stays as it came.
void unpack_tnef(mime::ParsedMessage& m, const docs::ExtractLimits& limits,
                 const docs::ReaderService* reader) {
    std::vector<mime::Attachment> out;
    for (auto& a : m.attachments) {
        if (docs::is_tnef(a)) {
            if (auto files = docs::unpack_tnef(a.content, limits, reader);
                files && !files->empty()) {
                for (auto& f : *files) out.push_back(std::move(f));
                continue;
            }
        }
        out.push_back(std::move(a));
    }
    m.attachments = std::move(out);
}

/// The sha256 of every attachment, in order, computed once: the content key and
/// the document records both need them, and hashing is a tenth of a decision.
std::vector<std::string> attachment_digests(const mime::ParsedMessage& m) {
    std::vector<std::string> digests;
    digests.reserve(m.attachments.size());
    for (const auto& a : m.attachments) digests.push_back(sha256_hex(a.content));
    return digests;
}

/// The digest of a document's bytes: its attachment's when it is a view of one
/// (the same bytes, not merely equal ones), else computed (the body letter).
std::string digest_of(std::string_view content, const mime::ParsedMessage& m,
                      const std::vector<std::string>& digests) {
    for (std::size_t i = 0; i < m.attachments.size(); ++i) {
        const std::string& bytes = m.attachments[i].content;
        if (bytes.data() == content.data() && bytes.size() == content.size()) return digests[i];
    }
    return sha256_hex(content);
}

std::string content_key(const mime::ParsedMessage& m, const std::string& sender,
                        const std::vector<std::string>& digests) {
    std::vector<std::string> parts = digests;
    std::sort(parts.begin(), parts.end());
    // Without attachments the words themselves are what was sent.
    if (parts.empty()) parts.push_back(sha256_hex(docs::own_words(m.body_text)));
    std::string key = text::ascii_lower(sender);
    for (const auto& p : parts) key += "\n" + p;
    return sha256_hex(key);
}

std::vector<record::Document> document_records(const std::vector<docs::Document>& documents,
                                               const std::string& applicant,
                                               const mime::ParsedMessage& m,
                                               const std::vector<std::string>& digests) {
    std::vector<store::DocumentToName> to_name;
    for (const auto& d : documents) {
        to_name.push_back({docs::to_string(d.role), d.source, d.original_name, d.media_type});
    }
    const auto names = store::document_file_names(to_name, applicant);
    std::vector<record::Document> records;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        const auto& d = documents[i];
        records.push_back({std::string(docs::to_string(d.role)), names[i],
                           text::valid_utf8(d.original_name), d.source, d.media_type,
                           d.content.size(), digest_of(d.content, m, digests), d.language,
                           std::string(docs::to_string(d.text.method)),
                           std::string(docs::to_string(d.text.status))});
    }
    return records;
}

void fill_acknowledgement(Decision& decision, const MessageContext& ctx,
                          const config::Posting& posting) {
    auto& app = decision.application;
    auto& ack = app.acknowledgement;
    ack.to = reply::reply_address(decision.message);
    if (auto reason = reply::suppression_reason(decision.message, ctx.organisation)) {
        suppress_reply(app, *reason);
        return;
    }
    ack.status = "queued";
    const reply::Text text = reply::render(app, ctx.organisation, posting);
    ack.subject = text.subject;
    ack.text = text.body;
}

/// The language of the applicant's own words in the body: the body letter's when
/// the body is one (classify() detected it from those words already; cld2 is a
/// tenth of a decision), else detected here.
std::optional<std::string> body_language(const mime::ParsedMessage& m,
                                         const std::vector<docs::Document>& documents) {
    for (const auto& d : documents) {
        if (d.source == "body") return d.language;
    }
    return docs::detect_language(docs::own_words(m.body_text));
}

}  // namespace

/// The From header's name, else the one the documents give (a letter's
/// signature, the top of the CV), else the address's local part.
std::string applicant_name(const mime::Address& from, const std::vector<docs::Document>& documents,
                           const config::Rules& rules) {
    std::string name = text::trim(from.name);
    std::erase(name, '"');
    if (!name.empty() && name.find('@') == std::string::npos) return name;
    if (auto found = docs::name_in_documents(documents, rules)) return text::valid_utf8(*found);
    const std::string local = from.address.substr(0, from.address.find('@'));
    return local.empty() ? std::string("Applicant") : local;
}

std::string utc_text(sys_seconds t) {
    const std::time_t tt = t.time_since_epoch().count();
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

std::string failed_id(std::string_view raw) {
    const std::string hash = sha256_hex(raw).substr(0, 12);
    const auto arrived = mime::arrival_date(raw);
    if (!arrived) return hash;
    // A forged Date may lie outside years 0000-9999; it must not reshape the name.
    const std::string day = utc_text(*arrived).substr(0, 11);
    return day.size() == 11 && day[4] == '-' && day[10] == 'T' ? day.substr(0, 10) + "_" + hash
                                                               : hash;
}

docs::ExtractLimits extract_limits(const config::Limits& l) {
    docs::ExtractLimits e;
    e.max_archive_bytes = l.max_archive_bytes;
    e.max_text_bytes = l.max_text_bytes;
    e.cpu = std::chrono::seconds(l.extract_cpu_seconds);
    e.wall = std::chrono::seconds(l.extract_seconds);
    e.memory_bytes = l.extract_memory_bytes;
    return e;
}

mime::Limits mime_limits(const config::Limits& l) {
    return {l.max_message_bytes, l.max_parts, l.max_depth, l.max_attachment_bytes};
}

void suppress_reply(record::Application& application, std::string_view reason) {
    auto& ack = application.acknowledgement;
    ack.status = "suppressed";
    ack.reason = std::string(reason);
    ack.subject.clear();
    ack.text.clear();
}

std::unique_ptr<Decision> decide(std::string_view raw, const MessageContext& ctx) {
    const docs::ExtractLimits limits = extract_limits(ctx.config.limits);
    return decide(raw, ctx, [&](const std::vector<const mime::Attachment*>& documents) {
        return docs::read_texts(documents, limits, ctx.reader);
    });
}

std::unique_ptr<Decision> decide(std::string_view raw, const MessageContext& ctx,
                                 const docs::TextReader& read) {
    auto decision = std::make_unique<Decision>();
    decision->message = mime::parse_message(raw, mime_limits(ctx.config.limits));
    const docs::ExtractLimits limits = extract_limits(ctx.config.limits);
    unpack_tnef(decision->message, limits, ctx.reader);
    const mime::ParsedMessage& m = decision->message;

    const route::RouteDecision route = ctx.router != nullptr
                                           ? ctx.router->route(m.subject, m.body_text)
                                           : route::route(m.subject, m.body_text, ctx.organisation);
    const config::Posting* posting = ctx.organisation.find_posting(route.posting_id);
    if (posting == nullptr) throw InternalError("route chose unknown posting " + route.posting_id);

    decision->documents = docs::classify(m, read, ctx.config.rules);
    const sys_seconds arrived = arrival_time(m, ctx.now);
    // The applicant's language: the body's, else the cover letter's, else the CV's.
    auto language = body_language(m, decision->documents);
    for (docs::Role role : {docs::Role::cover_letter, docs::Role::cv}) {
        for (const auto& d : decision->documents) {
            if (!language && d.role == role && d.language) language = d.language;
        }
    }
    const std::string reply_language = reply::choose_language(language, ctx.organisation);

    decision->message_key = m.message_id.empty() ? "sha256:" + sha256_hex(raw) : m.message_id;
    const std::vector<std::string> digests = attachment_digests(m);
    decision->content_key = content_key(m, m.from.address, digests);
    const std::string short_id =
        sha256_hex(ctx.mailbox.name + "\n" + decision->message_key).substr(0, 6);

    record::Application& app = decision->application;
    app.organisation = ctx.organisation.id;
    app.posting = posting->id;
    app.mailbox = ctx.mailbox.name;
    app.received_at = utc_text(arrived);
    app.message_id = text::valid_utf8(m.message_id);
    app.subject = text::valid_utf8(m.subject);
    app.routing = {route.by, route.alias, route.distance};
    app.applicant = {applicant_name(m.from, decision->documents, ctx.config.rules),
                     text::valid_utf8(m.from.address)};
    app.id = store::application_id(arrived, app.applicant.name, short_id);
    app.language = language.value_or("und");
    app.documents = document_records(decision->documents, app.applicant.name, m, digests);
    for (std::size_t i = 0; i < app.documents.size(); ++i) {
        decision->files.push_back({app.documents[i].file, decision->documents[i].content});
    }
    app.acknowledgement.language = reply_language;

    const feedback::Evidence evidence{arrived, m.body_text, &decision->documents,
                                      &ctx.config.rules};
    auto assessment = feedback::assess(evidence, *posting, ctx.organisation, reply_language);
    app.deadline = assessment.deadline;
    app.checks = std::move(assessment.checks);
    app.feedback = std::move(assessment.feedback);
    fill_acknowledgement(*decision, ctx, *posting);
    return decision;
}

}  // namespace intake::daemon
