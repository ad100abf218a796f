#pragma once
// Raw RFC 5322 bytes -> ParsedMessage: decoded headers (RFC 2047), the readable
// body text (text/plain, else HTML reduced to text), and every attachment decoded
// (base64, quoted-printable) with its RFC 2231 / name= file name, descending into
// nested multiparts and forwarded message/rfc822 parts. Never does I/O. Limits
// are enforced as it goes; a message over a limit throws PermanentError naming
// the limit. Malformed MIME gives a best-effort result, never a crash.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace intake::mime {

struct Limits {
    std::size_t max_message_bytes = 50u << 20;
    std::size_t max_parts = 200;
    std::size_t max_depth = 12;
    std::size_t max_attachment_bytes = 25u << 20;
};

struct Address {
    std::string name;     ///< display name, decoded; may be empty
    std::string address;  ///< addr-spec as written (local@domain); may be empty
};

struct Attachment {
    std::string file_name;   ///< decoded UTF-8 as the sender wrote it (unsafe!); may be empty
    std::string media_type;  ///< lower case "type/subtype"
    std::string content;     ///< decoded bytes
    bool inline_disposition =
        false;                ///< Content-Disposition: inline (or none) rather than attachment
    bool in_related = false;  ///< part of a multipart/related (an HTML body's image)
    std::string content_id;
};

struct Header {
    std::string name;   ///< as written
    std::string value;  ///< unfolded, RFC 2047 words decoded to UTF-8
};

struct ParsedMessage {
    std::vector<Header> headers;  ///< top-level headers, in order
    std::string subject;
    Address from;
    std::optional<Address> reply_to;
    std::string message_id;  ///< with angle brackets, as written; may be empty
    std::optional<std::chrono::sys_seconds> date;           ///< the Date header
    std::optional<std::chrono::sys_seconds> received_date;  ///< the topmost Received header's date
    std::string content_type;                               ///< top-level media type, lower case
    std::string body_text;  ///< readable text of the message's own body (UTF-8)
    std::vector<Attachment> attachments;
    std::vector<std::string> problems;  ///< malformations noticed (for logs), never fatal

    /// First header of that name (case-insensitive), decoded; nullopt if absent.
    std::optional<std::string> header(std::string_view name) const;
};

/// Parses; throws PermanentError when a limit is exceeded.
ParsedMessage parse_message(std::string_view raw, const Limits& limits);

/// When the message reached the organisation, from its top-level header fields
/// only: the topmost Received line's date, else the Date header; nullopt if
/// neither can be read. Reads no body and checks no limit, so it answers for a
/// message that parse_message refuses (a set-aside message is named by it).
std::optional<std::chrono::sys_seconds> arrival_date(std::string_view raw);

/// Decodes RFC 2047 encoded words in a header value to UTF-8.
std::string decode_words(std::string_view value);

/// Parses an RFC 5322 date ("Fri, 14 Mar 2025 23:20:00 +0000"); nullopt if unreadable.
std::optional<std::chrono::sys_seconds> parse_date(std::string_view value);

/// Reduces HTML to readable text (tags dropped, entities decoded, blocks as lines).
std::string html_to_text(std::string_view html);

}  // namespace intake::mime
