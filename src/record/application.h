#pragma once
// The decision about one message, exactly the application.json of spec §6 (the
// record HR reads, and what `intake parse` prints). Plain values only: the stages
// fill it, store/ writes it, state/ keeps it, to_json() renders it.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace intake::record {

inline constexpr int kSchema = 1;

struct Routing {
    std::string by = "none";  ///< subject, body or none
    std::string alias;        ///< the alias matched; empty when none
    int distance = 0;         ///< edit distance of the match
};

struct Applicant {
    std::string name;
    std::string email;
};

struct Document {
    std::string role;           ///< cv, cover_letter, other
    std::string file;           ///< safe name inside the application folder
    std::string original_name;  ///< as the sender named it (may be empty for the body)
    std::string source;         ///< attachment or body
    std::string media_type;
    std::uint64_t size = 0;
    std::string sha256;
    std::optional<std::string> language;
    std::string text_method = "none";  ///< how its text was read: embedded, none (later ocr)
    std::string text_status = "ok";    ///< ok, encrypted, scanned, macro, unreadable, format
};

struct DeadlineCheck {
    std::string status = "none";  ///< on_time, late, none
    std::optional<std::string> at;
};

struct Check {
    std::string code;
    bool ok = false;
    std::optional<std::string> value;  ///< what was found ("en:C2 fr:C1", "3", a file name)
};

struct FeedbackItem {
    std::string code;
    std::string text;
};

struct Feedback {
    std::vector<FeedbackItem> strengths;
    std::vector<FeedbackItem> weaknesses;
};

struct Acknowledgement {
    std::string status;  ///< queued, sent, suppressed, failed, bounced
    std::string to;
    std::string language;
    std::optional<std::string> reason;
    std::string subject;  ///< not in application.json; `intake parse` shows it
    std::string text;     ///< not in application.json; `intake parse` shows it
};

struct Application {
    int schema = kSchema;
    std::string id;
    std::string organisation;
    std::string posting;
    std::string mailbox;
    std::string received_at;  ///< UTC, 2025-03-02T10:15:00Z
    std::string message_id;
    std::string subject;
    Routing routing;
    Applicant applicant;
    std::string language;
    std::vector<Document> documents;
    DeadlineCheck deadline;
    std::vector<Check> checks;
    std::optional<Feedback> feedback;  ///< only for organisations that promise feedback
    Acknowledgement acknowledgement;
    std::optional<std::string> duplicate_of;
};

/// application.json; with_reply_text adds acknowledgement.subject and .text (intake parse).
nlohmann::ordered_json to_json(const Application& app, bool with_reply_text = false);
Application from_json(const nlohmann::ordered_json& j);

/// application.json's text, indented and ending in a newline: the one form of
/// the record, in the application's folder and in the state database alike, so
/// that it is made once at filing and copied from the database to the folder.
std::string to_text(const Application& app);

/// `text` (to_text's) with the acknowledgement's status and reason replaced and
/// all else as it was: the same as to_text of the parsed record so changed, for
/// less work (the reply's final status, once per application).
std::string with_acknowledgement(const std::string& text, const std::string& status,
                                 const std::optional<std::string>& reason);

/// The columns of a posting's applications.csv, in order.
inline constexpr std::array<std::string_view, 14> kIndexColumns = {
    "id",      "received_at",     "applicant_name",  "applicant_email", "subject",
    "cv",      "cover_letter",    "other_documents", "deadline_status", "checks",
    "routing", "acknowledgement", "duplicate_of",    "folder"};
inline constexpr std::size_t kAcknowledgementColumn = 11;

/// An application's row of its posting's applications.csv: one value per column
/// of kIndexColumns. The state database keeps it beside the record, so that a
/// posting's CSV is rewritten from short rows, not by parsing every record.
struct IndexRow {
    std::vector<std::string> values;
    const std::string& id() const { return values.front(); }
};

IndexRow index_row(const Application& app);

/// The row as the state database keeps it (a JSON array of its values), and back,
/// with the acknowledgement's current status (the database's, which changes after
/// the row was kept). std::nullopt when `text` is not such an array.
std::string to_text(const IndexRow& row);
std::optional<IndexRow> index_row_from_text(std::string_view text, std::string_view ack_status);

}  // namespace intake::record
