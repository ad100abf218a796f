#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "store/store.h"

namespace intake::store {
namespace fs = std::filesystem;
namespace {

constexpr mode_t kFileMode = 0640;
constexpr mode_t kFolderMode = 0750;

/// Gives HR's group the folder or file; a missing group is a config problem.
void give_to_group(const config::Storage& storage, const fs::path& path) {
    if (storage.group.empty()) return;
    const group* g = ::getgrnam(storage.group.c_str());
    if (g == nullptr) {
        throw ConfigError("storage.group '" + storage.group + "' does not exist",
                          "create the group (groupadd) or change storage.group");
    }
    // Under a setgid filing root (the packaged tmpfiles.d entry makes one) new files
    // already belong to the group; skipping chown then lets the unit forbid it.
    struct stat current {};
    if (::stat(path.c_str(), &current) == 0 && current.st_gid == g->gr_gid) return;
    if (::chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0) {
        throw TransientError("cannot give " + path.string() + " to group " + storage.group + ": " +
                                 std::strerror(errno),
                             "make the intake user a member of that group");
    }
}

void make_folder(const config::Storage& storage, const fs::path& dir) {
    make_directories(dir, kFolderMode);
    give_to_group(storage, dir);
}

void write_file(const config::Storage& storage, const fs::path& path, std::string_view bytes) {
    write_file_atomically(path, bytes, kFileMode);
    give_to_group(storage, path);
}

std::string record_text(const record::Application& application) {
    return to_json(application).dump(2) + "\n";
}

/// Replaces `final_dir` by the fully written `staging` dir in one rename.
void move_into_place(const fs::path& staging, const fs::path& final_dir) {
    // A folder left by an attempt that crashed before its commit is ours to replace:
    // the database never recorded it, so nobody was told of it.
    std::error_code ignored;
    fs::remove_all(final_dir, ignored);
    if (::rename(staging.c_str(), final_dir.c_str()) != 0) {
        throw TransientError("cannot rename " + staging.string() + " to " + final_dir.string() +
                                 ": " + std::strerror(errno),
                             "check permissions on the filing root");
    }
    sync_directory(final_dir.parent_path());
}

/// Writes a folder's files into a hidden staging folder beside `final_dir`, then
/// puts it in place. If anything fails on the way (a full or read-only disk), the
/// staging folder goes too: nothing half-written is left for HR to find.
template <typename WriteFiles>
void build_folder(const config::Storage& storage, const fs::path& final_dir,
                  WriteFiles write_files) {
    const fs::path staging =
        final_dir.parent_path() / (".staging-" + final_dir.filename().string());
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    try {
        make_folder(storage, staging);
        write_files(staging);
        move_into_place(staging, final_dir);
    } catch (const Error&) {
        fs::remove_all(staging, ignored);  // best effort; the next attempt removes it too
        throw;
    }
}

}  // namespace

fs::path application_folder(const config::Storage& storage,
                            const record::Application& application) {
    return storage.root / application.organisation / application.posting / application.id;
}

void file_application(const config::Storage& storage, const record::Application& application,
                      const std::vector<FileContent>& documents, std::string_view raw_message) {
    const fs::path final_dir = application_folder(storage, application);
    const fs::path posting_dir = final_dir.parent_path();
    make_folder(storage, storage.root / application.organisation);
    make_folder(storage, posting_dir);
    build_folder(storage, final_dir, [&](const fs::path& staging) {
        for (const auto& doc : documents) write_file(storage, staging / doc.name, doc.bytes);
        write_file(storage, staging / "message.eml", raw_message);
        write_file(storage, staging / "application.json", record_text(application));
    });
}

void update_record(const config::Storage& storage, const record::Application& application) {
    const fs::path dir = application_folder(storage, application);
    if (!fs::is_directory(dir)) return;  // erased meanwhile (intake forget)
    write_file(storage, dir / "application.json", record_text(application));
}

fs::path file_failed(const config::Storage& storage, std::string_view organisation,
                     std::string_view id, std::string_view raw_message, std::string_view reason) {
    const fs::path failed_root = storage.root / std::string(organisation) / "_failed";
    make_folder(storage, storage.root / std::string(organisation));
    make_folder(storage, failed_root);
    const fs::path final_dir = failed_root / std::string(id);
    build_folder(storage, final_dir, [&](const fs::path& staging) {
        write_file(storage, staging / "message.eml", raw_message);
        write_file(storage, staging / "reason.txt", std::string(reason) + "\n");
    });
    return final_dir;
}

void write_index(const config::Storage& storage, std::string_view organisation,
                 std::string_view posting, const std::vector<record::Application>& rows) {
    const fs::path dir = storage.root / std::string(organisation) / std::string(posting);
    make_folder(storage, dir);
    write_file(storage, dir / "applications.csv", index_csv(rows, storage.csv_delimiter));
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
