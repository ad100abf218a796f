#include "systemd/container.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <thread>

namespace intake::systemd_test {
namespace fs = std::filesystem;
namespace {

constexpr std::chrono::seconds kBootTimeout{180};

std::string shell_quote(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

/// Runs a host shell command, stdout and stderr together.
CommandResult host(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
    std::array<char, 4096> buffer{};
    size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        result.output.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

/// The Debian 12 root file system as a tarball in `cache`, made once: debootstrap
/// takes a minute or two, unpacking a copy a few seconds.
fs::path cached_root_tarball(const fs::path& cache) {
    const fs::path tarball = cache / "bookworm-systemd.tar";
    if (fs::exists(tarball)) return tarball;
    fs::create_directories(cache);
    const fs::path staging = cache / "root.partial";
    fs::remove_all(staging);
    const CommandResult made =
        host("debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm " +
             shell_quote(staging.string()) + " http://deb.debian.org/debian");
    if (made.status != 0) {
        throw std::runtime_error(
            "debootstrap failed (is deb.debian.org reachable?):\n" +
            made.output.substr(made.output.size() > 3000 ? made.output.size() - 3000 : 0));
    }
    const fs::path partial = cache / "bookworm-systemd.tar.partial";
    const CommandResult packed = host("tar -C " + shell_quote(staging.string()) + " -cf " +
                                      shell_quote(partial.string()) + " .");
    if (packed.status != 0) throw std::runtime_error("cannot pack the root: " + packed.output);
    fs::rename(partial, tarball);
    fs::remove_all(staging);
    return tarball;
}

}  // namespace

std::string why_containers_cannot_boot() {
    if (::geteuid() != 0) return "booting a container with systemd-nspawn needs root";
    // systemd-nspawn cannot boot a container inside one of its own containers
    // (such as the one scripts/fresh-check runs `make test` in).
    const CommandResult virt = host("systemd-detect-virt --container");
    if (virt.output.rfind("systemd-nspawn", 0) == 0) {
        return "already inside a systemd-nspawn container, which cannot boot another";
    }
    return "";
}

BootedDebian::BootedDebian(const fs::path& cache) : root_(dir_ / "root") {
    const fs::path tarball = cached_root_tarball(cache);
    fs::create_directories(root_);
    const CommandResult unpacked =
        host("tar -C " + shell_quote(root_.string()) + " -xf " + shell_quote(tarball.string()));
    if (unpacked.status != 0) throw std::runtime_error("cannot unpack: " + unpacked.output);
    // No host D-Bus to register with, and the test runs outside any systemd unit.
    nspawn_ = std::make_unique<fixtures::Process>(
        std::vector<std::string>{"/usr/bin/systemd-nspawn", "-D", root_.string(), "--boot",
                                 "--register=no", "--keep-unit", "-q"},
        dir_ / "console.log");
    const auto deadline = std::chrono::steady_clock::now() + kBootTimeout;
    for (;;) {
        if (!nspawn_->running()) {
            throw std::runtime_error("the container stopped while booting:\n" +
                                     fixtures::read_file(dir_ / "console.log"));
        }
        if (leader() != 0) {
            const CommandResult state = run("systemctl is-system-running --wait");
            if (state.output.rfind("running", 0) == 0 || state.output.rfind("degraded", 0) == 0) {
                return;
            }
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("the container did not finish booting:\n" +
                                     fixtures::read_file(dir_ / "console.log"));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

BootedDebian::~BootedDebian() {
    // SIGTERM makes systemd-nspawn shut the container down cleanly.
    if (nspawn_) nspawn_->stop(std::chrono::seconds(30));
}

pid_t BootedDebian::leader() const {
    if (leader_ != 0) return leader_;
    // The container's PID 1 is the child of systemd-nspawn.
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string stat;
        try {
            stat = fixtures::read_file(entry.path() / "stat");
        } catch (const std::runtime_error&) {
            continue;
        }
        const auto after_name = stat.rfind(')');
        if (after_name == std::string::npos) continue;
        char state = 0;
        int parent = 0;
        if (std::sscanf(stat.c_str() + after_name + 2, "%c %d", &state, &parent) == 2 &&
            parent == nspawn_->pid()) {
            leader_ = std::stoi(name);
            break;
        }
    }
    return leader_;
}

CommandResult BootedDebian::run(const std::string& command) const {
    // A clean environment: the host's variables (and the test's) stay outside.
    return host("nsenter -t " + std::to_string(leader()) +
                " -a /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "
                "SYSTEMD_PAGER=cat /bin/sh -c " +
                shell_quote(command));
}

std::string BootedDebian::must_run(const std::string& command) const {
    const CommandResult result = run(command);
    EXPECT_EQ(result.status, 0) << "in the container: " << command << "\n" << result.output;
    return result.output;
}

}  // namespace intake::systemd_test
