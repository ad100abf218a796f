// Splitting a message into entities (RFC 5322 header sections, RFC 2046
// multiparts, RFC 2046 §5.2.1 message/rfc822). tree.h says why this is not
// mimetic's tree. Everything is a view into the message except the bodies of
// message/rfc822 parts sent base64- or QP-encoded, which are decoded into the
// builder first.
#include "mime/tree.h"

#include <algorithm>

#include "base/errors.h"
#include "base/text.h"
#include "mime/transfer.h"

namespace intake::mime {
namespace {

// A header section with more fields than this is hostile: real ones have well
// under a hundred, and each stored field costs memory the message did not.
constexpr std::size_t kMaxFieldsPerEntity = 1000;
// Whatever limits.max_depth says, recursion stops here to keep the stack small.
constexpr std::size_t kDepthCeiling = 64;

struct Line {
    std::string_view text;  ///< without its line break
    std::size_t next;       ///< offset of the following line
};

/// The line at `pos`; CRLF and bare LF both end a line (files on disk use LF).
Line line_at(std::string_view s, std::size_t pos) {
    const std::size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) return {s.substr(pos), s.size()};
    std::size_t end = nl;
    if (end > pos && s[end - 1] == '\r') --end;
    return {s.substr(pos, end - pos), nl + 1};
}

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

/// RFC 2045 §5.1: type "/" subtype, each a token: US-ASCII without controls, space or
/// tspecials. Anything else is "syntactically invalid" and gets §5.2's default, so no
/// stray byte of a hostile header reaches a media type that is filed and recorded in
/// JSON (which accepts UTF-8 only).
bool well_formed_type(std::string_view value) {
    const std::size_t slash = value.find('/');
    if (slash == 0 || slash == std::string_view::npos || slash + 1 == value.size()) return false;
    constexpr std::string_view tspecials = "()<>@,;:\\\"/[]?=";
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (i == slash) continue;
        if (c <= 32 || c >= 127 || tspecials.find(static_cast<char>(c)) != tspecials.npos) {
            return false;
        }
    }
    return true;
}

std::string_view trim_wsp(std::string_view s) {
    while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
    return s;
}

bool is_field_name(std::string_view name) {
    if (name.empty()) return false;
    for (const char c : name) {
        if (c <= 32 || c >= 127 || c == ':') return false;
    }
    return true;
}

struct HeaderSection {
    std::vector<RawField> fields;
    std::size_t body_begin = 0;
    bool too_many_fields = false;
    bool unterminated = false;  ///< fields, then body text without the empty line
};

/// Reads header fields up to the empty line. A line that is neither a field nor a
/// continuation ends the section early: senders that forget the empty line
/// start the body there (mimetic and Python's email package read it so too).
HeaderSection split_header(std::string_view bytes, bool top_level) {
    HeaderSection section;
    std::size_t pos = 0;
    // An mbox "From " separator line is not a header field.
    if (top_level && bytes.substr(0, 5) == "From ") pos = line_at(bytes, 0).next;
    bool skipping = false;  // the current field is one too many: dropped with its continuations
    while (pos < bytes.size()) {
        const Line line = line_at(bytes, pos);
        if (line.text.empty()) {
            section.body_begin = line.next;
            return section;
        }
        if (is_wsp(line.text.front())) {
            if (section.fields.empty()) break;  // indented text: a body without a header
            // Unfolding: the line break goes, one space stands for the indentation.
            if (!skipping) section.fields.back().value.append(" ").append(trim_wsp(line.text));
            pos = line.next;
            continue;
        }
        const std::size_t colon = line.text.find(':');
        const std::string_view name = colon == std::string_view::npos
                                          ? std::string_view()
                                          : trim_wsp(line.text.substr(0, colon));
        if (!is_field_name(name)) break;
        skipping = section.fields.size() >= kMaxFieldsPerEntity;
        section.too_many_fields = section.too_many_fields || skipping;
        if (!skipping) {
            section.fields.push_back(
                {std::string(name), std::string(trim_wsp(line.text.substr(colon + 1)))});
        }
        pos = line.next;
    }
    section.unterminated = pos < bytes.size() && !section.fields.empty();
    section.body_begin = pos;
    return section;
}

/// "--boundary" or "--boundary--", then only white space (RFC 2046 §5.1.1).
bool is_delimiter(std::string_view line, std::string_view delimiter, bool& closing) {
    if (line.size() < delimiter.size() || line.compare(0, delimiter.size(), delimiter) != 0) {
        return false;
    }
    std::string_view rest = line.substr(delimiter.size());
    closing = rest.substr(0, 2) == "--";
    if (closing) rest.remove_prefix(2);
    return trim_wsp(rest).empty();
}

/// The line break before a delimiter belongs to the delimiter, not to the part.
std::string_view part_between(std::string_view body, std::size_t begin, std::size_t delimiter) {
    std::size_t end = delimiter;
    if (end > begin && body[end - 1] == '\n') --end;
    if (end > begin && body[end - 1] == '\r') --end;
    return body.substr(begin, end - begin);
}

}  // namespace

std::vector<RawField> header_fields(std::string_view raw) { return split_header(raw, true).fields; }

const RawField* Entity::field(std::string_view name) const {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    for (const RawField& f : fields) {
        if (f.name.size() != name.size()) continue;
        std::size_t i = 0;
        while (i < name.size() && lower(f.name[i]) == lower(name[i])) ++i;
        if (i == name.size()) return &f;
    }
    return nullptr;
}

bool Entity::is_embedded_message() const { return !is_multipart() && !children.empty(); }

TreeBuilder::TreeBuilder(const Limits& limits, std::vector<std::string>& problems)
    : limits_(limits), problems_(problems) {}

Entity TreeBuilder::build(std::string_view raw) { return parse_entity(raw, 0, false); }

void TreeBuilder::note(std::string problem) {
    // A few distinct notes are useful in a log line; thousands are not.
    if (problems_.size() >= 100) return;
    for (const std::string& p : problems_) {
        if (p == problem) return;
    }
    problems_.push_back(std::move(problem));
}

void TreeBuilder::check_new_part(std::size_t depth) {
    if (++parts_ > limits_.max_parts) {
        throw PermanentError("message has more than " + std::to_string(limits_.max_parts) +
                                 " MIME parts (limits.max_parts)",
                             "raise limits.max_parts if such mail is expected");
    }
    if (depth > limits_.max_depth || depth > kDepthCeiling) {
        throw PermanentError("MIME parts are nested deeper than " +
                                 std::to_string(std::min(limits_.max_depth, kDepthCeiling)) +
                                 " levels (limits.max_depth)",
                             "raise limits.max_depth if such mail is expected");
    }
}

Entity TreeBuilder::parse_entity(std::string_view bytes, std::size_t depth, bool in_digest) {
    Entity entity;
    entity.depth = depth;
    HeaderSection section = split_header(bytes, depth == 0);
    if (section.too_many_fields) note("more than 1000 header fields in one part; the rest ignored");
    if (section.unterminated) note("header not ended by an empty line");
    entity.fields = std::move(section.fields);
    entity.body = bytes.substr(std::min(section.body_begin, bytes.size()));

    const RawField* type = entity.field("Content-Type");
    if (type) entity.type = parse_media_field(type->value);
    if (!well_formed_type(entity.type.value)) {
        if (type) note("unreadable Content-Type \"" + text::valid_utf8(type->value) + "\"");
        // RFC 2045 §5.2 default; in a multipart/digest it is message/rfc822 (RFC 2046 §5.1.5).
        entity.type = in_digest ? MediaField{"message/rfc822", {}}
                                : MediaField{"text/plain", {{"charset", "us-ascii"}}};
    }
    if (const RawField* disp = entity.field("Content-Disposition")) {
        entity.disposition = parse_media_field(disp->value);
    }

    if (entity.is_multipart()) {
        parse_multipart(entity);
    } else if (entity.type.value == "message/rfc822" || entity.type.value == "message/global") {
        parse_embedded(entity);
    }
    return entity;
}

void TreeBuilder::parse_multipart(Entity& entity) {
    const std::string boundary = entity.type.param("boundary");
    if (boundary.empty()) {
        note("multipart without a boundary parameter");
        return;
    }
    const std::string delimiter = "--" + boundary;
    const bool digest = entity.type.minor() == "digest";
    const std::string_view body = entity.body;
    std::size_t part_begin = std::string_view::npos;  // npos while in the preamble
    // Jump from one occurrence of the delimiter to the next rather than reading
    // every line: base64 bodies are long and never contain "--".
    for (std::size_t pos = 0; (pos = body.find(delimiter, pos)) != std::string_view::npos;) {
        const Line line = line_at(body, pos);
        bool closing = false;
        if ((pos != 0 && body[pos - 1] != '\n') || !is_delimiter(line.text, delimiter, closing)) {
            pos += delimiter.size();
            continue;
        }
        if (part_begin != std::string_view::npos) {
            check_new_part(entity.depth + 1);
            entity.children.push_back(
                parse_entity(part_between(body, part_begin, pos), entity.depth + 1, digest));
        }
        if (closing) return;  // the epilogue is ignored
        part_begin = line.next;
        pos = line.next;
    }
    if (part_begin == std::string_view::npos) {
        note("multipart without any boundary line");
        return;
    }
    // Truncated or broken mail: the last part runs to the end of its container.
    note("missing closing boundary");
    check_new_part(entity.depth + 1);
    entity.children.push_back(
        parse_entity(body.substr(std::min(part_begin, body.size())), entity.depth + 1, digest));
}

void TreeBuilder::parse_embedded(Entity& entity) {
    std::string_view message = entity.body;
    // RFC 2046 allows only 7bit/8bit/binary here, but some clients base64 it.
    if (const RawField* cte = entity.field("Content-Transfer-Encoding")) {
        const std::string encoding = text::ascii_lower(text::trim(cte->value));
        if (encoding == "base64" || encoding == "quoted-printable") {
            decoded_.push_back(decode_transfer(message, encoding, problems_));
            message = decoded_.back();
        }
    }
    if (message.find_first_not_of(" \t\r\n") == std::string_view::npos) return;  // empty: a leaf
    check_new_part(entity.depth + 1);
    entity.children.push_back(parse_entity(message, entity.depth + 1, false));
}

}  // namespace intake::mime
