#pragma once
// Content-Transfer-Encoding decoding (mimetic's codecs) and the small decoders
// RFC 2047 words need. Private to src/mime.
#include <string>
#include <string_view>
#include <vector>

namespace intake::mime {

/// Value of one hexadecimal digit, -1 for anything else (quoted-printable, RFC 2047 Q,
/// RFC 2231 percent-encoding).
int hex_value(char c);

/// Replaces `escape` followed by two hex digits with that byte (RFC 2231 '%', RFC 2047
/// Q '='); with underscore_is_space, '_' is a space (RFC 2047 Q). Anything else stays.
std::string decode_hex_escapes(std::string_view s, char escape, bool underscore_is_space);

/// Tolerant base64: characters outside the alphabet (line breaks, spaces, garbage)
/// are skipped; a trailing partial group yields what bytes it completes.
std::string decode_base64(std::string_view text);

/// Quoted-printable with soft line breaks; invalid "=XY" escapes are kept as written.
std::string decode_quoted_printable(std::string_view text);

/// Decodes a body by its Content-Transfer-Encoding value (7bit, 8bit, binary,
/// base64, quoted-printable; case-insensitive). An unknown encoding leaves the
/// bytes as they are and notes a problem.
std::string decode_transfer(std::string_view body, std::string_view encoding,
                            std::vector<std::string>& problems);

}  // namespace intake::mime
