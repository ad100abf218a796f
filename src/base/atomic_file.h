#pragma once
// Durable file writes: a temporary file in the target folder, written, fsynced,
// renamed into place, then the folder fsynced, so a reader (HR, a restart after
// a crash) sees either the old file or the whole new one, never a part.
#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace intake {

/// Writes `bytes` to `path` atomically with the given mode. Throws TransientError
/// naming the path and errno when the disk refuses.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                           mode_t mode = 0640);

/// fsync on a folder, so a rename or a new entry in it survives a power cut.
void sync_directory(const std::filesystem::path& dir);

/// Creates the folder (and parents) with the given mode; returns normally if it exists.
void make_directories(const std::filesystem::path& dir, mode_t mode = 0750);

}  // namespace intake
