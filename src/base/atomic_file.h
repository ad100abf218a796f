#pragma once
// Durable file writes: a temporary file in the target folder, written, fsynced,
// renamed into place, then the folder fsynced, so a reader (HR, a restart after
// a crash) sees either the old file or the whole new one, never a part.
#include <sys/types.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <thread>

#include "base/unique_fd.h"

namespace intake {

/// `now`: the file (and its folder entry) is on disk when the call returns.
/// `deferred`: the same write, temporary name and rename included, without the
/// fsyncs; the caller makes a whole group of files durable at once with
/// FilesystemSync before anything depends on them.
enum class Durability { now, deferred };

/// Writes `bytes` to `path` atomically with the given mode. Throws TransientError
/// naming the path and errno when the disk refuses.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                           mode_t mode = 0640, Durability durability = Durability::now);

/// Creates `path`, which must not exist, and writes `bytes` to it: for a file in
/// a folder nobody reads until it is itself renamed into place (a staging
/// folder), where a temporary name and a rename per file would only cost time.
void write_new_file(const std::filesystem::path& path, std::string_view bytes, mode_t mode = 0640,
                    Durability durability = Durability::now);

/// Makes every write on one file system durable with a single syncfs(2): file
/// data, new folder entries and renames alike. Since Linux 5.8 syncfs reports a
/// write-back error that happened on the file system after this object was made
/// (or after the previous sync()), so a lost write is never taken for a durable one.
class FilesystemSync {
public:
    /// `folder`: any existing folder on that file system (opened now).
    explicit FilesystemSync(const std::filesystem::path& folder);
    /// Throws TransientError when the file system reports an error.
    void sync();

private:
    std::filesystem::path folder_;
    UniqueFd fd_;
};

/// Has the kernel start writing a file system's dirty data out, from a thread of
/// its own (a syncfs(2) on a descriptor of its own), each time it is asked, so
/// that the FilesystemSync which ends a group of writes finds little left to
/// wait for, instead of every core waiting on the disk at once. It only starts
/// writes early: FilesystemSync is still what makes them durable and what
/// reports a failed write (each descriptor keeps its own view of the errors).
class EarlyWriteback {
public:
    /// `folder`: any existing folder on that file system (opened now).
    explicit EarlyWriteback(const std::filesystem::path& folder);
    /// Waits for a write-out under way, then ends the thread.
    ~EarlyWriteback();
    EarlyWriteback(const EarlyWriteback&) = delete;
    EarlyWriteback& operator=(const EarlyWriteback&) = delete;

    /// Returns at once; asks made while a write-out runs make one more after it.
    void start();

private:
    void run();

    UniqueFd fd_;
    std::mutex mutex_;
    std::condition_variable asked_;
    bool pending_ = false;
    bool ending_ = false;
    std::thread thread_;
};

/// fsync on a folder, so a rename or a new entry in it survives a power cut.
void sync_directory(const std::filesystem::path& dir);

/// Creates the folder (and parents) with the given mode; returns normally if it exists.
void make_directories(const std::filesystem::path& dir, mode_t mode = 0750);

}  // namespace intake
