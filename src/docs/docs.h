#pragma once
// Which parts of a message are the applicant's documents, and what each one is:
// a CV, a cover letter or something else. Decided by file name in EN/FR/PT/ES/DE
// (later also by the text inside: classify() already sees the decoded bytes).
// A cover letter written in the mail body counts as one when no attachment is a
// cover letter. Signature images of an HTML body are not documents. Pure: no I/O.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/mime.h"

namespace intake::docs {

enum class Role { cv, cover_letter, other };
std::string_view to_string(Role role);

struct Document {
    Role role = Role::other;
    std::string source;         ///< "attachment" or "body"
    std::string original_name;  ///< as the sender wrote it; empty for the body
    std::string media_type;
    std::string_view content;  ///< decoded bytes, owned by the ParsedMessage (or the body text)
    std::optional<std::string> language;  ///< ISO 639-1, when the text could be read
};

/// The role a file name suggests ("Joana Pires - Curriculum Vitae.pdf" -> cv).
Role role_from_name(std::string_view file_name);

/// The applicant's own words in a body: quoted replies, forwarded headers and
/// signatures after "-- " are cut off.
std::string own_words(std::string_view body_text);

/// ISO 639-1 code of the text's main language, nullopt when too short or unclear.
std::optional<std::string> detect_language(std::string_view text);

/// Every document of the message, in order; the body letter (if any) last.
/// The returned views point into `message`, which must outlive them.
std::vector<Document> classify(const mime::ParsedMessage& message);

}  // namespace intake::docs
