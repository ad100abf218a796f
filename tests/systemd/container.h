#pragma once
// A Debian 12 container booted with systemd as PID 1 (systemd-nspawn --boot),
// for testing intake as an admin runs it: package installed with apt, unit
// started with systemctl, logs read with journalctl. The root file system is
// debootstrapped once into a cache folder and unpacked fresh for every
// container. The container shares the host's network, so servers the test
// starts on 127.0.0.1 are reachable from inside. Stopped by PID (SIGTERM to
// systemd-nspawn shuts the container down) when the object goes away.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "fixtures/process.h"
#include "fixtures/temp_dir.h"

namespace intake::systemd_test {

struct CommandResult {
    int status = -1;     ///< exit status, or -1 when it did not exit normally
    std::string output;  ///< stdout and stderr together
};

/// Why containers cannot be booted here, or "" when they can.
std::string why_containers_cannot_boot();

class BootedDebian {
public:
    /// Unpacks the cached root file system (debootstrapping it into `cache` first
    /// when missing) and boots it; returns once the system has finished booting.
    explicit BootedDebian(const std::filesystem::path& cache);
    ~BootedDebian();
    BootedDebian(const BootedDebian&) = delete;
    BootedDebian& operator=(const BootedDebian&) = delete;

    /// Runs `sh -c command` inside the container, as root.
    CommandResult run(const std::string& command) const;
    /// As run(), but a non-zero exit status fails the calling test with the output.
    std::string must_run(const std::string& command) const;
    /// The container's root as the host sees it (to put files in and read them).
    const std::filesystem::path& root() const noexcept { return root_; }

private:
    pid_t leader() const;

    fixtures::TempDir dir_{"intake-container"};
    std::filesystem::path root_;
    std::unique_ptr<fixtures::Process> nspawn_;
    mutable pid_t leader_ = 0;
};

}  // namespace intake::systemd_test
