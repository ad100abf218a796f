#pragma once
// Everything intake decides about one raw message without touching anything:
// parse -> route -> classify documents -> assess -> choose the reply. Used by
// the pipeline (which then consults the state database for duplicates and the
// reply rate, files and commits) and by `intake parse` (which only prints).
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "docs/docs.h"
#include "mime/mime.h"
#include "record/application.h"
#include "route/route.h"
#include "store/store.h"

namespace intake::daemon {

struct Decision {
    mime::ParsedMessage message;  ///< owns the bytes the documents point into
    std::vector<docs::Document> documents;
    std::vector<store::FileContent> files;  ///< documents under their filed names
    record::Application application;
    std::string message_key;  ///< Message-ID, else sha256 of the raw message
    std::string content_key;  ///< sender + attachments: "the same application sent again"
};

struct MessageContext {
    const config::Config& config;
    const config::Mailbox& mailbox;
    const config::Organisation& organisation;
    std::chrono::system_clock::time_point now;
    /// Where documents are read; none: in children of this process.
    const docs::ReaderService* reader = nullptr;
    /// The organisation's router, made once for many messages; none: one is made
    /// for this message.
    const route::Router* router = nullptr;
};

/// Held by pointer: documents are views into the message it owns, so it never moves.
/// Throws PermanentError when the message cannot be handled (over a limit, unreadable).
std::unique_ptr<Decision> decide(std::string_view raw, const MessageContext& context);

/// The same with each attachment's text read by `read` instead of the contained
/// child (the micro-benchmark's decision without document text).
std::unique_ptr<Decision> decide(std::string_view raw, const MessageContext& context,
                                 const docs::TextReader& read);

/// The MIME parser's bounds from the configuration's [limits].
mime::Limits mime_limits(const config::Limits& limits);

/// The document readers' bounds from the configuration's [limits].
docs::ExtractLimits extract_limits(const config::Limits& limits);

/// Marks the acknowledgement suppressed for `reason` (duplicate, rate limit).
void suppress_reply(record::Application& application, std::string_view reason);

/// The _failed folder id of a message that could not be handled:
/// "<arrival day>_<hash>", or "<hash>" alone when its header gives no date.
/// Derived from the message only, never from the clock, so every attempt at
/// the same message (a retry after midnight, after a crash) names the same
/// folder and replaces it instead of leaving an orphan copy.
std::string failed_id(std::string_view raw);

/// The From header's name, else the one the documents give (a letter's
/// signature, the top of the CV), else the address's local part.
std::string applicant_name(const mime::Address& from, const std::vector<docs::Document>& documents,
                           const config::Rules& rules);

/// ISO 8601 UTC: 2025-03-02T10:15:00Z.
std::string utc_text(std::chrono::sys_seconds t);

}  // namespace intake::daemon
