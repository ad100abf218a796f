#include <algorithm>
#include <sstream>

#include "base/errors.h"
#include "base/text.h"
#include "docs/docs.h"

namespace intake::docs {
namespace {

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

bool is_document(const mime::Attachment& a) {
    // Images inside an HTML body (logos, signatures) belong to the body.
    if (a.in_related && starts_with(a.media_type, "image/")) return false;
    return !a.content.empty();
}

/// Files that are written documents (not photos, archives or programs), by name or type.
bool is_written_document(const Document& d) {
    const std::string name = text::ascii_lower(d.original_name);
    for (const char* ext : {".pdf", ".doc", ".docx", ".docm", ".odt", ".rtf", ".txt"}) {
        if (name.ends_with(ext)) return true;
    }
    return d.media_type == "application/pdf" || d.media_type.find("word") != std::string::npos ||
           d.media_type.find("opendocument.text") != std::string::npos;
}

bool text_was_read(const Document& d) {
    return d.text.status == TextStatus::ok || d.text.status == TextStatus::macro;
}

bool has_role(const std::vector<Document>& documents, Role role) {
    return std::any_of(documents.begin(), documents.end(),
                       [role](const Document& d) { return d.role == role; });
}

/// Roles of documents whose names say nothing, from their text.
void roles_by_content(std::vector<Document>& documents, const config::Rules& rules) {
    for (auto& d : documents) {
        if (d.role != Role::other || !text_was_read(d) || !is_written_document(d)) continue;
        const RoleScore s = score_roles(d.text.text, rules);
        if (std::max(s.cv, s.letter) < rules.min_role_score || s.cv == s.letter) continue;
        d.role = s.cv > s.letter ? Role::cv : Role::cover_letter;
    }
    // An application without a CV whose one unnamed document cannot be read
    // (a scan, a locked PDF) most likely sent it as its CV: HR then finds it
    // under the CV's name, and the checks say why it could not be read.
    if (has_role(documents, Role::cv)) return;
    for (auto& d : documents) {
        if (d.role == Role::other && is_written_document(d) && !text_was_read(d) &&
            d.text.status != TextStatus::format) {
            d.role = Role::cv;
            return;
        }
    }
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

std::vector<Document> classify(const mime::ParsedMessage& message, const TextReader& read,
                               const config::Rules& rules) {
    std::vector<const mime::Attachment*> attachments;
    for (const auto& a : message.attachments) {
        if (is_document(a)) attachments.push_back(&a);
    }
    std::vector<Text> texts = read(attachments);
    if (texts.size() != attachments.size()) {
        throw InternalError("the text reader answered for " + std::to_string(texts.size()) +
                            " of " + std::to_string(attachments.size()) + " documents");
    }
    std::vector<Document> documents;
    for (std::size_t i = 0; i < attachments.size(); ++i) {
        const mime::Attachment& a = *attachments[i];
        Document d{role_from_name(a.file_name),
                   "attachment",
                   a.file_name,
                   a.media_type,
                   a.content,
                   std::nullopt,
                   std::move(texts[i])};
        d.language = detect_language(d.text.text);
        documents.push_back(std::move(d));
    }
    roles_by_content(documents, rules);
    if (has_role(documents, Role::cover_letter)) return documents;
    // A letter in the body is known by its form (a salutation, a closing, a
    // signature) around a few lines of its own; a covering note ("please find
    // my CV attached") has the form but not the words. A long body without the
    // form is taken as a letter too.
    const std::string own = own_words(message.body_text);
    const LetterForm form = letter_form(own, rules);
    const bool letter =
        (form.salutation && form.closing &&
         form.body_words >= static_cast<std::size_t>(rules.letter_min_words)) ||
        text::count_words(own) >= static_cast<std::size_t>(rules.letter_min_words_without_form);
    if (letter) {
        // The whole body is filed as the letter (not only own_words): HR wants
        // to read what the applicant sent, quoted history included.
        Text text{own, TextMethod::embedded, TextStatus::ok, {}};
        documents.push_back({Role::cover_letter, "body", "", "text/plain", message.body_text,
                             detect_language(own), std::move(text)});
    }
    return documents;
}

}  // namespace intake::docs
