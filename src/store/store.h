#pragma once
// The folders HR reads (spec §6): <root>/<organisation>/<posting>/<application id>/
// with the documents under names a person recognises, message.eml byte for byte,
// application.json, and applications.csv per posting; <root>/<organisation>/_failed/
// for what could not be handled. Every file is written atomically; an application
// folder appears whole (staged beside it, then renamed) or not at all, and filing
// the same application again replaces it, so a retry after a crash is harmless.
// Never talks to the network or the database.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/atomic_file.h"
#include "config/config.h"
#include "record/application.h"

namespace intake::store {

/// A name safe on any file system HR may use: no separators, no controls, not
/// "." or "..", no Windows-reserved names or characters, NFC, at most max_bytes.
std::string safe_name(std::string_view name, std::size_t max_bytes = 255);

/// "marie-dupont": ASCII, lower case, for folder names.
std::string slug(std::string_view name);

/// "2025-03-02_marie-dupont_7f3a9c".
std::string application_id(std::chrono::sys_seconds received_at, std::string_view applicant_name,
                           std::string_view short_id);

struct DocumentToName {
    std::string_view role;  ///< cv, cover_letter, other
    std::string_view source;
    std::string_view original_name;
    std::string_view media_type;
};

/// File names for the documents, in order: "CV - Marie Dupont.pdf",
/// "Cover letter - Marie Dupont.txt", other documents under their own (safe) name;
/// clashes get " (2)", " (3)".
std::vector<std::string> document_file_names(const std::vector<DocumentToName>& documents,
                                             std::string_view applicant_name);

struct FileContent {
    std::string name;
    std::string_view bytes;
};

std::filesystem::path application_folder(const config::Storage& storage,
                                         const record::Application& application);

/// Writes the application's folder (documents, message.eml, application.json).
void file_application(const config::Storage& storage, const record::Application& application,
                      const std::vector<FileContent>& documents, std::string_view raw_message);

/// Rewrites application.json of an application already filed (e.g. the reply went out).
void update_record(const config::Storage& storage, const record::Application& application);

/// <root>/<organisation>/_failed/<id>/ with message.eml and reason.txt; returns the folder.
std::filesystem::path file_failed(const config::Storage& storage, std::string_view organisation,
                                  std::string_view id, std::string_view raw_message,
                                  std::string_view reason);

/// Hands the CSV row of every application of a posting to `visit`, in CSV order:
/// the CSV is made from the state database's rows one at a time, so its memory
/// is the text's, not a whole posting's (StateDb::each_index_row).
using EachRow = std::function<void(const std::function<void(const record::IndexRow&)>& visit)>;

/// These rows, as an EachRow; `rows` must outlive it.
EachRow each_of(const std::vector<record::Application>& rows);

/// Rewrites <root>/<organisation>/<posting>/applications.csv from these rows.
void write_index(const config::Storage& storage, std::string_view organisation,
                 std::string_view posting, const EachRow& rows);

/// The CSV text itself (UTF-8 with BOM, RFC 4180, CRLF).
std::string index_csv(const EachRow& rows, char delimiter);
std::string index_csv(const std::vector<record::Application>& rows, char delimiter);

/// Files for a long-lived process (the daemon): remembers the folders it made, so
/// each is created once (no mkdir of every parent for every file), and the
/// storage group, looked up once. With Durability::deferred nothing is fsynced
/// as it is written (still staged and renamed into place, so a folder appears
/// whole); sync() then makes everything filed since the last sync durable at
/// once. The daemon's group commit: file a group, sync(), commit the group.
/// Assumes the filing root is one file system (sync() flushes that one).
class Filer {
public:
    Filer(const config::Storage& storage, Durability durability);

    /// Returns application.json's text (record::to_text), which the state database keeps too.
    std::string file_application(const record::Application& application,
                                 const std::vector<FileContent>& documents,
                                 std::string_view raw_message);
    std::filesystem::path file_failed(std::string_view organisation, std::string_view id,
                                      std::string_view raw_message, std::string_view reason);
    /// Makes every file and folder written since the last sync durable.
    void sync();

    /// Adds the new applications to the posting's applications.csv: appends their
    /// rows when this Filer has already written the file, so the cost does not grow
    /// with the applications already there; the first time (the file may be stale
    /// after a crash), or when the file has gone, rewrites it from all_rows().
    void add_to_index(std::string_view organisation, std::string_view posting,
                      const std::vector<record::Application>& new_rows, const EachRow& all_rows);
    /// Rewrites the posting's applications.csv (a row changed: reply status, erasure).
    void write_index(std::string_view organisation, std::string_view posting, const EachRow& rows);
    /// Rewrites application.json of an application already filed.
    void update_record(const record::Application& application);
    /// The same from the record's text, as the state database keeps it.
    void rewrite_record(std::string_view organisation, std::string_view posting,
                        std::string_view id, std::string_view record);

private:
    /// Before a write of `bytes` (0 for a folder): makes ready to sync, and has the
    /// disk start on what was written since the last sync once it is enough.
    void note_write(std::size_t bytes = 0);
    void make_folder(const std::filesystem::path& dir);
    void make_fresh_folder(const std::filesystem::path& dir);
    void write_file(const std::filesystem::path& path, std::string_view bytes);
    /// A new file in a staging folder: the folder's rename is what makes it appear.
    void write_staged_file(const std::filesystem::path& path, std::string_view bytes);
    void give_to_group(const std::filesystem::path& path);
    void move_into_place(const std::filesystem::path& staging,
                         const std::filesystem::path& final_dir);
    template <typename WriteFiles>
    void build_folder(const std::filesystem::path& final_dir, WriteFiles write_files);
    bool append_to_index(const std::filesystem::path& csv,
                         const std::vector<record::Application>& rows);
    /// Runs `write`; when it fails, forgets what it believed about the folders
    /// (someone may have removed one) and runs it once more.
    template <typename Fn>
    auto with_fresh_knowledge_on_failure(Fn&& write);

    config::Storage storage_;
    Durability durability_;
    std::optional<gid_t> group_;
    std::set<std::filesystem::path> known_folders_;
    std::set<std::filesystem::path> indexes_in_step_;
    std::optional<FilesystemSync> sync_;
    std::unique_ptr<EarlyWriteback> early_writeback_;
    std::size_t unsynced_bytes_ = 0;
};

/// The rows of these applications, without the header (appended to applications.csv).
std::string index_csv_rows(const std::vector<record::Application>& rows, char delimiter);

/// Removes an application's folder (intake forget / purge).
void remove_application(const config::Storage& storage, const record::Application& application);

}  // namespace intake::store
