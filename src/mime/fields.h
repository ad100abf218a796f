#pragma once
// Structured header fields of one MIME entity: Content-Type and
// Content-Disposition split into a value and parameters (RFC 2045 quoting,
// RFC 2231 charset/continuations), and the file name chosen from them.
// Private to src/mime.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace intake::mime {

/// "type/subtype; a=1; b="x y"" or "attachment; filename=..." split up.
struct MediaField {
    std::string value;  ///< lower case, comments and white space removed
    std::vector<std::pair<std::string, std::string>> params;  ///< names lower case, values unquoted

    /// First parameter of that (lower-case) name, raw; nullopt if absent.
    std::optional<std::string> find(std::string_view name) const;
    /// First parameter of that name or "".
    std::string param(std::string_view name) const;
    /// Major type ("text" for "text/plain"); "" when the value has no slash.
    std::string major() const;
    std::string minor() const;
};

/// Parses a Content-Type or Content-Disposition value leniently: unterminated
/// quotes run to the end, unquoted values may contain spaces.
MediaField parse_media_field(std::string_view value);

/// A parameter's text in UTF-8: RFC 2231 forms (name*, name*0*, name*1, ...) first,
/// then the plain name (with RFC 2047 words decoded, as Outlook and Gmail write
/// them inside quotes). nullopt if neither is present.
std::optional<std::string> decoded_param(const MediaField& field, std::string_view name);

/// The file name of a part: filename* > filename > name* > name. "" if none.
std::string file_name_of(const MediaField& disposition, const MediaField& type);

}  // namespace intake::mime
