// parse_message: the limits at the door, the entity tree (tree.cpp), the
// top-level header fields people and later stages read, then body text and
// attachments (content.cpp). Header values are decoded here once so that
// every stage sees the same UTF-8.
#include "mime/mime.h"

#include <unordered_set>

#include "base/errors.h"
#include "base/text.h"
#include "mime/address.h"
#include "mime/content.h"
#include "mime/tree.h"

namespace intake::mime {
namespace {

/// Decoded text must not smuggle line breaks or NULs into logs, file names of
/// HR folders or reply headers built from it.
std::string clean_header_text(std::string s) {
    for (char& c : s) {
        if (c == '\r' || c == '\n' || c == '\0') c = ' ';
    }
    return text::trim(s);
}

std::optional<Address> first_address(const RawField* field) {
    if (!field) return std::nullopt;
    std::vector<Address> list = parse_address_list(field->value);
    for (Address& a : list) {
        a.name = clean_header_text(std::move(a.name));
        a.address = clean_header_text(text::valid_utf8(a.address));
        if (!a.address.empty()) return std::move(a);
    }
    return list.empty() ? std::nullopt : std::optional<Address>(std::move(list.front()));
}

/// The time the topmost Received line was written: after its last ';'.
std::optional<std::chrono::sys_seconds> received_date_of(const Entity& root) {
    const RawField* received = root.field("Received");
    if (!received) return std::nullopt;
    const auto semicolon = received->value.rfind(';');
    if (semicolon == std::string::npos) return std::nullopt;
    return parse_date(std::string_view(received->value).substr(semicolon + 1));
}

void fill_headers(const Entity& root, ParsedMessage& m) {
    m.headers.reserve(root.fields.size());
    for (const RawField& f : root.fields) {
        m.headers.push_back({text::valid_utf8(f.name), clean_header_text(decode_words(f.value))});
    }
    m.subject = m.header("Subject").value_or("");
    if (auto from = first_address(root.field("From"))) m.from = std::move(*from);
    m.reply_to = first_address(root.field("Reply-To"));
    if (const RawField* id = root.field("Message-ID")) {
        m.message_id = clean_header_text(text::valid_utf8(id->value));
    }
    if (const RawField* date = root.field("Date")) m.date = parse_date(date->value);
    m.received_date = received_date_of(root);
    m.content_type = root.type.value;
}

/// Each problem once, in the order first seen, and not thousands of them.
void tidy_problems(std::vector<std::string>& problems) {
    constexpr std::size_t kMaxProblems = 100;
    std::unordered_set<std::string> seen;
    std::vector<std::string> unique;
    for (std::string& p : problems) {
        if (unique.size() == kMaxProblems) break;
        if (seen.insert(p).second) unique.push_back(std::move(p));
    }
    problems = std::move(unique);
}

}  // namespace

std::optional<std::string> ParsedMessage::header(std::string_view name) const {
    const std::string wanted = text::ascii_lower(name);
    for (const Header& h : headers) {
        if (text::ascii_lower(h.name) == wanted) return h.value;
    }
    return std::nullopt;
}

std::optional<std::chrono::sys_seconds> arrival_date(std::string_view raw) {
    Entity top;
    top.fields = header_fields(raw);
    if (auto received = received_date_of(top)) return received;
    if (const RawField* date = top.field("Date")) return parse_date(date->value);
    return std::nullopt;
}

ParsedMessage parse_message(std::string_view raw, const Limits& limits) {
    if (raw.size() > limits.max_message_bytes) {
        throw PermanentError(
            "message is " + std::to_string(raw.size()) + " bytes, over the limit of " +
                std::to_string(limits.max_message_bytes) + " (limits.max_message_bytes)",
            "raise limits.max_message_bytes if such mail is expected");
    }
    ParsedMessage m;
    if (text::trim(raw).empty()) {
        m.content_type = "text/plain";
        m.problems.push_back("empty message");
        return m;
    }
    // The builder owns decoded message/rfc822 bodies the tree points into.
    TreeBuilder builder(limits, m.problems);
    const Entity root = builder.build(raw);
    if (root.fields.empty()) m.problems.push_back("no header fields");
    fill_headers(root, m);
    Content content = collect_content(root, limits, m.problems);
    m.body_text = std::move(content.body_text);
    m.attachments = std::move(content.attachments);
    tidy_problems(m.problems);
    return m;
}

}  // namespace intake::mime
