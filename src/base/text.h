#pragma once
// Unicode text helpers shared by the stages (ICU behind them). All strings are UTF-8.
#include <string>
#include <string_view>
#include <vector>

namespace intake::text {

/// Replaces invalid UTF-8 sequences with U+FFFD, so the result is always valid UTF-8.
std::string valid_utf8(std::string_view bytes);

/// Converts bytes in the named charset (UTF-8, ISO-8859-x, Windows-125x, …) to UTF-8.
/// An unknown charset is read as Windows-1252 when the bytes are not valid UTF-8.
std::string to_utf8(std::string_view bytes, std::string_view charset);

/// Unicode NFC normalisation.
std::string nfc(std::string_view utf8);

/// Lower case, accents removed, for comparisons ("Égalité" -> "egalite").
std::string fold(std::string_view utf8);

/// Lower-case ASCII copy (header names, media types).
std::string ascii_lower(std::string_view s);

/// Leading and trailing white space removed.
std::string trim(std::string_view s);
std::string_view trimmed(std::string_view s);  ///< the same, as a view into `s`

/// The text's lines ('\n'-separated), each trimmed as trim() does, the blank
/// ones left out; at most `max_lines`. Views into `s`.
std::vector<std::string_view> trimmed_lines(std::string_view s, std::size_t max_lines);

/// How many words `operator>>` would read from `s`: runs of bytes between ASCII
/// blanks (the white space trim() removes), without a stream.
std::size_t count_words(std::string_view s);

/// The first place of `needle` in `haystack` at or after `from`, else npos:
/// string_view::find with glibc's memmem, which does not compare at every place
/// the needle's first byte occurs (the phrase searches of routing and feedback).
std::size_t find(std::string_view haystack, std::string_view needle, std::size_t from = 0);

}  // namespace intake::text
