#pragma once
// The acknowledgement: whether a message may be answered at all (RFC 3834 and
// the usual signs of robots, lists and bounces), in which language, its text
// from the organisation's templates, and the finished RFC 5322 mail (UTF-8,
// quoted-printable, threaded, Auto-Submitted). Never sends: the outbox does.
// Pure: no I/O. Rate limits and duplicates need the state database, so the
// pipeline decides those.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "mime/mime.h"
#include "record/application.h"

namespace intake::reply {

/// Why no acknowledgement goes out, in the words of spec §6.
namespace reason {
inline constexpr std::string_view kAutoReply = "auto-reply";
inline constexpr std::string_view kBounce = "bounce";
inline constexpr std::string_view kMailingList = "mailing list";
inline constexpr std::string_view kNoReply = "no-reply sender";
inline constexpr std::string_view kOwnAddress = "own address";
inline constexpr std::string_view kInvalidAddress = "invalid address";
inline constexpr std::string_view kRateLimit = "rate limit";
inline constexpr std::string_view kDuplicate = "duplicate";
}  // namespace reason

/// The address to answer (Reply-To, else From), lower-cased domain; empty if unusable.
std::string reply_address(const mime::ParsedMessage& message);

/// A reason never to answer this message, or nullopt when it may be answered.
std::optional<std::string> suppression_reason(const mime::ParsedMessage& message,
                                              const config::Organisation& organisation);

/// The applicant's language when the organisation offers it, else English.
std::string choose_language(const std::optional<std::string>& detected,
                            const config::Organisation& organisation);

/// Which template: unsorted, late or received.
config::ReplyCase reply_case(const record::Application& application);

struct Text {
    std::string subject;
    std::string body;
};

/// Fills the template of that case and language with the application's values.
Text render(const record::Application& application, const config::Organisation& organisation,
            const config::Posting& posting);

/// The notice to a sender whose message was over the size limit: it was set aside
/// unread, so only its header speaks (name, arrival day), and it says how to resend.
Text render_too_large(const config::Organisation& organisation, const std::string& language,
                      std::string_view applicant_name, std::string_view received_date,
                      std::uint64_t limit_bytes);

/// A size as applicants read it: "50 MB", "1.5 MB", "900 KB" (binary units).
std::string human_size(std::uint64_t bytes);

struct ThreadInfo {
    std::string message_id;  ///< of the applicant's mail; may be empty
    std::string references;  ///< its References header; may be empty
};

/// The finished mail, CRLF line ends, ready for SMTP.
std::string compose(const Text& text, const config::Organisation& organisation,
                    const std::string& to, const ThreadInfo& thread, std::string_view reply_id,
                    std::chrono::system_clock::time_point now);

/// A Message-ID for the acknowledgement of that application, stable across retries.
std::string reply_message_id(std::string_view application_id,
                             const config::Organisation& organisation);

/// The application ids of our acknowledgements named in `text` (a header such as
/// In-Reply-To, or a bounce that quotes our mail): each "<ack.ID@our domain>".
std::vector<std::string> acknowledgement_ids(std::string_view text,
                                             const config::Organisation& organisation);

}  // namespace intake::reply
