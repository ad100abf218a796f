// Header values through RFC 2047 encoded-word decoding and RFC 2231 parameters.
// The input is read as "<Content-Type value>\n<Content-Disposition value>": the two
// become the header of a one-part message (its further lines folded into the
// disposition, as a long filename*0*= … filename*9*= runs over lines), parsed by the
// public parse_message(), which picks the file name (mime/fields.cpp). The whole
// input is also decoded as a Subject (decode_words) and read as a Date.
#include <string>
#include <string_view>

#include "base/errors.h"
#include "fuzz_targets.h"
#include "mime/mime.h"

namespace intake::fuzz {

int fuzz_words(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    (void)mime::decode_words(input);
    (void)mime::parse_date(input);

    const std::size_t cut = input.find('\n');
    const std::string_view type = input.substr(0, cut);
    const std::string_view disposition =
        cut == std::string_view::npos ? std::string_view() : input.substr(cut + 1);
    std::string raw = "From: a@example.org\r\nSubject: ";
    raw.append(type);
    raw += "\r\nMIME-Version: 1.0\r\nContent-Type: ";
    raw.append(type);
    raw += "\r\nContent-Disposition: ";
    for (const char c : disposition) {
        raw += c;
        if (c == '\n') raw += ' ';  // a folded continuation line, never a new header
    }
    raw += "\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8=\r\n";
    try {
        (void)mime::parse_message(raw, mime::Limits{});
    } catch (const PermanentError&) {
        // Over a limit: set aside by the daemon.
    }
    return 0;
}

}  // namespace intake::fuzz
