// The contained child: document parsers (poppler, libzip, pugixml, uchardet,
// libytnef) read hostile bytes, so they run in a process of their own that can
// crash, loop or eat memory without harming the daemon.
//
// The children are forked without exec(): a forked child may run ordinary code
// when the process that forks is single-threaded. Two such processes fork them:
//   - run_contained(): the calling process itself, for single-threaded callers
//     (`intake parse`, the tests); the child already has the bytes in memory.
//   - ReaderService: a small process of its own that receives each job's bytes
//     through a socket. The daemon starts it as the program intake-reader
//     (fork, then exec: only async-signal-safe calls between them, so a daemon
//     that has threads may start it again): a fresh image with the document
//     libraries alone, about half the mappings of intake, which every child
//     copies at fork and tears down at exit. Without the program (the tests,
//     a copied binary) it is a fork of the caller at start, before it grows or
//     starts threads. It stays single-threaded; the daemon's threads only talk
//     to it, so none of them ever forks.
// Either child closes every descriptor but its pipe or socket (no IMAP socket,
// no SQLite file), holds no password (they are read from files only while
// connecting), can write no file (RLIMIT_FSIZE 0), open few (RLIMIT_NOFILE),
// and dies on RLIMIT_CPU / RLIMIT_AS. Its parent kills it at a wall-clock
// deadline by its PID (safe: only the parent reaps it) and always reaps it;
// the daemon reads at most max_output bytes of its answer.
// Under AddressSanitizer RLIMIT_AS is left alone: ASan reserves terabytes of
// address space for its shadow memory and could not start under a real bound.
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <span>
#include <thread>

#include "base/errors.h"
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

using namespace std::string_view_literals;

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

/// Closes every descriptor of this (forked) process but 0-2, for sanitizer
/// reports, and `keep_fd`, which it moves to 3; returns 3.
int keep_only(int keep_fd) {
    if (keep_fd != 3) dup2(keep_fd, 3);
    close_range(4, ~0U, 0);
    return 3;
}

rlim_t cpu_seconds(const ExtractLimits& limits) {
    return static_cast<rlim_t>(std::max<long long>(1, limits.cpu.count()));
}

/// Limits this process (the contained child of `documents` documents) as its
/// parent cannot: keep_only() its pipe or socket, then rlimits; returns the
/// descriptor it kept. The CPU limit is the first document's; each next one's is
/// set by limit_next_document().
int contain(int keep_fd, const ExtractLimits& limits, std::size_t documents = 1) {
    const int kept = keep_only(keep_fd);
    prctl(PR_SET_DUMPABLE, 0);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    const rlim_t cpu = cpu_seconds(limits);
    // SIGXCPU at the soft limit; SIGKILL one second after the last document's.
    const rlimit cpu_limit{cpu, static_cast<rlim_t>(documents) * (cpu + 1)};
    setrlimit(RLIMIT_CPU, &cpu_limit);
#ifndef INTAKE_ASAN
    limit(RLIMIT_AS, limits.memory_bytes);
#endif
    limit(RLIMIT_FSIZE, 0);
    limit(RLIMIT_CORE, 0);
    limit(RLIMIT_NOFILE, 16);
    // A reader that crashes dies of its signal, so the parent reports a crash,
    // whatever handlers the daemon or a sanitizer installed before the fork.
    for (const int fatal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM}) {
        std::signal(fatal, SIG_DFL);
    }
    sigset_t alarm;
    sigemptyset(&alarm);
    sigaddset(&alarm, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &alarm, nullptr);
    return kept;
}

/// Gives the next document of a contained child the limits of a document read
/// alone: `limits.wall` of real time from now (SIGALRM, whose default action
/// ends the process; the service's own deadline stays as the backstop) and
/// `limits.cpu` of CPU time beyond what the process has used, rounded up.
void limit_next_document(const ExtractLimits& limits) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto used_seconds =
        static_cast<rlim_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + 1);
    rlimit cpu{};
    getrlimit(RLIMIT_CPU, &cpu);
    cpu.rlim_cur = std::min(cpu.rlim_max, used_seconds + cpu_seconds(limits));
    setrlimit(RLIMIT_CPU, &cpu);
    const long long wall_ms = std::max<long long>(1, limits.wall.count());
    itimerval timer{};
    timer.it_value.tv_sec = static_cast<time_t>(wall_ms / 1000);
    timer.it_value.tv_usec = static_cast<suseconds_t>(wall_ms % 1000 * 1000);
    setitimer(ITIMER_REAL, &timer, nullptr);
}

void stop_document_clock() {
    const itimerval off{};
    setitimer(ITIMER_REAL, &off, nullptr);
}

[[noreturn]] void child_main(int out_fd, const std::function<std::string()>& job,
                             const ExtractLimits& limits) {
    out_fd = contain(out_fd, limits);
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

std::string out_of_time(const ExtractLimits& limits) {
    return "the document reader ran out of time (" + std::to_string(limits.wall.count()) + " ms)";
}

std::string describe(int status, const ExtractLimits& limits) {
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        if (sig == SIGXCPU) return "the document reader ran out of CPU time";
        if (sig == SIGALRM) return out_of_time(limits);
        return std::string("the document reader crashed (") + strsignal(sig) + ")";
    }
    if (WIFEXITED(status)) {
        return "the document reader failed (exit " + std::to_string(WEXITSTATUS(status)) + ")";
    }
    return "the document reader failed";
}

enum class ReadEnd { end_of_file, deadline, too_much };

/// Reads `fd` into `into` until end of file (or a read error), the deadline, or
/// more than `limit` bytes.
ReadEnd read_until_end(int fd, Clock::time_point deadline, std::size_t limit, std::string& into) {
    char buffer[65536];
    for (;;) {
        const auto now = Clock::now();
        if (now >= deadline) return ReadEnd::deadline;
        // Rounded up: a wait rounded down to 0 ms would give up before the deadline.
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        pollfd p{fd, POLLIN, 0};
        const int ready = poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR) return ReadEnd::end_of_file;
        if (ready <= 0) continue;  // interrupted, or time is up: the check above decides
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return ReadEnd::end_of_file;
        into.append(buffer, static_cast<std::size_t>(n));
        if (into.size() > limit) return ReadEnd::too_much;
    }
}

std::string too_much_output(std::size_t max_output) {
    return "the document reader produced more than " + std::to_string(max_output) + " bytes";
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
    const bool too_much =
        read_until_end(read_end.get(), deadline, max_output, output) == ReadEnd::too_much;
    bool killed = false;
    // After the output ends the child only has to exit; give it a moment, not the
    // whole deadline again, so a child that closes its pipe and loops is caught.
    const auto exit_deadline =
        too_much ? Clock::now() : std::min(deadline, Clock::now() + std::chrono::seconds(2));
    const int status = reap(pid, exit_deadline, killed);
    if (too_much) {
        failure = too_much_output(max_output);
        return std::nullopt;
    }
    if (killed && Clock::now() >= deadline) {
        failure = out_of_time(limits);
        return std::nullopt;
    }
    if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        failure = killed ? "the document reader did not exit" : describe(status, limits);
        return std::nullopt;
    }
    return output;
}

// --- The reader service ---------------------------------------------------------
//
// The daemon and the service share one SOCK_SEQPACKET control socket. For each
// job the daemon makes a stream socketpair and sends one end with the job's
// limits and its number of documents (a Request) over the control socket. The
// service forks the contained child, which receives the documents, each a
// FramedFile, from its end until the daemon shuts down its writing side. The
// child then reads them one after another, each under limit_next_document(),
// writes each answer as "<bytes>\n<answer>" as soon as it has it, and exits.
// The service waits for it on a pidfd, killing it at the job's wall-clock
// deadline (every document's wall time together; it is its parent, so the PID
// cannot have been reused), then writes a Trailer with its wait status to its
// own copy of the same socket: it always comes after everything the child
// wrote. The daemon reads the answers and the trailer until end of file; the
// first answer missing names the document that ended the child.

namespace {

struct Request {
    Job job = Job::read_text;
    std::uint64_t max_archive_bytes = 0;
    std::uint64_t max_text_bytes = 0;
    std::int64_t cpu_seconds = 0;
    std::uint64_t memory_bytes = 0;
    std::int64_t wall_ms = 0;
    std::uint32_t documents = 1;
    std::uint64_t input_bytes = 0;  ///< what the daemon sends, headers included
};

struct Trailer {
    char magic[4] = {'I', 'N', 'T', 'K'};
    std::int32_t wait_status = 0;
    std::int32_t timed_out = 0;
};

ExtractLimits limits_of(const Request& r) {
    ExtractLimits l;
    l.max_archive_bytes = r.max_archive_bytes;
    l.max_text_bytes = r.max_text_bytes;
    l.cpu = std::chrono::seconds(r.cpu_seconds);
    l.memory_bytes = r.memory_bytes;
    l.wall = std::chrono::milliseconds(r.wall_ms);
    return l;
}

/// Reads `fd` to its end into `into`, which is sized for `expected` bytes at
/// once: no copy through a buffer, no growing step by step.
bool read_all(int fd, std::string& into, std::size_t expected) {
    into.resize(expected + 1);  // one byte more, where the end of input is found
    std::size_t used = 0;
    for (;;) {
        if (used == into.size()) into.resize(into.size() * 2);
        const ssize_t n = ::read(fd, into.data() + used, into.size() - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    into.resize(used);
    return true;
}

/// The contained child of one job: its documents from the socket, their answers to it.
[[noreturn]] void job_main(int socket, const Request& request) {
    const ExtractLimits limits = limits_of(request);
    socket = contain(socket, limits, request.documents);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // the service killed with the daemon takes it along
    int status = 2;
    try {
        std::string input;
        if (read_all(socket, input, request.input_bytes)) {
            std::string_view rest = input;
            status = 0;
            for (std::uint32_t n = 0; n < request.documents && status == 0; ++n) {
                FramedFile file;
                if (!take_framed_file(rest, file)) {
                    status = 2;
                    break;
                }
                limit_next_document(limits);
                const std::string output =
                    perform(request.job, file.content, file.name, file.media_type, limits);
                stop_document_clock();
                const std::string frame = std::to_string(output.size()) + "\n";
                status = write_all(socket, frame) && write_all(socket, output) ? 0 : 3;
            }
        }
    } catch (...) {
        status = 2;
    }
    _exit(status);
}

struct RunningJob {
    pid_t pid;
    UniqueFd pidfd;
    UniqueFd socket;  // the service's copy, for the trailer
    Clock::time_point deadline;
    bool timed_out = false;
};

std::optional<RunningJob> receive_job(int control, bool& daemon_gone) {
    Request request;
    iovec io{&request, sizeof request};
    alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    msg.msg_control = space;
    msg.msg_controllen = sizeof space;
    const ssize_t n = recvmsg(control, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) return std::nullopt;
    if (n <= 0) {
        daemon_gone = true;
        return std::nullopt;
    }
    const cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (c == nullptr || c->cmsg_type != SCM_RIGHTS) return std::nullopt;
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    UniqueFd socket(fd);
    if (static_cast<std::size_t>(n) != sizeof request) return std::nullopt;  // closes: EOF
    const pid_t pid = fork();
    if (pid < 0) return std::nullopt;  // the daemon reads EOF without a trailer
    if (pid == 0) job_main(socket.get(), request);
    const auto wall = std::chrono::milliseconds(std::max<std::int64_t>(0, request.wall_ms));
    RunningJob job{pid, UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0))),
                   std::move(socket),
                   Clock::now() + wall * std::max<std::uint32_t>(1, request.documents), false};
    return job;
}

void finish(RunningJob& job) {
    Trailer t;
    int status = 0;
    while (waitpid(job.pid, &status, 0) < 0 && errno == EINTR) {
    }
    t.wait_status = status;
    t.timed_out = job.timed_out ? 1 : 0;
    // The daemon may have stopped reading (too much output): never block on it.
    const timeval patience{2, 0};
    setsockopt(job.socket.get(), SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof patience);
    (void)send(job.socket.get(), &t, sizeof t, MSG_NOSIGNAL);
}

/// A PDF of our own with one line of text, read once by the service itself
/// (warm_up) so that its children inherit a warmed reader.
constexpr std::string_view kWarmUpPdf = R"pdf(%PDF-1.4
1 0 obj
<< /Type /Catalog /Pages 2 0 R >>
endobj
2 0 obj
<< /Type /Pages /Kids [3 0 R] /Count 1 >>
endobj
3 0 obj
<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 50] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>
endobj
4 0 obj
<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>
endobj
5 0 obj
<< /Length 71 >>
stream
BT /F1 12 Tf 10 20 Td (Curriculum vitae: professional experience) Tj ET
endstream
endobj
xref
0 6
0000000000 65535 f 
0000000009 00000 n 
0000000058 00000 n 
0000000115 00000 n 
0000000240 00000 n 
0000000310 00000 n 
trailer
<< /Size 6 /Root 1 0 R >>
startxref
431
%%EOF
)pdf";

/// A DOCX of our own (made by Python's zipfile, entries stored) with one line of
/// text, read at the same time so that libzip's and pugixml's are warm too.
constexpr std::string_view kWarmUpDocx =
    "PK\x03\x04\x14\x00\x00\x00\x00\x00\xfbm\x86]}\x8f\xc3"
    "9M\x00\x00\x00M\x00\x00\x00\x13"
    "\x00\x00\x00[Content_Types].xml<Types xmlns=\x22http://schemas.openxmlformats.org/pack"
    "age/2006/content-types\x22/>PK\x03\x04\x14\x00\x00\x00\x00\x00\xfbm\x86]\x0c\x92\xcc\x04"
    "\xa6\x00\x00\x00\xa6\x00\x00\x00\x11\x00\x00\x00word/document.xml<w:document xmlns:w=\x22"
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main\x22><w:body><w:p><w:r><w:"
    "t>Lettre de motivation</w:t></w:r></w:p></w:body></w:document>PK\x01\x02\x14\x03\x14\x00"
    "\x00\x00\x00\x00\xfbm\x86]}\x8f\xc3"
    "9M\x00\x00\x00M\x00\x00\x00\x13\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00\x00\x00[Content_Types].xmlPK\x01\x02\x14\x03\x14"
    "\x00\x00\x00\x00\x00\xfbm\x86]\x0c\x92\xcc\x04\xa6\x00\x00\x00\xa6\x00\x00\x00\x11\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01~\x00\x00\x00word/document.xmlPK\x05\x06"
    "\x00\x00\x00\x00\x02\x00\x02\x00\x80\x00\x00\x00S\x01\x00\x00\x00\x00"sv;

constexpr std::pair<std::string_view, std::string_view> kWarmUpDocuments[] = {
    {kWarmUpPdf, "warm-up.pdf"},
    {kWarmUpDocx, "warm-up.docx"},
    {"Lettre de motivation : expérience à l'étranger\n", "warm-up.txt"}};

void warm_up() {
    for (const auto& [bytes, name] : kWarmUpDocuments) {
        try {
            (void)perform(Job::read_text, bytes, name, {}, ExtractLimits{});
        } catch (...) {  // a cold child is only slower
        }
    }
}

}  // namespace

[[noreturn]] void serve_reader_jobs(int control) {
    control = keep_only(control);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // A terminal's Ctrl-C is for the daemon, which stops between messages; the
    // service and its children go when the daemon closes the control socket.
    for (const int sig : {SIGINT, SIGQUIT, SIGHUP, SIGPIPE, SIGTERM}) std::signal(sig, SIG_IGN);
    // The first document a process reads resolves the parsers' symbols, loads
    // iconv modules and builds poppler's tables. Done once here, on bytes of our
    // own, it is inherited by every child instead of paid for by each; the
    // tables stay built only while a PDF is open.
    const PdfTablesHeld pdf_tables(kWarmUpPdf);
    warm_up();
    // What the warm-up freed goes back, and with it malloc's lists of small free
    // chunks, which each child would otherwise walk, copying every page it touched.
    malloc_trim(0);
    std::vector<RunningJob> jobs;
    bool daemon_gone = false;
    while (!daemon_gone) {
        std::vector<pollfd> fds{{control, POLLIN, 0}};
        int timeout = -1;
        const auto now = Clock::now();
        for (const auto& j : jobs) {
            fds.push_back({j.pidfd.get(), POLLIN, 0});
            if (!j.timed_out) {
                const auto left = std::chrono::ceil<std::chrono::milliseconds>(j.deadline - now);
                const int ms = static_cast<int>(std::max<long long>(0, left.count()));
                timeout = timeout < 0 ? ms : std::min(timeout, ms);
            }
        }
        if (poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) break;
        for (std::size_t i = jobs.size(); i-- > 0;) {
            if (fds[i + 1].revents == 0) continue;
            finish(jobs[i]);
            jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(i));
        }
        for (auto& j : jobs) {
            if (!j.timed_out && Clock::now() >= j.deadline) {
                kill(j.pid, SIGKILL);
                j.timed_out = true;
            }
        }
        if (fds[0].revents != 0) {
            if (auto job = receive_job(control, daemon_gone)) jobs.push_back(std::move(*job));
        }
    }
    for (auto& j : jobs) kill(j.pid, SIGKILL);
    for (auto& j : jobs) finish(j);
    _exit(0);
}

namespace {

[[noreturn]] void service_gone() {
    throw TransientError(
        "the document reader service stopped",
        "intake starts a new one at its next pass; if it keeps stopping, look for the "
        "kernel's out-of-memory killer in `journalctl -k`");
}

bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

std::span<const std::pair<std::string_view, std::string_view>> warm_up_documents() {
    return kWarmUpDocuments;
}

namespace {

[[noreturn]] void cannot_start(const std::string& what, int error) {
    throw TransientError(
        "cannot start the document reader service" + what + ": " + std::strerror(error),
        "reinstall intake if the program is missing or not executable");
}

/// In the child of fork(): the control socket becomes descriptor 3 of `program`.
/// Only async-signal-safe calls. A failed exec() writes its errno to `report`,
/// which exec() would have closed (O_CLOEXEC), so the parent reads 0 bytes
/// exactly when the program runs.
[[noreturn]] void exec_reader_program(const std::filesystem::path& program, int control,
                                      int report) {
    // The report must not be where the socket goes, nor lose O_CLOEXEC.
    if (report == 3) report = fcntl(report, F_DUPFD_CLOEXEC, 4);
    // dup2() clears O_CLOEXEC on 3 alone: the program inherits the socket, and
    // anything else the caller left open it closes first thing (keep_only).
    const bool placed = control == 3 ? fcntl(3, F_SETFD, 0) == 0 : dup2(control, 3) == 3;
    if (placed) {
        char name[] = "intake-reader";
        char* const argv[] = {name, nullptr};
        execv(program.c_str(), argv);
    }
    const int error = errno;
    (void)::write(report, &error, sizeof error);
    _exit(127);
}

}  // namespace

struct ReaderService::Impl {
    std::optional<std::filesystem::path> program;
    pid_t pid = -1;
    UniqueFd control;
    std::mutex sending;  // one control message at a time

    void start() {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
            cannot_start("", errno);
        }
        UniqueFd mine(sv[0]), theirs(sv[1]);
        int report[2];
        if (program && pipe2(report, O_CLOEXEC) != 0) cannot_start("", errno);
        UniqueFd report_read(program ? report[0] : -1), report_write(program ? report[1] : -1);
        const pid_t child = fork();
        if (child < 0) cannot_start("", errno);
        if (child == 0) {
            if (program) exec_reader_program(*program, theirs.get(), report_write.get());
            serve_reader_jobs(theirs.get());
        }
        pid = child;
        control = std::move(mine);
        if (program) confirm_exec(report_read, report_write);
    }

    /// Waits until the child has become the program, or reaps it and says why not.
    void confirm_exec(UniqueFd& report_read, UniqueFd& report_write) {
        report_write.close();
        int error = 0;
        ssize_t n;
        do {
            n = ::read(report_read.get(), &error, sizeof error);
        } while (n < 0 && errno == EINTR);
        if (n == 0) return;
        stop();
        cannot_start(" " + program->string(), n == sizeof error ? error : EIO);
    }

    void stop() {
        if (pid < 0) return;
        control.close();  // the service kills its children and exits
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        pid = -1;
    }
};

ReaderService::ReaderService(std::optional<std::filesystem::path> program)
    : impl_(std::make_unique<Impl>()) {
    impl_->program = std::move(program);
    impl_->start();
}

std::optional<std::filesystem::path> reader_program_beside(
    const std::filesystem::path& executable) {
    const std::filesystem::path dir = executable.parent_path();
    for (const auto& candidate :
         {dir / "intake-reader", dir / ".." / "lib" / "intake" / "intake-reader"}) {
        if (access(candidate.c_str(), X_OK) == 0) return candidate.lexically_normal();
    }
    return std::nullopt;
}

std::optional<std::filesystem::path> installed_reader_program() {
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) return std::nullopt;
    return reader_program_beside(self);
}

ReaderService::~ReaderService() { impl_->stop(); }

void ReaderService::ensure_running() {
    int status = 0;
    if (impl_->pid > 0 && waitpid(impl_->pid, &status, WNOHANG) == 0) return;
    impl_->pid = -1;  // reaped (or never started)
    impl_->control.close();
    impl_->start();
}

std::optional<std::string> ReaderService::run(Job job, std::string_view bytes,
                                              std::string_view file_name,
                                              std::string_view media_type,
                                              const ExtractLimits& limits, std::size_t max_output,
                                              std::string& failure) const {
    Outcome outcome =
        std::move(run_each(job, {{bytes, file_name, media_type}}, limits, max_output).front());
    if (!outcome.output) failure = std::move(outcome.failure);
    return std::move(outcome.output);
}

namespace {

/// Takes the complete answers "<bytes>\n<answer>" at the front of `answers`, at
/// most `wanted`; an answer over `max_output` is refused.
std::vector<ReaderService::Outcome> take_answers(std::string_view answers, std::size_t wanted,
                                                 std::size_t max_output) {
    std::vector<ReaderService::Outcome> taken;
    std::size_t size = 0;
    while (taken.size() < wanted && read_numbers(answers, &size, 1) && size <= answers.size()) {
        if (size > max_output) {
            taken.push_back({std::nullopt, too_much_output(max_output)});
        } else {
            taken.push_back({std::string(answers.substr(0, size)), {}});
        }
        answers.remove_prefix(size);
    }
    return taken;
}

/// Why the child stopped before answering for every document, from the trailer.
std::string why_it_stopped(const Trailer& t, const ExtractLimits& limits) {
    if (t.timed_out != 0) return out_of_time(limits);
    if (WIFEXITED(t.wait_status) && WEXITSTATUS(t.wait_status) == 0) {
        return "the document reader's answer was garbled";
    }
    return describe(t.wait_status, limits);
}

}  // namespace

std::vector<ReaderService::Outcome> ReaderService::run_each(Job job,
                                                            const std::vector<Input>& inputs,
                                                            const ExtractLimits& limits,
                                                            std::size_t max_output) const {
    if (inputs.empty()) return {};
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        throw TransientError(std::string("cannot create a socket for the document reader: ") +
                             std::strerror(errno));
    }
    UniqueFd mine(sv[0]), theirs(sv[1]);
    Request request;
    request.job = job;
    request.max_archive_bytes = limits.max_archive_bytes;
    request.max_text_bytes = limits.max_text_bytes;
    request.cpu_seconds = limits.cpu.count();
    request.memory_bytes = limits.memory_bytes;
    request.wall_ms = limits.wall.count();
    request.documents = static_cast<std::uint32_t>(inputs.size());
    std::vector<std::string> headers;
    for (const Input& in : inputs) {
        headers.push_back(frame_header({in.file_name, in.media_type, in.bytes}));
        request.input_bytes +=
            headers.back().size() + in.file_name.size() + in.media_type.size() + in.bytes.size();
    }
    {
        iovec io{&request, sizeof request};
        alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int))] = {};
        msghdr msg{};
        msg.msg_iov = &io;
        msg.msg_iovlen = 1;
        msg.msg_control = space;
        msg.msg_controllen = sizeof space;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        const int fd = theirs.get();
        std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
        const std::lock_guard<std::mutex> one_at_a_time(impl_->sending);
        ssize_t sent;
        do {
            sent = sendmsg(impl_->control.get(), &msg, MSG_NOSIGNAL);
        } while (sent < 0 && errno == EINTR);
        if (sent != static_cast<ssize_t>(sizeof request)) service_gone();
    }
    theirs.close();

    // A child that dies while reading (a limit) stops taking input: go on to its answers.
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Input& in = inputs[i];
        if (!(send_all(mine.get(), headers[i]) && send_all(mine.get(), in.file_name) &&
              send_all(mine.get(), in.media_type) && send_all(mine.get(), in.bytes))) {
            break;
        }
    }
    shutdown(mine.get(), SHUT_WR);

    // The service kills the child at its deadline; this one only guards against
    // a service that stopped answering.
    const auto deadline =
        Clock::now() + limits.wall * static_cast<long>(inputs.size()) + std::chrono::seconds(10);
    const std::size_t frame_bytes = max_output + 24;  // an answer and its size line
    std::string answer;
    const ReadEnd end =
        read_until_end(mine.get(), deadline, frame_bytes * inputs.size() + sizeof(Trailer), answer);
    if (end == ReadEnd::deadline) service_gone();
    std::string stopped;
    if (end == ReadEnd::too_much) {
        // Closing the socket ends the child (EPIPE).
        stopped = too_much_output(max_output);
    } else {
        Trailer t;
        if (answer.size() < sizeof t ||
            std::memcmp(answer.data() + answer.size() - sizeof t, t.magic, sizeof t.magic) != 0) {
            service_gone();
        }
        std::memcpy(&t, answer.data() + answer.size() - sizeof t, sizeof t);
        answer.resize(answer.size() - sizeof t);
        stopped = why_it_stopped(t, limits);
    }
    std::vector<Outcome> outcomes = take_answers(answer, inputs.size(), max_output);
    if (outcomes.size() == inputs.size()) return outcomes;
    // The document being read when the child stopped is the reason; the ones
    // after it were never tried, and go to a new child.
    outcomes.push_back({std::nullopt, stopped});
    mine.close();
    const std::vector<Input> rest(inputs.begin() + static_cast<std::ptrdiff_t>(outcomes.size()),
                                  inputs.end());
    for (auto& outcome : run_each(job, rest, limits, max_output)) {
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

}  // namespace intake::docs
