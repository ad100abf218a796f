#include "base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/errors.h"
#include "base/unique_fd.h"

namespace intake {
namespace {

[[noreturn]] void fail(const std::string& action, const std::filesystem::path& path, int err) {
    throw TransientError(action + " " + path.string() + ": " + std::strerror(err),
                         "check free space and permissions on that file system");
}

void write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write", path, errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

/// Writes, sets the mode (the umask must not narrow what HR's group may read),
/// fsyncs when asked, and closes.
void write_and_close(UniqueFd& fd, const std::filesystem::path& path, std::string_view bytes,
                     mode_t mode, Durability durability) {
    write_all(fd.get(), bytes, path);
    if (::fchmod(fd.get(), mode) != 0) fail("cannot set the mode of", path, errno);
    if (durability == Durability::now && ::fsync(fd.get()) != 0) fail("cannot fsync", path, errno);
    if (fd.close() != 0) fail("cannot close", path, errno);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes, mode_t mode,
                           Durability durability) {
    const std::filesystem::path dir = path.parent_path();
    // The temporary name lives in the same folder so the rename never crosses
    // file systems, and starts with '.' so HR's file browser hides it.
    std::string tmp_name = "." + path.filename().string();
    if (tmp_name.size() > 200) tmp_name.resize(200);
    const std::filesystem::path tmp = dir / (tmp_name + ".tmp-" + std::to_string(::getpid()));
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) fail("cannot create", tmp, errno);
    try {
        write_and_close(fd, tmp, bytes, mode, durability);
        if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename into", path, errno);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    if (durability == Durability::now) sync_directory(dir);
}

void write_new_file(const std::filesystem::path& path, std::string_view bytes, mode_t mode,
                    Durability durability) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!fd) fail("cannot create", path, errno);
    write_and_close(fd, path, bytes, mode, durability);
    if (durability == Durability::now) sync_directory(path.parent_path());
}

FilesystemSync::FilesystemSync(const std::filesystem::path& folder)
    : folder_(folder), fd_(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (!fd_) fail("cannot open folder", folder, errno);
}

void FilesystemSync::sync() {
    if (::syncfs(fd_.get()) != 0) fail("cannot sync the file system of", folder_, errno);
}

EarlyWriteback::EarlyWriteback(const std::filesystem::path& folder)
    : fd_(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (!fd_) fail("cannot open folder", folder, errno);
    thread_ = std::thread([this] { run(); });
}

EarlyWriteback::~EarlyWriteback() {
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        ending_ = true;
    }
    asked_.notify_one();
    thread_.join();
}

void EarlyWriteback::start() {
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        pending_ = true;
    }
    asked_.notify_one();
}

void EarlyWriteback::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        asked_.wait(lock, [this] { return pending_ || ending_; });
        if (ending_) return;
        pending_ = false;
        lock.unlock();
        // Its result is not ours to report: the group's FilesystemSync reports
        // any write that failed, on its own descriptor.
        (void)::syncfs(fd_.get());
        lock.lock();
    }
}

void sync_directory(const std::filesystem::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) fail("cannot open folder", dir, errno);
    if (::fsync(fd.get()) != 0) fail("cannot fsync folder", dir, errno);
}

void make_directories(const std::filesystem::path& dir, mode_t mode) {
    std::filesystem::path current;
    for (const auto& part : dir) {
        current /= part;
        if (::mkdir(current.c_str(), mode) == 0) {
            ::chmod(current.c_str(), mode);  // not narrowed by the umask
            continue;
        }
        if (errno != EEXIST) fail("cannot create folder", current, errno);
    }
}

}  // namespace intake
