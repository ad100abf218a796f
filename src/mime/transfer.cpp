// Transfer decoding with mimetic's codecs, which are tolerant in the ways mail
// needs: base64 skips anything outside its alphabet (line breaks, stray spaces,
// garbage), quoted-printable joins soft line breaks and keeps bad escapes as
// written. One caveat of mimetic's QP decoder: it turns CRLF into LF, which is
// what we want for text; quoted-printable binary attachments do not occur in
// practice.
#include "mime/transfer.h"

#include <mimetic/mimetic.h>
#include <modp_b64.h>

#include <iterator>

#include "base/text.h"

namespace intake::mime {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode_hex_escapes(std::string_view s, char escape, bool underscore_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (underscore_is_space && s[i] == '_') {
            out += ' ';
        } else if (s[i] == escape && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
                   hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

namespace {

std::string decode_base64_with_mimetic(std::string_view text) {
    // mimetic's decoder writes through a plain pointer into a buffer of the
    // largest possible size (every 4 input characters give at most 3 bytes; a
    // final group of 2 or 3 at most 2), one character at a time as
    // mimetic::decode would feed it, without std::back_inserter's capacity check.
    std::string out(text.size() / 4 * 3 + 3, '\0');
    char* end = out.data();
    mimetic::Base64::Decoder decoder;
    for (const char c : text) decoder.process(c, end);
    decoder.flush(end);
    out.resize(static_cast<std::size_t>(end - out.data()));
    return out;
}

}  // namespace

std::string decode_base64(std::string_view text) {
    // Attachments are most of a message's bytes, so this is most of the parse.
    // Nearly every part is regular: lines of whole 4-character groups, '='
    // padding only at the very end. Such a line is decoded by stringencoders'
    // modp_b64 (2.5 times as fast as OpenSSL's block decoder, which this used
    // before), which also refuses any character outside the alphabet and any
    // '=' but one or two at a line's end; anything else (a stray character, a
    // group split across lines, padding inside) sends the whole part to
    // mimetic's tolerant decoder instead. The loop only cuts lines: its own
    // checks once cost as much as the decoding.
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t size = 0;
    bool padded = false;  // the line with '=' must be the last one with data
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    for (std::string_view rest = text; !rest.empty();) {
        const std::size_t eol = rest.find('\n');
        std::string_view line = rest.substr(0, eol);
        rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
        while (!line.empty() && blank(line.back())) line.remove_suffix(1);
        while (!line.empty() && blank(line.front())) line.remove_prefix(1);
        if (line.empty()) continue;
        if (padded || line.size() % 4 != 0) return decode_base64_with_mimetic(text);
        padded = line.back() == '=';
        const std::size_t decoded = modp_b64_decode(out.data() + size, line.data(), line.size());
        if (decoded == static_cast<std::size_t>(-1)) return decode_base64_with_mimetic(text);
        size += decoded;
    }
    out.resize(size);
    return out;
}

std::string decode_quoted_printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    mimetic::QP::Decoder decoder;
    mimetic::decode(text.begin(), text.end(), decoder, std::back_inserter(out));
    return out;
}

std::string decode_transfer(std::string_view body, std::string_view encoding,
                            std::vector<std::string>& problems) {
    const std::string cte = text::ascii_lower(text::trim(encoding));
    if (cte == "base64") return decode_base64(body);
    if (cte == "quoted-printable") return decode_quoted_printable(body);
    if (cte.empty() || cte == "7bit" || cte == "8bit" || cte == "binary") {
        return std::string(body);
    }
    problems.push_back("unknown Content-Transfer-Encoding \"" + text::valid_utf8(cte) +
                       "\" left undecoded");
    return std::string(body);
}

}  // namespace intake::mime
