#pragma once
// Pure parsers for the IMAP responses intake reads. libcurl hands a custom
// command's untagged lines ("* SEARCH 1 2 3") to our write callback, one per line,
// and the tagged reply line reaches us through net::Transcript. These functions turn
// that text into values and never throw: a line they do not understand is skipped,
// and the caller decides what a missing answer means. Tested on Dovecot transcripts.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/imap.h"

namespace intake::imap {

/// The UIDVALIDITY from a SELECT response ("* OK [UIDVALIDITY 1795433430] UIDs valid").
std::optional<UidValidity> parse_uid_validity(std::string_view response);

/// The message count from a SELECT response ("* 3 EXISTS"); the last one wins.
std::optional<std::uint32_t> parse_exists(std::string_view response);

/// UIDs from "* SEARCH 1 4 9" lines, ascending and without duplicates.
std::vector<Uid> parse_search(std::string_view response);

/// Capability names, upper case, from "* CAPABILITY …" lines or a "[CAPABILITY …]" code.
std::vector<std::string> parse_capabilities(std::string_view response);

struct ListEntry {
    std::vector<std::string> attributes;  ///< "\Noselect", "\HasNoChildren", …
    std::optional<char> separator;        ///< none when the server says NIL (flat)
    std::string name;                     ///< as the server spells it (modified UTF-7)
};

/// Entries of "* LIST (\HasNoChildren) "/" "Intake/Processed"" lines.
std::vector<ListEntry> parse_list(std::string_view response);

/// The flags of message `uid` from "* 4 FETCH (UID 9 FLAGS (\Seen))" lines, or none
/// when the response does not mention that UID (the message does not exist).
std::optional<std::vector<std::string>> parse_fetch_flags(std::string_view response, Uid uid);

/// UIDs and sizes from "* 4 FETCH (UID 9 RFC822.SIZE 48213)" lines, ascending by UID;
/// a line without both is skipped.
std::vector<MessageSize> parse_fetch_sizes(std::string_view response);

struct FetchInfo {
    std::vector<std::string> flags;
    std::optional<std::uint32_t> size;  ///< RFC822.SIZE, when asked for
};

/// Flags (and size) of every message in "* 4 FETCH (UID 9 FLAGS (\Seen) RFC822.SIZE
/// 2048)" lines, by UID; a line without UID or FLAGS is skipped.
std::map<std::uint32_t, FetchInfo> parse_fetch_info(std::string_view response);

struct FetchedBody {
    Uid uid;
    std::string_view bytes;  ///< the BODY[] literal, within the parsed stream
};

/// The messages in the verbatim answer to "UID FETCH <set> (BODY.PEEK[])" (see
/// Session::command_verbatim): "* 3 FETCH (UID 7 BODY[] {2048}" then 2048 bytes
/// then ")". Literals are taken by their announced size, so nothing inside a
/// message is ever read as a response. None unless the whole stream is well
/// formed and ends with a tagged OK: anything cut short or out of shape means the
/// caller must not trust the stream (nor the connection it came from).
std::optional<std::vector<FetchedBody>> parse_fetch_bodies(std::string_view stream);

/// The UID given to an appended message by "A003 OK [APPENDUID 38505 3955] …" (UIDPLUS).
std::optional<Uid> parse_append_uid(std::string_view tagged_line);

/// Whether a reply line carries the response code, e.g. "[ALREADYEXISTS]" (RFC 5530).
bool has_response_code(std::string_view line, std::string_view code);

}  // namespace intake::imap
