#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.h"
#include "base/unique_fd.h"
#include "store/store.h"

namespace intake::store {
namespace fs = std::filesystem;
namespace {

constexpr mode_t kFileMode = 0640;
constexpr mode_t kFolderMode = 0750;
// About fifteen applications of 330 KB with their documents: the disk starts on
// them while the next ones are read, and the group's sync waits for little.
constexpr std::size_t kEarlyWritebackBytes = 8u << 20;

fs::path folder_of(const config::Storage& storage, std::string_view organisation,
                   std::string_view posting, std::string_view id) {
    return storage.root / std::string(organisation) / std::string(posting) / std::string(id);
}

fs::path index_path(const config::Storage& storage, std::string_view organisation,
                    std::string_view posting) {
    return storage.root / std::string(organisation) / std::string(posting) / "applications.csv";
}

}  // namespace

Filer::Filer(const config::Storage& storage, Durability durability)
    : storage_(storage), durability_(durability) {}

template <typename Fn>
auto Filer::with_fresh_knowledge_on_failure(Fn&& write) {
    try {
        return write();
    } catch (const TransientError&) {
        if (known_folders_.empty()) throw;
        known_folders_.clear();
        return write();
    }
}

/// Gives HR's group the folder or file; a missing group is a config problem.
void Filer::give_to_group(const fs::path& path) {
    if (storage_.group.empty()) return;
    if (!group_) {
        const group* g = ::getgrnam(storage_.group.c_str());
        if (g == nullptr) {
            throw ConfigError("storage.group '" + storage_.group + "' does not exist",
                              "create the group (groupadd) or change storage.group");
        }
        group_ = g->gr_gid;
    }
    // Under a setgid filing root (the packaged tmpfiles.d entry makes one) new files
    // already belong to the group; skipping chown then lets the unit forbid it.
    struct stat current {};
    if (::stat(path.c_str(), &current) == 0 && current.st_gid == *group_) return;
    if (::chown(path.c_str(), static_cast<uid_t>(-1), *group_) != 0) {
        throw TransientError("cannot give " + path.string() + " to group " + storage_.group + ": " +
                                 std::strerror(errno),
                             "make the intake user a member of that group");
    }
}

/// Starts watching the file system for write errors before the first deferred write.
void Filer::note_write(std::size_t bytes) {
    if (durability_ != Durability::deferred) return;
    if (!sync_) {
        make_directories(storage_.root, kFolderMode);
        sync_.emplace(storage_.root);
        early_writeback_ = std::make_unique<EarlyWriteback>(storage_.root);
    }
    unsynced_bytes_ += bytes;
    if (unsynced_bytes_ >= kEarlyWritebackBytes) {
        early_writeback_->start();
        unsynced_bytes_ = 0;
    }
}

void Filer::make_folder(const fs::path& dir) {
    if (known_folders_.contains(dir)) return;
    note_write();
    make_directories(dir, kFolderMode);
    give_to_group(dir);
    known_folders_.insert(dir);
}

/// A folder whose parent exists: one mkdir, not one per level of the path.
void Filer::make_fresh_folder(const fs::path& dir) {
    note_write();
    if (::mkdir(dir.c_str(), kFolderMode) != 0) {
        throw TransientError("cannot create folder " + dir.string() + ": " + std::strerror(errno),
                             "check free space and permissions on that file system");
    }
    ::chmod(dir.c_str(), kFolderMode);  // not narrowed by the umask
    give_to_group(dir);
}

void Filer::write_file(const fs::path& path, std::string_view bytes) {
    note_write(bytes.size());
    write_file_atomically(path, bytes, kFileMode, durability_);
    give_to_group(path);
}

void Filer::write_staged_file(const fs::path& path, std::string_view bytes) {
    note_write(bytes.size());
    write_new_file(path, bytes, kFileMode, durability_);
    give_to_group(path);
}

/// Replaces `final_dir` by the fully written `staging` dir in one rename.
void Filer::move_into_place(const fs::path& staging, const fs::path& final_dir) {
    // A folder left by an attempt that crashed before its commit is ours to replace:
    // the database never recorded it, so nobody was told of it.
    std::error_code ignored;
    fs::remove_all(final_dir, ignored);
    if (::rename(staging.c_str(), final_dir.c_str()) != 0) {
        throw TransientError("cannot rename " + staging.string() + " to " + final_dir.string() +
                                 ": " + std::strerror(errno),
                             "check permissions on the filing root");
    }
    if (durability_ == Durability::now) sync_directory(final_dir.parent_path());
}

/// Writes a folder's files into a hidden staging folder beside `final_dir`, then
/// puts it in place. If anything fails on the way (a full or read-only disk), the
/// staging folder goes too: nothing half-written is left for HR to find.
template <typename WriteFiles>
void Filer::build_folder(const fs::path& final_dir, WriteFiles write_files) {
    const fs::path staging =
        final_dir.parent_path() / (".staging-" + final_dir.filename().string());
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    try {
        make_fresh_folder(staging);
        write_files(staging);
        move_into_place(staging, final_dir);
    } catch (const Error&) {
        fs::remove_all(staging, ignored);  // best effort; the next attempt removes it too
        throw;
    }
}

std::string Filer::file_application(const record::Application& application,
                                    const std::vector<FileContent>& documents,
                                    std::string_view raw_message) {
    std::string record = record::to_text(application);
    with_fresh_knowledge_on_failure([&] {
        const fs::path final_dir = application_folder(storage_, application);
        make_folder(storage_.root / application.organisation);
        make_folder(final_dir.parent_path());
        build_folder(final_dir, [&](const fs::path& staging) {
            for (const auto& doc : documents) write_staged_file(staging / doc.name, doc.bytes);
            write_staged_file(staging / "message.eml", raw_message);
            write_staged_file(staging / "application.json", record);
        });
    });
    return record;
}

fs::path Filer::file_failed(std::string_view organisation, std::string_view id,
                            std::string_view raw_message, std::string_view reason) {
    return with_fresh_knowledge_on_failure([&] {
        const fs::path failed_root = storage_.root / std::string(organisation) / "_failed";
        make_folder(storage_.root / std::string(organisation));
        make_folder(failed_root);
        const fs::path final_dir = failed_root / std::string(id);
        build_folder(final_dir, [&](const fs::path& staging) {
            write_staged_file(staging / "message.eml", raw_message);
            write_staged_file(staging / "reason.txt", std::string(reason) + "\n");
        });
        return final_dir;
    });
}

void Filer::sync() {
    unsynced_bytes_ = 0;
    if (sync_) sync_->sync();
}

void Filer::update_record(const record::Application& application) {
    rewrite_record(application.organisation, application.posting, application.id,
                   record::to_text(application));
}

void Filer::rewrite_record(std::string_view organisation, std::string_view posting,
                           std::string_view id, std::string_view record) {
    const fs::path dir = folder_of(storage_, organisation, posting, id);
    if (!fs::is_directory(dir)) return;  // erased meanwhile (intake forget)
    write_file(dir / "application.json", record);
}

void Filer::write_index(std::string_view organisation, std::string_view posting,
                        const EachRow& rows) {
    with_fresh_knowledge_on_failure([&] {
        const fs::path csv = index_path(storage_, organisation, posting);
        make_folder(csv.parent_path());
        // Always durable: appends after it rely on it, and it is derived data that
        // is rewritten once per posting and process, not once per message.
        write_file_atomically(csv, index_csv(rows, storage_.csv_delimiter), kFileMode);
        give_to_group(csv);
        indexes_in_step_.insert(csv);
    });
}

void Filer::add_to_index(std::string_view organisation, std::string_view posting,
                         const std::vector<record::Application>& new_rows,
                         const EachRow& all_rows) {
    const fs::path csv = index_path(storage_, organisation, posting);
    if (indexes_in_step_.contains(csv) && append_to_index(csv, new_rows)) return;
    write_index(organisation, posting, all_rows);
}

/// Appends the rows in one write(2), so a reader sees the file with or without
/// them; false when the file has gone (HR removed it), to be rewritten instead.
bool Filer::append_to_index(const fs::path& csv, const std::vector<record::Application>& rows) {
    UniqueFd fd(::open(csv.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    if (!fd) {
        indexes_in_step_.erase(csv);
        if (errno == ENOENT) return false;
        throw TransientError("cannot open " + csv.string() + ": " + std::strerror(errno),
                             "check permissions on the filing root");
    }
    const std::string text = index_csv_rows(rows, storage_.csv_delimiter);
    const ssize_t written = ::write(fd.get(), text.data(), text.size());
    // A short or failed append leaves the file out of step: rewrite it next time.
    if (written != static_cast<ssize_t>(text.size()) || ::fdatasync(fd.get()) != 0) {
        const int error = errno;
        indexes_in_step_.erase(csv);
        throw TransientError("cannot append to " + csv.string() + ": " + std::strerror(error),
                             "check free space on the filing root");
    }
    return true;
}

fs::path application_folder(const config::Storage& storage,
                            const record::Application& application) {
    return folder_of(storage, application.organisation, application.posting, application.id);
}

void file_application(const config::Storage& storage, const record::Application& application,
                      const std::vector<FileContent>& documents, std::string_view raw_message) {
    Filer(storage, Durability::now).file_application(application, documents, raw_message);
}

void update_record(const config::Storage& storage, const record::Application& application) {
    Filer(storage, Durability::now).update_record(application);
}

fs::path file_failed(const config::Storage& storage, std::string_view organisation,
                     std::string_view id, std::string_view raw_message, std::string_view reason) {
    return Filer(storage, Durability::now).file_failed(organisation, id, raw_message, reason);
}

void write_index(const config::Storage& storage, std::string_view organisation,
                 std::string_view posting, const EachRow& rows) {
    Filer(storage, Durability::now).write_index(organisation, posting, rows);
}

void remove_application(const config::Storage& storage, const record::Application& application) {
    std::error_code error;
    fs::remove_all(application_folder(storage, application), error);
    if (error) {
        throw TransientError("cannot remove " + application_folder(storage, application).string() +
                                 ": " + error.message(),
                             "check permissions on the filing root");
    }
}

}  // namespace intake::store
