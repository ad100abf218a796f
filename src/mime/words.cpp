// RFC 2047 encoded words in header values. Lenient where senders are sloppy
// (words glued to text, spaces inside Q words, a charset's RFC 2231 language
// suffix) and strict where it matters: only "=?cs?B|Q?text?=" with a known
// encoding letter is decoded, anything malformed stays as written. Adjacent
// words of one charset are joined before conversion, because encoders split a
// multi-byte character across two words.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "mime/mime.h"
#include "mime/transfer.h"

namespace intake::mime {
namespace {

constexpr std::size_t kMaxWordText = 4096;

struct Segment {
    bool word = false;
    std::string charset;  ///< words only
    std::string bytes;    ///< decoded bytes of a word, raw bytes of text
};

/// RFC 2047 "Q": like quoted-printable, and '_' stands for a space.
std::string decode_q(std::string_view s) { return decode_hex_escapes(s, '=', true); }

/// Parses "=?charset?E?text?=" at s[pos]; sets `end` past it.
/// `next_close` caches where the next "?=" is, so that a header full of "=?"
/// that are never closed is still read in linear time.
std::optional<Segment> parse_word(std::string_view s, std::size_t pos, std::size_t& end,
                                  std::size_t& next_close) {
    const std::size_t cs_begin = pos + 2;
    const std::size_t q1 = s.find('?', cs_begin);
    if (q1 == std::string_view::npos || q1 == cs_begin || q1 - cs_begin > 75) return std::nullopt;
    if (q1 + 2 >= s.size() || s[q1 + 2] != '?') return std::nullopt;
    const char enc = s[q1 + 1];
    const bool b = enc == 'b' || enc == 'B';
    if (!b && enc != 'q' && enc != 'Q') return std::nullopt;
    const std::size_t text_begin = q1 + 3;
    if (next_close < text_begin) next_close = s.find("?=", text_begin);
    const std::size_t close = next_close;
    // RFC 2047 caps a word at 75 characters; senders exceed that, but not by this much.
    if (close == std::string_view::npos || close - text_begin > kMaxWordText) return std::nullopt;
    std::string_view charset = s.substr(cs_begin, q1 - cs_begin);
    const std::string_view body = s.substr(text_begin, close - text_begin);
    for (const char c : charset) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return std::nullopt;
    }
    for (const char c : body) {
        // Spaces inside a Q word are invalid but common; inside B they mean we
        // matched across unrelated text.
        if (c == '\r' || c == '\n' || (b && (c == ' ' || c == '\t'))) return std::nullopt;
    }
    if (const auto star = charset.find('*'); star != std::string_view::npos) {
        charset = charset.substr(0, star);  // RFC 2231 language tag: "UTF-8*fr"
    }
    end = close + 2;
    return Segment{true, std::string(charset), b ? decode_base64(body) : decode_q(body)};
}

std::vector<Segment> split_segments(std::string_view s) {
    std::vector<Segment> out;
    std::size_t text_begin = 0;
    std::size_t i = 0;
    std::size_t next_close = 0;  // nothing searched yet: 0 is before any text
    while ((i = s.find("=?", i)) != std::string_view::npos) {
        std::size_t end = 0;
        auto word = parse_word(s, i, end, next_close);
        if (!word) {
            ++i;
            continue;
        }
        if (i > text_begin)
            out.push_back({false, {}, std::string(s.substr(text_begin, i - text_begin))});
        out.push_back(std::move(*word));
        i = text_begin = end;
    }
    if (text_begin < s.size()) out.push_back({false, {}, std::string(s.substr(text_begin))});
    return out;
}

bool is_blank(std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::string decode_words(std::string_view value) {
    const std::vector<Segment> segments = split_segments(value);
    std::string out;
    std::string pending;  // bytes of adjacent words sharing one charset
    std::string pending_charset;
    const auto flush = [&] {
        if (!pending.empty()) out += text::to_utf8(pending, pending_charset);
        pending.clear();
    };
    for (std::size_t k = 0; k < segments.size(); ++k) {
        const Segment& seg = segments[k];
        if (!seg.word) {
            const bool between_words =
                k > 0 && k + 1 < segments.size() && segments[k - 1].word && segments[k + 1].word;
            if (between_words && is_blank(seg.bytes)) continue;  // RFC 2047 §6.2
            flush();
            // Raw 8-bit text: UTF-8 as is, anything else read as Windows-1252.
            out += text::to_utf8(seg.bytes, "");
            continue;
        }
        if (!pending.empty() &&
            text::ascii_lower(seg.charset) != text::ascii_lower(pending_charset)) {
            flush();
        }
        pending_charset = seg.charset;
        pending += seg.bytes;
        if (pending.empty()) pending_charset.clear();
    }
    flush();
    return out;
}

}  // namespace intake::mime
