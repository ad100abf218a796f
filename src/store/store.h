#pragma once
// The folders HR reads (spec §6): <root>/<organisation>/<posting>/<application id>/
// with the documents under names a person recognises, message.eml byte for byte,
// application.json, and applications.csv per posting; <root>/<organisation>/_failed/
// for what could not be handled. Every file is written atomically; an application
// folder appears whole (staged beside it, then renamed) or not at all, and filing
// the same application again replaces it, so a retry after a crash is harmless.
// Never talks to the network or the database.
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

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

/// Rewrites <root>/<organisation>/<posting>/applications.csv from these rows.
void write_index(const config::Storage& storage, std::string_view organisation,
                 std::string_view posting, const std::vector<record::Application>& rows);

/// The CSV text itself (UTF-8 with BOM, RFC 4180, CRLF), for tests.
std::string index_csv(const std::vector<record::Application>& rows, char delimiter);

/// Removes an application's folder (intake forget / purge).
void remove_application(const config::Storage& storage, const record::Application& application);

}  // namespace intake::store
