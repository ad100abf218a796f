#pragma once
// The whole configuration as one immutable value: load_config() reads the main
// TOML file and the posting and template files it names, validates everything,
// and either returns a complete Config or throws ConfigError naming the file,
// the key and what was expected. Relative paths are taken from the folder of the
// file that holds them. Passwords are not read here (see base/secret.h): only the
// place they come from.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/secret.h"

namespace intake::config {

inline constexpr std::string_view kUnsorted = "unsorted";

/// Bounds on hostile input (spec §9).
struct Limits {
    std::size_t max_message_bytes = 50u << 20;     ///< raw message size
    std::size_t max_parts = 200;                   ///< MIME parts in one message
    std::size_t max_depth = 12;                    ///< nesting of multiparts / message/rfc822
    std::size_t max_attachment_bytes = 25u << 20;  ///< one decoded attachment
    std::size_t max_archive_bytes = 100u << 20;    ///< expanded DOCX/ODT/TNEF
    std::size_t max_messages_per_pass = 200;       ///< per mailbox, keeps memory flat
    std::size_t max_text_bytes = 2u << 20;         ///< text kept from one document
    std::size_t extract_cpu_seconds = 10;          ///< CPU time to read one document
    std::size_t extract_seconds = 15;              ///< wall-clock time to read one document
    std::size_t extract_memory_bytes = 1u << 30;   ///< memory of the document reader
};

struct Deadline {
    std::chrono::sys_seconds at;  ///< the instant the deadline passes
    std::string text;             ///< as written, ISO 8601 with offset: 2025-03-14T23:59:59+01:00
};

struct Posting {
    std::string id;  ///< [a-z0-9-]+; "unsorted" is reserved for the posting the loader adds
    std::map<std::string, std::string> titles;  ///< language -> title shown in replies
    std::vector<std::string> aliases;           ///< subject phrases that route here (any language)
    std::optional<Deadline> deadline;
    bool rolling = false;    ///< reviewed on a rolling basis
    bool catch_all = false;  ///< a generic posting: loses to a specific one when both match
    std::string kind;        ///< internship, job, speculative, programme, unsorted
    /// Check codes for this posting (e.g. learning_agreement); see requirement_codes().
    std::vector<std::string> requirements;
    /// Its applications are erased once the deadline is this many months past (data
    /// protection); nullopt: no such rule. Only a posting with a deadline has one.
    std::optional<int> retain_months_after_close;

    /// Title in that language, else English, else the id.
    std::string title(const std::string& language) const;
};

/// One reply text: subject line and body with {placeholders}.
struct Template {
    std::string subject;
    std::string body;
    std::filesystem::path file;  ///< where it was read from, for error messages
};

/// too_large: the notice to a sender whose message was over limits.max_message_bytes
/// and was set aside without being downloaded (it is never filed).
enum class ReplyCase { received, late, unsorted, too_large };
std::string_view to_string(ReplyCase c);

struct Organisation {
    std::string id;
    std::string name;                        ///< shown in replies' From
    std::string address;                     ///< the address replies come from
    std::vector<std::string> own_addresses;  ///< never acknowledged (lower case)
    std::vector<std::string> languages;      ///< reply languages; "en" is the fallback
    bool feedback = false;                   ///< gives applicants feedback (spec §7)
    std::string smtp;                        ///< name of the [[smtp]] server that sends its replies
    std::vector<Posting> postings;           ///< always ends with the "unsorted" posting
    /// (language, case) -> text; every language has every case.
    std::map<std::pair<std::string, ReplyCase>, Template> templates;
    /// language -> code -> sentence, for feedback and check codes shown to applicants.
    std::map<std::string, std::map<std::string, std::string>> phrases;

    const Posting* find_posting(std::string_view posting_id) const;
    bool offers_language(std::string_view language) const;
};

struct Mailbox {
    std::string name;
    std::string organisation;
    std::string url;  ///< imaps://host[:port] or imap://host[:port] (STARTTLS required)
    std::string user;
    SecretSource password;
    std::string folder = "INBOX";
    std::string processed_folder = "Intake/Processed";
    std::string failed_folder = "Intake/Failed";
    std::chrono::seconds poll_interval{60};
    bool tls_verify = true;
    std::filesystem::path ca_file;  ///< PEM CAs trusted for this server; empty: the system's
};

struct SmtpServer {
    std::string name;
    std::string url;   ///< smtps://host[:port] or smtp://host[:port] (STARTTLS required)
    std::string user;  ///< empty: no AUTH (a local relay)
    SecretSource password;
    bool tls_verify = true;
    std::filesystem::path ca_file;  ///< PEM CAs trusted for this server; empty: the system's
};

struct Storage {
    std::filesystem::path root;       ///< the folders HR reads
    std::filesystem::path state_dir;  ///< the SQLite database lives here
    std::string group;                ///< HR's group; empty: leave the group as is
    char csv_delimiter = ',';
    int retention_days = 0;  ///< erase applications received longer ago; 0: keep them
};

struct Replies {
    int ack_interval_days = 7;
    /// At most one reply to a sender within this many minutes, whatever the posting:
    /// a flood (or a loop with a robot that slipped through) gets one answer.
    int sender_quiet_minutes = 60;
    int outbox_max_age_hours = 72;
    int retry_after_seconds = 60;  ///< first retry of a deferred reply; doubles up to an hour
};

/// How document text is read (config/rules.toml): word lists are folded (lower
/// case, no accents); see that file for what each one feeds.
struct Rules {
    std::filesystem::path file;
    // Roles by content.
    std::vector<std::string> salutations, closings, letter_phrases, cv_headings;
    int min_role_score = 4;
    int letter_min_words = 40;
    int letter_min_words_without_form = 90;
    // Languages: code -> names; level ("native", "C2" … "A1") -> words.
    std::vector<std::string> atlantic_languages = {"en", "fr", "pt", "es"};
    std::string strong_level = "C1";
    std::string working_level = "B1";
    std::map<std::string, std::vector<std::string>> language_names;
    std::map<std::string, std::vector<std::string>> level_words;
    // Experience.
    std::vector<std::string> eu_projects, abroad, network;
    int eu_projects_min_years = 2;
    int abroad_min_years = 2;
    // Internships.
    std::vector<std::string> agreement, enrolment;
    // Readability.
    std::vector<std::string> formats_hr_opens;
    std::vector<std::string> cv_unreadable_when = {"encrypted", "scanned", "unreadable"};
};

/// The levels from the strongest; rank 7 is native, 1 is A1, 0 none.
const std::vector<std::string>& level_names();
int level_rank(std::string_view level);

struct Config {
    std::filesystem::path file;  ///< the main file it was read from
    Rules rules;                 ///< [documents] rules = "rules.toml"
    Storage storage;
    Limits limits;
    Replies replies;
    std::vector<Organisation> organisations;
    std::vector<Mailbox> mailboxes;
    std::vector<SmtpServer> smtp_servers;
    std::string log_level = "info";

    const Mailbox* find_mailbox(std::string_view name) const;
    const Organisation* find_organisation(std::string_view id) const;
    const SmtpServer* find_smtp(std::string_view name) const;
};

/// Reads and validates everything; throws ConfigError on the first problem found.
Config load_config(const std::filesystem::path& main_file);

/// Warnings about the configured password files (one readable by every user),
/// each naming its file once. Loading has no logger: the caller logs them
/// (`intake check`, and the daemon at start).
std::vector<std::string> secret_warnings(const Config& config);

/// The placeholders a template may use.
const std::vector<std::string>& template_placeholders();

/// The check codes a posting may list in `requirements` (the feedback module checks them).
const std::vector<std::string>& requirement_codes();

/// The codes every language's phrases.toml defines for an organisation with feedback.
const std::vector<std::string>& phrase_codes();

}  // namespace intake::config
