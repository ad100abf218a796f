#include <algorithm>
#include <sstream>

#include "base/text.h"
#include "docs/docs.h"

namespace intake::docs {
namespace {

// A body shorter than this is a covering note ("please find my CV attached"),
// not a letter of motivation.
constexpr std::size_t kBodyLetterMinWords = 90;

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

/// Lines that open a quoted or forwarded message in the common clients.
bool opens_quoted_part(const std::string& line) {
    const std::string t = text::trim(line);
    if (t == "-- " || t == "--" || starts_with(t, "-----Original Message") ||
        starts_with(t, "-----Message d'origine") || starts_with(t, "---------- Forwarded") ||
        starts_with(t, "Begin forwarded message") || starts_with(t, "________________")) {
        return true;
    }
    if (line == "-- ") return true;
    const std::string folded = text::fold(t);
    const bool wrote =
        folded.size() > 8 && (folded.ends_with("wrote:") || folded.ends_with("a ecrit :") ||
                              folded.ends_with("a ecrit:") || folded.ends_with("escreveu:") ||
                              folded.ends_with("escribio:"));
    return wrote && (starts_with(folded, "on ") || starts_with(folded, "le ") ||
                     starts_with(folded, "em ") || starts_with(folded, "el "));
}

std::size_t word_count(std::string_view s) {
    std::istringstream in{std::string(s)};
    std::size_t n = 0;
    for (std::string w; in >> w;) ++n;
    return n;
}

bool is_document(const mime::Attachment& a) {
    // Images inside an HTML body (logos, signatures) belong to the body.
    if (a.in_related && starts_with(a.media_type, "image/")) return false;
    return !a.content.empty();
}

}  // namespace

std::string own_words(std::string_view body_text) {
    std::istringstream in{std::string(body_text)};
    std::string out;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (opens_quoted_part(line)) break;
        if (starts_with(text::trim(line), ">")) continue;
        out += line;
        out += '\n';
    }
    return text::trim(out);
}

std::vector<Document> classify(const mime::ParsedMessage& message, const TextReader& read) {
    std::vector<Document> documents;
    for (const auto& a : message.attachments) {
        if (!is_document(a)) continue;
        Document d{role_from_name(a.file_name),
                   "attachment",
                   a.file_name,
                   a.media_type,
                   a.content,
                   std::nullopt,
                   read(a)};
        d.language = detect_language(d.text.text);
        documents.push_back(std::move(d));
    }
    const bool has_letter = std::any_of(documents.begin(), documents.end(), [](const Document& d) {
        return d.role == Role::cover_letter;
    });
    if (!has_letter && word_count(message.body_text) >= kBodyLetterMinWords) {
        // The whole body is kept as the letter (not only own_words): HR wants
        // to read what the applicant sent, quoted history included.
        const std::string own = own_words(message.body_text);
        if (word_count(own) >= kBodyLetterMinWords) {
            Text text{own, TextMethod::embedded, TextStatus::ok, {}};
            documents.push_back({Role::cover_letter, "body", "", "text/plain", message.body_text,
                                 detect_language(own), std::move(text)});
        }
    }
    return documents;
}

}  // namespace intake::docs
