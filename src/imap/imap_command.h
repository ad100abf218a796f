#pragma once
// Pure builders for IMAP command arguments and libcurl IMAP URLs, kept apart from
// the connection so they can be tested without a server (like vmime's IMAPCommand).
// Our folder names always use "/" as the hierarchy separator ("Intake/Processed");
// server_folder_name() turns them into what the server expects: its own separator,
// and modified UTF-7 (RFC 3501 §5.1.3) for anything outside printable ASCII.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/imap.h"

namespace intake::imap {

/// RFC 3501 modified UTF-7 of a UTF-8 name ("Traité" -> "Trait&AOk-", "&" -> "&-").
/// Throws ConfigError when the name is not valid UTF-8.
std::string encode_modified_utf7(std::string_view utf8);

/// Our "/"-separated folder name as the server knows it: "/" replaced by the server's
/// separator (none when the server has a flat namespace), then modified UTF-7.
std::string server_folder_name(std::string_view folder, std::optional<char> separator);

/// An IMAP quoted string: "…" with backslash and double quote escaped.
std::string quoted_string(std::string_view text);

/// An IMAP sequence set of UIDs ("1:3,7,9:10"), sorted and without duplicates;
/// consecutive UIDs become ranges, so a drained inbox gives a short command.
std::string uid_set(std::vector<Uid> uids);

/// libcurl URL of a mailbox ("imap://h:1/Intake%2FProcessed"); the name is
/// percent-encoded, and libcurl decodes it again before quoting it in SELECT.
std::string mailbox_url(std::string_view base_url, std::string_view server_name);

/// libcurl URL that fetches one whole message by UID ("…/INBOX/;UID=7"): libcurl
/// sends UID FETCH 7 BODY[] and hands us the literal byte for byte.
std::string message_url(std::string_view base_url, std::string_view server_name, Uid uid);
/// The URL of one section of a message by UID (RFC 5092 ";SECTION=HEADER").
std::string section_url(std::string_view base_url, std::string_view server_name, Uid uid,
                        std::string_view section);

}  // namespace intake::imap
