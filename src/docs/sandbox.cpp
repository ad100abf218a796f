// The contained child: document parsers (poppler, libzip, pugixml, uchardet,
// libytnef) read hostile bytes, so they run in a process of their own that can
// crash, loop or eat memory without harming the daemon.
//
// Why fork() without exec(): the daemon is single-threaded (curl handles are
// used one at a time and no library starts threads), so a forked child may run
// ordinary code; the child already has the bytes in memory, and needs no second
// binary, argv protocol or path to itself (posix_spawn of /proc/self/exe with a
// hidden subcommand would work too, but must copy the bytes through a pipe and
// re-read nothing else). The cost: the child holds a copy of the daemon's
// memory. It closes every descriptor but its pipe (no IMAP socket, no SQLite
// file), holds no password (they are read from files only while connecting),
// can write no file (RLIMIT_FSIZE 0), open few (RLIMIT_NOFILE), and dies on
// RLIMIT_CPU / RLIMIT_AS. The parent reads at most max_output bytes before a
// wall-clock deadline, then kills the child by its PID and always reaps it.
// Under AddressSanitizer RLIMIT_AS is left alone: ASan reserves terabytes of
// address space for its shadow memory and could not start under a real bound.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "base/unique_fd.h"
#include "docs/formats.h"

#if defined(__SANITIZE_ADDRESS__)
#define INTAKE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define INTAKE_ASAN 1
#endif
#endif

namespace intake::docs {
namespace {

using Clock = std::chrono::steady_clock;

void limit(int resource, rlim_t value) {
    const rlimit r{value, value};
    setrlimit(resource, &r);  // best effort: a failure leaves the wall-clock deadline
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

[[noreturn]] void child_main(int out_fd, const std::function<std::string()>& job,
                             const ExtractLimits& limits) {
    // Keep only stdin/out/err (for sanitizer reports) and the pipe, moved to 3.
    if (out_fd != 3) {
        dup2(out_fd, 3);
        out_fd = 3;
    }
    close_range(4, ~0U, 0);
    prctl(PR_SET_DUMPABLE, 0);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    const auto cpu = static_cast<rlim_t>(std::max<long long>(1, limits.cpu.count()));
    const rlimit cpu_limit{cpu, cpu + 1};  // SIGXCPU at the soft limit, SIGKILL one second later
    setrlimit(RLIMIT_CPU, &cpu_limit);
#ifndef INTAKE_ASAN
    limit(RLIMIT_AS, limits.memory_bytes);
#endif
    limit(RLIMIT_FSIZE, 0);
    limit(RLIMIT_CORE, 0);
    limit(RLIMIT_NOFILE, 16);
    // A reader that crashes dies of its signal, so the parent reports a crash,
    // whatever handlers the daemon or a sanitizer installed before the fork.
    for (const int fatal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(fatal, SIG_DFL);
    int status = 0;
    try {
        const std::string output = job();
        status = write_all(out_fd, output) ? 0 : 3;
    } catch (...) {
        status = 2;
    }
    // _exit: no atexit handlers or stdio buffers of the parent run twice.
    _exit(status);
}

std::string describe(int status) {
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        if (sig == SIGXCPU) return "the document reader ran out of CPU time";
        return std::string("the document reader crashed (") + strsignal(sig) + ")";
    }
    if (WIFEXITED(status)) {
        return "the document reader failed (exit " + std::to_string(WEXITSTATUS(status)) + ")";
    }
    return "the document reader failed";
}

/// Waits for the child until the deadline, then kills it; always reaps it. The
/// wait is a poll on a pidfd, which wakes the moment the child exits: a child
/// has usually closed its pipe but not yet exited when the parent gets here.
int reap(pid_t pid, Clock::time_point deadline, bool& killed) {
    const UniqueFd child(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    int status = 0;
    for (;;) {
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return status;
        const auto now = Clock::now();
        if (now >= deadline) break;
        // Rounded up: a wait rounded down to 0 ms would give up before the deadline.
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        if (child.get() >= 0) {
            pollfd p{child.get(), POLLIN, 0};
            poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));  // no pidfd (old kernel)
        }
    }
    killed = true;
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

}  // namespace

std::optional<std::string> run_contained(const std::function<std::string()>& job,
                                         const ExtractLimits& limits, std::size_t max_output,
                                         std::string& failure) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        failure = std::string("cannot create a pipe: ") + std::strerror(errno);
        return std::nullopt;
    }
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    const pid_t pid = fork();
    if (pid < 0) {
        failure = std::string("cannot start the document reader: ") + std::strerror(errno);
        return std::nullopt;
    }
    if (pid == 0) child_main(write_end.get(), job, limits);
    write_end.close();

    const auto deadline = Clock::now() + limits.wall;
    std::string output;
    bool too_much = false;
    char buffer[65536];
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        pollfd p{read_end.get(), POLLIN, 0};
        const int ready = poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) break;
        const ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // end of output (or an error): the child is done
        output.append(buffer, static_cast<std::size_t>(n));
        if (output.size() > max_output) {
            too_much = true;
            break;
        }
    }
    bool killed = false;
    // After the output ends the child only has to exit; give it a moment, not the
    // whole deadline again, so a child that closes its pipe and loops is caught.
    const auto exit_deadline =
        too_much ? Clock::now() : std::min(deadline, Clock::now() + std::chrono::seconds(2));
    const int status = reap(pid, exit_deadline, killed);
    if (too_much) {
        failure = "the document reader produced more than " + std::to_string(max_output) + " bytes";
        return std::nullopt;
    }
    if (killed && Clock::now() >= deadline) {
        failure =
            "the document reader ran out of time (" + std::to_string(limits.wall.count()) + " ms)";
        return std::nullopt;
    }
    if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        failure = killed ? "the document reader did not exit" : describe(status);
        return std::nullopt;
    }
    return output;
}

}  // namespace intake::docs
