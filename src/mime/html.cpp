// HTML mail bodies reduced to text for routing and for reading a cover letter
// written in the mail. A small hand-written scanner, not a browser: no
// library on Debian fits (libxml2's HTML parser drags in a DOM and is strict
// about encodings). It drops what a reader never sees (<head>, <script>,
// <style>, comments), turns block elements into line breaks, decodes entities
// and collapses white space; it never fails, whatever the markup.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/text.h"
#include "mime/mime.h"

namespace intake::mime {
namespace {

struct NamedEntity {
    std::string_view name;
    char32_t code;
};

// The entities mail clients actually emit: markup, typography, Western European letters.
constexpr NamedEntity kEntities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", ' '},     {"ensp", ' '},     {"emsp", ' '},     {"thinsp", ' '},   {"shy", 0xAD},
    {"zwnj", 0x200C},  {"zwj", 0x200D},   {"ndash", 0x2013}, {"mdash", 0x2014}, {"hellip", 0x2026},
    {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"ldquo", 0x201C}, {"rdquo", 0x201D},
    {"bdquo", 0x201E}, {"laquo", 0xAB},   {"raquo", 0xBB},   {"bull", 0x2022},  {"middot", 0xB7},
    {"euro", 0x20AC},  {"pound", 0xA3},   {"cent", 0xA2},    {"yen", 0xA5},     {"copy", 0xA9},
    {"reg", 0xAE},     {"trade", 0x2122}, {"deg", 0xB0},     {"sect", 0xA7},    {"para", 0xB6},
    {"times", 0xD7},   {"divide", 0xF7},  {"plusmn", 0xB1},  {"iexcl", 0xA1},   {"iquest", 0xBF},
    {"ordf", 0xAA},    {"ordm", 0xBA},    {"szlig", 0xDF},   {"agrave", 0xE0},  {"aacute", 0xE1},
    {"acirc", 0xE2},   {"atilde", 0xE3},  {"auml", 0xE4},    {"aring", 0xE5},   {"aelig", 0xE6},
    {"ccedil", 0xE7},  {"egrave", 0xE8},  {"eacute", 0xE9},  {"ecirc", 0xEA},   {"euml", 0xEB},
    {"igrave", 0xEC},  {"iacute", 0xED},  {"icirc", 0xEE},   {"iuml", 0xEF},    {"eth", 0xF0},
    {"ntilde", 0xF1},  {"ograve", 0xF2},  {"oacute", 0xF3},  {"ocirc", 0xF4},   {"otilde", 0xF5},
    {"ouml", 0xF6},    {"oslash", 0xF8},  {"ugrave", 0xF9},  {"uacute", 0xFA},  {"ucirc", 0xFB},
    {"uuml", 0xFC},    {"yacute", 0xFD},  {"thorn", 0xFE},   {"yuml", 0xFF},    {"Agrave", 0xC0},
    {"Aacute", 0xC1},  {"Acirc", 0xC2},   {"Atilde", 0xC3},  {"Auml", 0xC4},    {"Aring", 0xC5},
    {"AElig", 0xC6},   {"Ccedil", 0xC7},  {"Egrave", 0xC8},  {"Eacute", 0xC9},  {"Ecirc", 0xCA},
    {"Euml", 0xCB},    {"Igrave", 0xCC},  {"Iacute", 0xCD},  {"Icirc", 0xCE},   {"Iuml", 0xCF},
    {"ETH", 0xD0},     {"Ntilde", 0xD1},  {"Ograve", 0xD2},  {"Oacute", 0xD3},  {"Ocirc", 0xD4},
    {"Otilde", 0xD5},  {"Ouml", 0xD6},    {"Oslash", 0xD8},  {"Ugrave", 0xD9},  {"Uacute", 0xDA},
    {"Ucirc", 0xDB},   {"Uuml", 0xDC},    {"Yacute", 0xDD},  {"THORN", 0xDE},   {"oelig", 0x153},
    {"OElig", 0x152},  {"scaron", 0x161}, {"Scaron", 0x160}, {"Yuml", 0x178},   {"rarr", 0x2192},
    {"larr", 0x2190},
};

// HTML5 reads &#128;..&#159; as the Windows-1252 characters authors meant.
constexpr char32_t kWindows1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

void append_utf8(std::string& out, char32_t c) {
    if (c == 0 || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) c = 0xFFFD;
    if (c >= 0x80 && c < 0xA0) c = kWindows1252[c - 0x80];
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Decodes the entity at s[i] == '&' into out and advances i; false if it is not one.
bool decode_entity(std::string_view s, std::size_t& i, std::string& out) {
    std::size_t j = i + 1;
    if (j < s.size() && s[j] == '#') {
        const bool hex = j + 1 < s.size() && (s[j + 1] == 'x' || s[j + 1] == 'X');
        j += hex ? 2 : 1;
        char32_t code = 0;
        const std::size_t digits_begin = j;
        for (; j < s.size() && j - digits_begin < 8; ++j) {
            const char c = s[j];
            int d = -1;
            if (c >= '0' && c <= '9') d = c - '0';
            if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
            if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
            if (d < 0) break;
            code = code * (hex ? 16 : 10) + static_cast<char32_t>(d);
        }
        if (j == digits_begin) return false;
        if (j < s.size() && s[j] == ';') ++j;
        append_utf8(out, code);
        i = j;
        return true;
    }
    while (j < s.size() && j - i <= 10 && is_alnum(s[j])) ++j;
    const std::string_view name = s.substr(i + 1, j - i - 1);
    for (const NamedEntity& e : kEntities) {
        if (e.name == name) {
            append_utf8(out, e.code);
            i = (j < s.size() && s[j] == ';') ? j + 1 : j;
            return true;
        }
    }
    return false;
}

/// Case-insensitive search for `needle` (lower case) from `from`.
std::size_t find_ci(std::string_view s, std::string_view needle, std::size_t from) {
    for (std::size_t i = from; i + needle.size() <= s.size(); ++i) {
        std::size_t k = 0;
        while (k < needle.size() && (s[i + k] | 0x20) == needle[k]) ++k;
        if (k == needle.size()) return i;
    }
    return std::string_view::npos;
}

enum class Break { none, line, block, paragraph };

Break break_for(std::string_view tag) {
    static constexpr std::string_view kParagraph[] = {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "pre"};
    static constexpr std::string_view kBlock[] = {
        "div",    "li",      "tr",       "dd",      "dt",     "dl",
        "hr",     "section", "article",  "header",  "footer", "address",
        "center", "form",    "fieldset", "caption", "tbody",  "thead"};
    for (const auto t : kParagraph) {
        if (tag == t) return Break::paragraph;
    }
    for (const auto t : kBlock) {
        if (tag == t) return Break::block;
    }
    return tag == "br" ? Break::line : Break::none;
}

/// Collects text with white space collapsed and breaks merged.
class TextSink {
public:
    void text(std::string_view piece) {
        for (const char c : piece) {
            if (is_space(c)) {
                pending_space_ = !out_.empty();
                continue;
            }
            flush_break();
            if (pending_space_ && !out_.empty() && out_.back() != '\n') out_ += ' ';
            pending_space_ = false;
            out_ += c;
        }
    }
    /// Block boundaries ensure a line break (or a blank line for paragraphs);
    /// each <br> adds one, so "<div><br></div>" between two lines leaves a blank line.
    void newline(Break b) {
        if (b == Break::none) return;  // inline markup: <b>, <span>, <a> ...
        if (b == Break::paragraph) pending_breaks_ = 2;
        if (b == Break::block && pending_breaks_ < 1) pending_breaks_ = 1;
        if (b == Break::line) pending_breaks_ = std::min(pending_breaks_ + 1, 2);
        pending_space_ = false;
    }
    void cell() { pending_space_ = !out_.empty(); }
    std::string finish() { return text::trim(out_); }

private:
    void flush_break() {
        if (pending_breaks_ > 0 && !out_.empty()) {
            while (!out_.empty() && out_.back() == ' ') out_.pop_back();
            out_.append(static_cast<std::size_t>(pending_breaks_), '\n');
        }
        pending_breaks_ = 0;
    }
    std::string out_;
    int pending_breaks_ = 0;
    bool pending_space_ = false;
};

}  // namespace

std::string html_to_text(std::string_view html) {
    TextSink sink;
    std::string run;  // text up to the next tag, entities decoded
    for (std::size_t i = 0; i < html.size();) {
        const char c = html[i];
        if (c == '&') {
            if (!decode_entity(html, i, run)) run += html[i++];
            continue;
        }
        if (c != '<') {
            run += c;
            ++i;
            continue;
        }
        sink.text(run);
        run.clear();
        if (html.substr(i, 4) == "<!--") {
            const auto end = html.find("-->", i + 4);
            i = end == std::string_view::npos ? html.size() : end + 3;
            continue;
        }
        std::size_t j = i + 1;
        const bool closing = j < html.size() && html[j] == '/';
        if (closing) ++j;
        const std::size_t name_begin = j;
        while (j < html.size() && is_alnum(html[j])) ++j;
        const std::string tag = text::ascii_lower(html.substr(name_begin, j - name_begin));
        if (tag.empty() && !(j < html.size() && (html[j] == '!' || html[j] == '?'))) {
            run += '<';  // a lone '<' in text
            ++i;
            continue;
        }
        // Skip the rest of the tag, honouring quoted attribute values.
        char quote = 0;
        for (; j < html.size(); ++j) {
            if (quote) {
                if (html[j] == quote) quote = 0;
            } else if (html[j] == '"' || html[j] == '\'') {
                quote = html[j];
            } else if (html[j] == '>') {
                break;
            }
        }
        i = j < html.size() ? j + 1 : html.size();
        if (!closing && (tag == "script" || tag == "style" || tag == "head" || tag == "title")) {
            // Invisible content: skip to its end tag (a <head> also ends where <body> starts).
            std::size_t end = find_ci(html, "</" + tag, i);
            if (tag == "head") {
                // Looking for <body> only up to </head> keeps many <head>s linear.
                end =
                    std::min(end, find_ci(html.substr(0, std::min(end, html.size())), "<body", i));
            }
            i = end == std::string_view::npos ? html.size() : end;
            continue;
        }
        if (tag == "td" || tag == "th") {
            sink.cell();
        } else {
            sink.newline(break_for(tag));
        }
    }
    sink.text(run);
    return sink.finish();
}

}  // namespace intake::mime
