// Unicode helpers behind text.h. ICU does the charset tables and normalisation;
// UTF-8 validation is done by hand because it runs on every header and body and
// the common case (already valid) should cost one pass and one copy.
//
// Thread safety: ICU's Normalizer2 instances are immutable singletons owned by
// ICU, and every converter is opened per call, so nothing here is shared mutable
// state.
#include "base/text.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/unistr.h>

#include <cstdint>
#include <cstring>
#include <memory>

namespace intake::text {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

/// What a UTF-8 lead byte announces: the sequence length and the allowed range of
/// the second byte (Unicode table 3-7, which excludes overlong forms, surrogates
/// and code points above U+10FFFF). Length 0 means "not a lead byte".
struct Lead {
    std::size_t length = 0;
    unsigned char lo = 0x80, hi = 0xBF;
};

Lead lead_of(unsigned char b0) {
    if (b0 < 0x80) return {1};
    if (b0 >= 0xC2 && b0 <= 0xDF) return {2};
    if (b0 == 0xE0) return {3, 0xA0, 0xBF};
    if (b0 == 0xED) return {3, 0x80, 0x9F};
    if (b0 >= 0xE1 && b0 <= 0xEF) return {3};
    if (b0 == 0xF0) return {4, 0x90, 0xBF};
    if (b0 == 0xF4) return {4, 0x80, 0x8F};
    if (b0 >= 0xF1 && b0 <= 0xF3) return {4};
    return {0};
}

/// Length of the longest prefix of s[i..] that is a valid sequence or a valid
/// beginning of one; `complete` tells which.
std::size_t sequence_length(std::string_view s, std::size_t i, bool& complete) {
    const Lead lead = lead_of(static_cast<unsigned char>(s[i]));
    complete = lead.length == 1;
    if (lead.length <= 1) return 1;
    std::size_t k = 1;
    for (; k < lead.length && i + k < s.size(); ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        const bool ok = k == 1 ? (b >= lead.lo && b <= lead.hi) : (b >= 0x80 && b <= 0xBF);
        if (!ok) break;
    }
    complete = k == lead.length;
    return k;
}

bool is_valid_utf8(std::string_view s) {
    bool complete = true;
    for (std::size_t i = 0; i < s.size() && complete;) i += sequence_length(s, i, complete);
    return complete;
}

struct ConverterCloser {
    void operator()(UConverter* c) const { ucnv_close(c); }
};
using Converter = std::unique_ptr<UConverter, ConverterCloser>;

/// Opens ICU's converter for a MIME charset name. Labels that mail clients use
/// for Windows-1252 text (ISO-8859-1, us-ascii with 8-bit bytes) are read as
/// Windows-1252, as browsers do: the C1 range of ISO-8859-1 is never meant.
Converter open_converter(std::string_view charset) {
    std::string name = trim(charset);
    if (name.empty() || name.size() > 64) return nullptr;
    UErrorCode status = U_ZERO_ERROR;
    Converter conv(ucnv_open(name.c_str(), &status));
    if (U_FAILURE(status) || !conv) return nullptr;
    const std::string canonical = ascii_lower(ucnv_getName(conv.get(), &status));
    if (canonical == "iso-8859-1" || canonical == "us-ascii") {
        status = U_ZERO_ERROR;
        conv.reset(ucnv_open("windows-1252", &status));
        if (U_FAILURE(status)) return nullptr;
    }
    return conv;
}

std::string convert_with(UConverter* conv, std::string_view bytes) {
    UErrorCode status = U_ZERO_ERROR;
    // Invalid input becomes U+FFFD (ICU's default substitution for toUnicode).
    icu::UnicodeString u(bytes.data(), static_cast<int32_t>(bytes.size()), conv, status);
    if (U_FAILURE(status)) return valid_utf8(bytes);
    std::string out;
    u.toUTF8String(out);
    return out;
}

bool is_utf8_label(std::string_view charset) {
    const std::string c = ascii_lower(trim(charset));
    return c == "utf-8" || c == "utf8";
}

bool is_ascii_label(std::string_view charset) {
    const std::string c = ascii_lower(trim(charset));
    return c == "us-ascii" || c == "ascii" || c == "ansi_x3.4-1968";
}

bool is_ascii(std::string_view s) {
    for (const char ch : s) {
        if (static_cast<unsigned char>(ch) >= 0x80) return false;
    }
    return true;
}

/// Letters that have no canonical decomposition but that readers still treat as
/// accented forms of a Latin letter ("Łódź" should match "lodz").
void fold_special_letters(icu::UnicodeString& u) {
    static constexpr struct {
        char16_t from;
        const char16_t* to;
    } kMap[] = {
        {u'ł', u"l"},  {u'Ł', u"l"},  {u'ø', u"o"},  {u'Ø', u"o"},  {u'đ', u"d"},
        {u'Đ', u"d"},  {u'ß', u"ss"}, {u'æ', u"ae"}, {u'Æ', u"ae"}, {u'œ', u"oe"},
        {u'Œ', u"oe"}, {u'ı', u"i"},  {u'ħ', u"h"},  {u'Ħ', u"h"},
    };
    // Most text has none of them: one scan instead of a search per letter.
    const auto special = [&](char16_t c) {
        for (const auto& m : kMap) {
            if (m.from == c) return true;
        }
        return false;
    };
    bool any = false;
    for (int32_t i = 0; i < u.length() && !any; ++i) any = special(u.charAt(i));
    if (!any) return;
    for (const auto& m : kMap) {
        u.findAndReplace(icu::UnicodeString(m.from), icu::UnicodeString(m.to));
    }
}

}  // namespace

std::string valid_utf8(std::string_view bytes) {
    if (is_valid_utf8(bytes)) return std::string(bytes);
    std::string out;
    out.reserve(bytes.size() + 16);
    // One U+FFFD per maximal invalid subpart, as browsers and ICU do.
    for (std::size_t i = 0; i < bytes.size();) {
        bool complete = false;
        const std::size_t len = sequence_length(bytes, i, complete);
        if (complete) {
            out.append(bytes.substr(i, len));
        } else {
            out.append(kReplacement);
        }
        i += len;
    }
    return out;
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
    if (is_ascii(bytes)) return std::string(bytes);  // every charset we meet agrees on ASCII
    if (is_utf8_label(charset)) return valid_utf8(bytes);
    // Mail labelled us-ascii, or not labelled, that is valid UTF-8 is UTF-8 in practice.
    if ((is_ascii_label(charset) || trim(charset).empty()) && is_valid_utf8(bytes)) {
        return std::string(bytes);
    }
    if (Converter conv = open_converter(charset)) return convert_with(conv.get(), bytes);
    if (is_valid_utf8(bytes)) return std::string(bytes);
    Converter fallback = open_converter("windows-1252");
    return fallback ? convert_with(fallback.get(), bytes) : valid_utf8(bytes);
}

std::string nfc(std::string_view utf8) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* norm = icu::Normalizer2::getNFCInstance(status);
    const std::string valid = valid_utf8(utf8);
    if (U_FAILURE(status)) return valid;
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(valid);
    if (norm->isNormalized(u, status) && U_SUCCESS(status)) return valid;
    status = U_ZERO_ERROR;
    const icu::UnicodeString out = norm->normalize(u, status);
    if (U_FAILURE(status)) return valid;
    std::string result;
    out.toUTF8String(result);
    return result;
}

namespace {

std::string fold_with_icu(std::string_view utf8) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status)) return ascii_lower(utf8);
    icu::UnicodeString decomposed =
        nfd->normalize(icu::UnicodeString::fromUTF8(valid_utf8(utf8)), status);
    if (U_FAILURE(status)) return ascii_lower(utf8);
    // Dropping non-spacing marks after NFD removes accents, cedillas, ogoneks...
    icu::UnicodeString stripped;
    for (int32_t i = 0; i < decomposed.length();) {
        const UChar32 c = decomposed.char32At(i);
        if (u_charType(c) != U_NON_SPACING_MARK) stripped.append(c);
        i += U16_LENGTH(c);
    }
    stripped.toLower(icu::Locale::getRoot());
    fold_special_letters(stripped);
    std::string out;
    stripped.toUTF8String(out);
    return nfc(out);
}

}  // namespace

std::string fold(std::string_view utf8) {
    // ASCII has no marks to drop, no special letters and is its own NFD and NFC,
    // so folding it is lower-casing it. A line break neither composes nor
    // decomposes with its neighbours, so a text folds line by line, and only its
    // lines with a non-ASCII byte go through ICU: most lines of a CV have none.
    std::string out;
    out.reserve(utf8.size());
    while (!utf8.empty()) {
        const std::size_t eol = utf8.find('\n');
        const std::string_view line = utf8.substr(0, eol);
        if (is_ascii(line)) {
            for (char c : line)
                out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        } else {
            out += fold_with_icu(line);
        }
        if (eol == std::string_view::npos) break;
        out += '\n';
        utf8.remove_prefix(eol + 1);
    }
    return out;
}

std::size_t find(std::string_view haystack, std::string_view needle, std::size_t from) {
    if (from > haystack.size()) return std::string_view::npos;
    const void* at =
        ::memmem(haystack.data() + from, haystack.size() - from, needle.data(), needle.size());
    return at == nullptr ? std::string_view::npos
                         : static_cast<std::size_t>(static_cast<const char*>(at) - haystack.data());
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

namespace {
constexpr std::string_view kSpace = " \t\r\n\f\v";
}  // namespace

std::string_view trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(kSpace) + 1 - first);
}

std::string trim(std::string_view s) { return std::string(trimmed(s)); }

std::size_t count_words(std::string_view s) {
    const auto blank = [](char c) { return kSpace.find(c) != std::string_view::npos; };
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!blank(s[i]) && (i == 0 || blank(s[i - 1]))) ++n;
    }
    return n;
}

std::vector<std::string_view> trimmed_lines(std::string_view s, std::size_t max_lines) {
    std::vector<std::string_view> lines;
    for (std::string_view rest = s; !rest.empty() && lines.size() < max_lines;) {
        const std::size_t eol = rest.find('\n');
        const std::string_view line = trimmed(rest.substr(0, eol));
        rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

}  // namespace intake::text
