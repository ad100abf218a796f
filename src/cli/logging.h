#pragma once
// The one logger, built in main() and passed down. Under systemd (stderr is the
// journal) lines carry a <N> priority prefix and no timestamp, since journald
// adds its own; on a terminal they carry timestamps.
#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace intake::cli {

std::shared_ptr<spdlog::logger> make_logger(const std::string& level);

}  // namespace intake::cli
