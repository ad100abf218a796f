// Which parts are the message's own text and which are its attachments.
//
// Body: the text the sender typed, never the text of an attached document or of
// a forwarded message. In a multipart/alternative the first non-empty
// text/plain wins, else the HTML reduced to text; in other multiparts the
// readable parts are joined in order (Apple Mail cuts its HTML around inline
// PDFs, so the letter is the sum of the pieces).
//
// Attachments: every leaf that is not such text and has a file name, or is
// application/image/audio/video, or is marked "attachment" -- including named
// PDFs sent inline between HTML pieces, and everything inside forwarded
// messages and bounces (a forwarded application is still an application).
// winmail.dat (application/ms-tnef) is kept whole as an attachment; unpacking
// TNEF may come later.
#include "mime/content.h"

#include <algorithm>
#include <cctype>

#include "base/errors.h"
#include "base/text.h"
#include "mime/fields.h"
#include "mime/transfer.h"

namespace intake::mime {
namespace {

enum class Kind { none, plain, html };

struct BodyText {
    std::string text;
    Kind kind = Kind::none;
};

bool is_blank(std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string normalize_newlines(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

/// RFC 3676 format=flowed: a line ending in a space continues on the next one;
/// a leading space was added by the sender's "space-stuffing" and goes.
std::string unflow(std::string_view s, bool delete_space) {
    std::string out;
    out.reserve(s.size());
    std::size_t pos = 0;
    while (pos <= s.size()) {
        const std::size_t nl = std::min(s.find('\n', pos), s.size());
        std::string_view line = s.substr(pos, nl - pos);
        if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        const bool soft = !line.empty() && line.back() == ' ' && line != "-- ";
        if (soft && delete_space) line.remove_suffix(1);
        out += line;
        if (!soft && nl < s.size()) out += '\n';
        pos = nl + 1;
    }
    return out;
}

/// <meta charset="..."> or http-equiv content="...; charset=..." near the top.
std::string sniff_html_charset(std::string_view html) {
    const std::string head = text::ascii_lower(html.substr(0, 4096));
    auto pos = head.find("charset=");
    if (pos == std::string::npos) return {};
    pos += 8;
    while (pos < head.size() && (head[pos] == '"' || head[pos] == '\'' || head[pos] == ' ')) ++pos;
    std::string charset;
    while (pos < head.size() && charset.size() < 40 &&
           (std::isalnum(static_cast<unsigned char>(head[pos])) || head[pos] == '-' ||
            head[pos] == '_' || head[pos] == '.' || head[pos] == ':')) {
        charset += head[pos++];
    }
    return charset;
}

bool is_media_type(std::string_view major) {
    return major == "application" || major == "image" || major == "audio" || major == "video" ||
           major == "model" || major == "font";
}

class Collector {
public:
    Collector(const Limits& limits, std::vector<std::string>& problems)
        : limits_(limits), problems_(problems) {}

    BodyText body_of(const Entity& e) const {
        if (e.is_multipart() && !e.children.empty()) {
            return e.type.minor() == "alternative" ? alternative(e) : joined(e);
        }
        if (e.is_embedded_message()) return {};
        if (e.is_multipart()) {
            // A multipart without boundary or parts: its body is all there is to read.
            return {normalize_newlines(text::to_utf8(decode(e), e.type.param("charset"))),
                    Kind::plain};
        }
        if (!is_body_candidate(e)) return {};
        const std::string bytes = decode(e);
        const bool html = e.type.minor() == "html";
        std::string charset = e.type.param("charset");
        if (charset.empty() && html) charset = sniff_html_charset(bytes);
        const std::string text = normalize_newlines(text::to_utf8(bytes, charset));
        if (html) return {html_to_text(text), Kind::html};
        if (text::ascii_lower(e.type.param("format")) == "flowed") {
            return {unflow(text, text::ascii_lower(e.type.param("delsp")) == "yes"), Kind::plain};
        }
        return {text, Kind::plain};
    }

    void attachments_of(const Entity& e, bool in_related, bool embedded,
                        std::vector<Attachment>& out) const {
        if (e.is_multipart()) {
            const bool related = in_related || e.type.minor() == "related";
            for (const Entity& child : e.children) attachments_of(child, related, embedded, out);
            return;
        }
        if (e.is_embedded_message()) {
            attachments_of(e.children.front(), false, true, out);
            return;
        }
        std::string name = file_name_of(e.disposition, e.type);
        const std::string major = e.type.major();
        const bool marked = e.disposition.value == "attachment";
        if (name.empty() && !marked && !is_media_type(major)) return;  // text of some message
        if (!embedded && is_body_candidate(e)) return;
        Attachment a;
        a.file_name = std::move(name);
        a.media_type = e.type.value;
        a.content = decode(e);
        if (a.content.size() > limits_.max_attachment_bytes) {
            // Counted, not named: this text goes into the log, which must carry no
            // attachment name (they are personal data; the kept message.eml has it).
            throw PermanentError(
                "attachment " + std::to_string(out.size() + 1) + " (" + a.media_type + ") is " +
                    std::to_string(a.content.size()) + " bytes decoded, over the limit of " +
                    std::to_string(limits_.max_attachment_bytes) + " (limits.max_attachment_bytes)",
                "raise limits.max_attachment_bytes if such files are expected");
        }
        a.inline_disposition = !marked;
        // Only images are "the HTML body's pictures"; a PDF someone put in a
        // multipart/related is still a document.
        a.in_related = in_related && major == "image";
        if (const RawField* cid = e.field("Content-ID")) a.content_id = text::trim(cid->value);
        out.push_back(std::move(a));
    }

private:
    /// text/plain or text/html that is not marked as an attachment nor named;
    /// a single-part message's text is its body even when named.
    static bool is_body_candidate(const Entity& e) {
        if (e.type.value != "text/plain" && e.type.value != "text/html") return false;
        if (e.disposition.value == "attachment") return false;
        return e.depth == 0 || file_name_of(e.disposition, e.type).empty();
    }

    BodyText alternative(const Entity& e) const {
        BodyText html;
        for (const Entity& child : e.children) {
            BodyText t = body_of(child);
            if (is_blank(t.text)) continue;  // some clients send an empty text/plain
            if (t.kind == Kind::plain) return t;
            if (html.kind == Kind::none) html = std::move(t);
        }
        return html;
    }

    BodyText joined(const Entity& e) const {
        BodyText out;
        for (const Entity& child : e.children) {
            BodyText t = body_of(child);
            if (is_blank(t.text)) continue;
            if (!out.text.empty()) out.text += "\n\n";
            out.text += text::trim(t.text);
            if (out.kind == Kind::none) out.kind = t.kind;
        }
        return out;
    }

    std::string decode(const Entity& e) const {
        const RawField* cte = e.field("Content-Transfer-Encoding");
        return decode_transfer(e.body, cte ? cte->value : std::string(), problems_);
    }

    const Limits& limits_;
    std::vector<std::string>& problems_;
};

}  // namespace

Content collect_content(const Entity& root, const Limits& limits,
                        std::vector<std::string>& problems) {
    const Collector collector(limits, problems);
    Content content;
    content.body_text = text::trim(collector.body_of(root).text);
    collector.attachments_of(root, false, false, content.attachments);
    return content;
}

}  // namespace intake::mime
