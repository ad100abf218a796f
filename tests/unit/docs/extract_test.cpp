// Text from real documents (made by tests/data/docs/make_docs.py), read in the
// contained child, and containment itself: a reader that crashes, loops, eats
// memory or talks too much gives "unreadable", and the test process lives on.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/errors.h"
#include "docs/docs.h"
#include "docs/formats.h"

namespace intake::docs {
namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(INTAKE_DOCS_FIXTURES) + "/" + name, std::ios::binary);
    EXPECT_TRUE(in) << name;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

ExtractLimits small_limits() {
    ExtractLimits l;
    l.max_archive_bytes = 8u << 20;
    l.cpu = std::chrono::seconds(2);
    l.wall = std::chrono::milliseconds(5000);
    l.memory_bytes = 512u << 20;
    return l;
}

/// Where documents are read: in a child of this process (`intake parse`), of
/// the reader service forked from this process, or of the service as the
/// program intake-reader (the daemon).
enum class Way { this_process, forked_service, reader_program };

std::unique_ptr<ReaderService> service_for(Way way) {
    switch (way) {
        case Way::this_process:
            return nullptr;
        case Way::forked_service:
            return std::make_unique<ReaderService>();
        case Way::reader_program:
            return std::make_unique<ReaderService>(INTAKE_READER_PROGRAM);
    }
    return nullptr;
}

std::string way_name(Way way) {
    constexpr const char* kNames[] = {"InThisProcess", "InAForkedReaderService",
                                      "InTheReaderProgram"};
    return kNames[static_cast<int>(way)];
}

std::string test_name(const ::testing::TestParamInfo<Way>& info) { return way_name(info.param); }

void PrintTo(Way way, std::ostream* out) { *out << way_name(way); }

/// Every format is read every way.
class ReadText : public ::testing::TestWithParam<Way> {
protected:
    const ReaderService* service() const { return service_.get(); }
    Text read(const std::string& name, const std::string& type = "application/octet-stream") {
        return read_text(fixture(name), name, type, small_limits(), service());
    }

private:
    std::unique_ptr<ReaderService> service_ = service_for(GetParam());
};

INSTANTIATE_TEST_SUITE_P(EveryWay, ReadText,
                         ::testing::Values(Way::this_process, Way::forked_service,
                                           Way::reader_program),
                         test_name);

TEST_P(ReadText, PdfWithText) {
    const Text t = read("document1.pdf", "application/pdf");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    EXPECT_EQ(t.method, TextMethod::embedded);
    EXPECT_NE(t.text.find("Curriculum Vitae"), std::string::npos) << t.text;
    EXPECT_NE(t.text.find("Erasmus+ trainee"), std::string::npos) << t.text;
}

TEST_P(ReadText, PdfTableRowsStayOnOneLine) {
    // CVs pair a column of dates with a column of roles: read a column after
    // the other, no date would be beside its role.
    const Text t = read("table.pdf", "application/pdf");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    const auto row = t.text.find("2019 - 2021");
    ASSERT_NE(row, std::string::npos) << t.text;
    const std::string line = t.text.substr(row, t.text.find('\n', row) - row);
    EXPECT_NE(line.find("Trainee, Eurocities"), std::string::npos) << t.text;
}

TEST_P(ReadText, PdfWithAccents) {
    const Text t = read("scan_0002.pdf");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    EXPECT_NE(t.text.find("étudiante"), std::string::npos) << t.text;
}

TEST_P(ReadText, Docx) {
    const Text t = read("Documento1.docx");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    EXPECT_NE(t.text.find("Experiência profissional\n"), std::string::npos) << t.text;
}

TEST_P(ReadText, Odt) {
    const Text t = read("Documento2.odt");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    EXPECT_NE(t.text.find("convenio de prácticas"), std::string::npos) << t.text;
}

TEST_P(ReadText, PlainTextInWindows1252) {
    const Text t = read("notes.txt", "text/plain");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    EXPECT_NE(t.text.find("Je vous prie d'agréer"), std::string::npos) << t.text;
}

TEST_P(ReadText, ScannedPdf) {
    const Text t = read("image_only.pdf", "application/pdf");
    EXPECT_EQ(t.status, TextStatus::scanned) << t.detail;
    EXPECT_TRUE(t.text.empty());
    EXPECT_EQ(t.method, TextMethod::none);
}

TEST_P(ReadText, EncryptedPdf) {
    EXPECT_EQ(read("locked.pdf", "application/pdf").status, TextStatus::encrypted);
}

TEST_P(ReadText, GarbagePdf) {
    const Text t = read("garbage.pdf", "application/pdf");
    EXPECT_EQ(t.status, TextStatus::unreadable);
    EXPECT_TRUE(t.text.empty());
}

TEST_P(ReadText, MacroDocumentIsFlaggedAndStillRead) {
    const Text t = read("macro.docm");
    EXPECT_EQ(t.status, TextStatus::macro);
    EXPECT_NE(t.text.find("Curriculum Vitae"), std::string::npos);
}

TEST_P(ReadText, ZipBombIsRefusedByItsDeclaredSize) {
    const Text t = read("bomb.docx");
    EXPECT_EQ(t.status, TextStatus::unreadable);
    EXPECT_NE(t.detail.find("zip bomb"), std::string::npos) << t.detail;
}

TEST_P(ReadText, ZipBombWithFalseSizesIsRefusedWhileReading) {
    const Text t = read("lying_bomb.docx");
    EXPECT_EQ(t.status, TextStatus::unreadable) << t.detail;
    EXPECT_TRUE(t.text.empty());
}

TEST_P(ReadText, ZipUnderTheLimitIsInflated) {
    // The same file with a larger budget is inflated, then found not to be XML.
    ExtractLimits l = small_limits();
    l.max_archive_bytes = 100u << 20;
    const Text t = read_text(fixture("bomb.docx"), "bomb.docx", "", l, service());
    EXPECT_EQ(t.status, TextStatus::unreadable);
    EXPECT_NE(t.detail.find("XML"), std::string::npos) << t.detail;
}

TEST_P(ReadText, EndlessPdfRunsOutOfTime) {
    ExtractLimits l = small_limits();
    l.cpu = std::chrono::seconds(1);
    const Text t = read_text(fixture("slow.pdf"), "slow.pdf", "application/pdf", l, service());
    EXPECT_EQ(t.status, TextStatus::unreadable);
    EXPECT_FALSE(t.detail.empty());
}

TEST_P(ReadText, ImagesAndUnknownFormatsAreNotRead) {
    EXPECT_EQ(read_text("\x89PNG\r\n\x1a\n....", "photo.png", "image/png", {}, service()).status,
              TextStatus::format);
    EXPECT_EQ(read_text("{\\rtf1 Hello}", "cv.rtf", "application/rtf", {}, service()).status,
              TextStatus::format);
    EXPECT_EQ(read_text("MZ\x90\0", "setup.exe", "application/octet-stream", {}, service()).status,
              TextStatus::format);
}

TEST_P(ReadText, TextIsCutAtTheLimit) {
    ExtractLimits l = small_limits();
    l.max_text_bytes = 100;
    const Text t = read_text(std::string(5000, 'a'), "a.txt", "text/plain", l, service());
    EXPECT_EQ(t.text.size(), 100u);
}

TEST_P(ReadText, TnefUnpacksTheFilesInside) {
    const auto files = unpack_tnef(fixture("winmail.dat"), small_limits(), service());
    ASSERT_TRUE(files.has_value());
    ASSERT_EQ(files->size(), 2u);
    EXPECT_EQ((*files)[0].file_name, "CV Maria Lopez.pdf");
    EXPECT_EQ((*files)[1].file_name, "Carta.docx");
    EXPECT_EQ(read_text((*files)[0].content, "x", "", small_limits(), service()).status,
              TextStatus::ok);
}

TEST_P(ReadText, TnefGarbageUnpacksToNothing) {
    const auto files =
        unpack_tnef(std::string("\x78\x9F\x3E\x22garbage", 11), small_limits(), service());
    EXPECT_TRUE(!files || files->empty());
}

// Containment: what a hostile document could make a parser do, done on purpose.

TEST(Contained, CrashIsReported) {
    std::string failure;
    const auto out = run_contained(
        [] {
            raise(SIGSEGV);
            return std::string("never");
        },
        small_limits(), 100, failure);
    EXPECT_FALSE(out.has_value());
    EXPECT_NE(failure.find("crashed"), std::string::npos) << failure;
}

TEST(Contained, EndlessLoopIsStoppedByTheCpuLimit) {
    ExtractLimits l = small_limits();
    l.cpu = std::chrono::seconds(1);
    std::string failure;
    const auto out = run_contained(
        [] {
            volatile unsigned long n = 0;
            for (;;) n = n + 1;
            return std::string();
        },
        l, 100, failure);
    EXPECT_FALSE(out.has_value());
    EXPECT_FALSE(failure.empty());
}

TEST(Contained, SleepingChildIsKilledAtTheDeadline) {
    ExtractLimits l = small_limits();
    l.wall = std::chrono::milliseconds(300);
    std::string failure;
    const auto out = run_contained(
        [] {
            std::this_thread::sleep_for(std::chrono::hours(1));
            return std::string();
        },
        l, 100, failure);
    EXPECT_FALSE(out.has_value());
    EXPECT_NE(failure.find("ran out of time"), std::string::npos) << failure;
    // Reaped: no child of this process is left, not even a zombie.
    EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
}

TEST(Contained, TooMuchOutputIsRefused) {
    std::string failure;
    const auto out =
        run_contained([] { return std::string(1 << 20, 'x'); }, small_limits(), 1000, failure);
    EXPECT_FALSE(out.has_value());
    EXPECT_NE(failure.find("more than"), std::string::npos) << failure;
}

#if !defined(__SANITIZE_ADDRESS__)
TEST(Contained, MemoryHogFailsInsideTheChild) {
    ExtractLimits l = small_limits();
    l.memory_bytes = 256u << 20;
    std::string failure;
    const auto out = run_contained(
        [] {
            std::string s;
            for (;;) s.append(std::string(1 << 20, 'x'));
            return s;
        },
        l, 100, failure);
    EXPECT_FALSE(out.has_value());
    EXPECT_FALSE(failure.empty());
}
#endif

TEST(Contained, ChildCannotWriteFiles) {
    const std::string path = ::testing::TempDir() + "/intake-contained-write";
    std::remove(path.c_str());
    std::string failure;
    const auto out = run_contained(
        [&] {
            std::ofstream f(path);
            f << std::string(10000, 'x');
            f.flush();
            return std::string(f.good() ? "wrote" : "refused");
        },
        small_limits(), 100, failure);
    // RLIMIT_FSIZE 0: the write is refused (or SIGXFSZ ends the child).
    if (out) {
        EXPECT_EQ(*out, "refused");
    }
    std::ifstream written(path, std::ios::binary | std::ios::ate);
    EXPECT_TRUE(!written || written.tellg() == 0);
    std::remove(path.c_str());
}

// The reader service: its children keep the limits; the service itself going
// away is the daemon's problem (TransientError), never the document's.

/// The only child of this test process: the service.
pid_t only_child() {
    std::ifstream in("/proc/self/task/" + std::to_string(gettid()) + "/children");
    pid_t pid = -1;
    in >> pid;
    return pid;
}

/// The service's own behaviour, forked or as the program.
class ReaderServiceTest : public ::testing::TestWithParam<Way> {
protected:
    ReaderService& service() { return *service_; }

private:
    std::unique_ptr<ReaderService> service_ = service_for(GetParam());
};

INSTANTIATE_TEST_SUITE_P(BothServices, ReaderServiceTest,
                         ::testing::Values(Way::forked_service, Way::reader_program), test_name);

TEST_P(ReaderServiceTest, ASleepingReaderIsKilledAtTheWallClockDeadline) {
    ReaderService& service = this->service();
    ExtractLimits l = small_limits();
    l.cpu = std::chrono::seconds(30);
    l.wall = std::chrono::milliseconds(300);
    const auto start = std::chrono::steady_clock::now();
    const Text t = read_text(fixture("slow.pdf"), "slow.pdf", "application/pdf", l, &service);
    EXPECT_EQ(t.status, TextStatus::unreadable);
    EXPECT_NE(t.detail.find("ran out of time (300 ms)"), std::string::npos) << t.detail;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_P(ReaderServiceTest, TooMuchOutputIsRefused) {
    ReaderService& service = this->service();
    std::string failure;
    const auto out = service.run(Job::read_text, std::string(100000, 'a'), "a.txt", "text/plain",
                                 small_limits(), 1000, failure);
    EXPECT_FALSE(out.has_value());
    EXPECT_NE(failure.find("more than 1000 bytes"), std::string::npos) << failure;
    // The service goes on.
    EXPECT_EQ(read_text("hello", "a.txt", "text/plain", small_limits(), &service).text, "hello");
}

TEST_P(ReaderServiceTest, ThreadsReadTheirOwnDocumentsAtOnce) {
    ReaderService& service = this->service();
    const std::vector<std::pair<std::string, std::string>> wanted = {
        {"document1.pdf", "Erasmus+ trainee"},
        {"Documento1.docx", "Experiência profissional"},
        {"Documento2.odt", "convenio de prácticas"},
        {"notes.txt", "Je vous prie d'agréer"}};
    std::vector<std::string> found(wanted.size() * 4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < found.size(); ++i) {
        const auto& [name, _] = wanted[i % wanted.size()];
        threads.emplace_back([&, i, name = name] {
            found[i] = read_text(fixture(name), name, "", small_limits(), &service).text;
        });
    }
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < found.size(); ++i) {
        EXPECT_NE(found[i].find(wanted[i % wanted.size()].second), std::string::npos)
            << i << ": " << found[i];
    }
}

// One child reads all the documents of a message, each as if alone.

std::vector<mime::Attachment> attachments(const std::vector<std::string>& names) {
    std::vector<mime::Attachment> files;
    for (const auto& name : names) {
        mime::Attachment a;
        a.file_name = name;
        a.content = fixture(name);
        files.push_back(std::move(a));
    }
    return files;
}

std::vector<const mime::Attachment*> pointers(const std::vector<mime::Attachment>& files) {
    std::vector<const mime::Attachment*> out;
    for (const auto& f : files) out.push_back(&f);
    return out;
}

TEST(ReaderService, WarmsUpOnADocumentOfEachKindItReads) {
    std::vector<std::string> names;
    for (const auto& [bytes, name] : warm_up_documents()) {
        const Text t = read_text_here(bytes, name, "", small_limits());
        EXPECT_EQ(t.status, TextStatus::ok) << name << ": " << t.detail;
        EXPECT_FALSE(t.text.empty()) << name;
        names.emplace_back(name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"warm-up.pdf", "warm-up.docx", "warm-up.txt"}));
}

/// Whether poppler's tables are built: its `globalParams`, a
/// std::unique_ptr<GlobalParams> in libpoppler, found by name (Debian ships no
/// header for it), is a single pointer, null when they are not.
bool poppler_tables_built() {
    const auto* params = static_cast<void* const*>(dlsym(RTLD_DEFAULT, "globalParams"));
    return params != nullptr && *params != nullptr;
}

TEST(PdfTablesHeld, KeepPopplersTablesBuiltFromOnePdfToTheNext) {
    const std::string pdf = fixture("document1.pdf");
    ASSERT_EQ(read_pdf(pdf).status, TextStatus::ok);
    EXPECT_FALSE(poppler_tables_built()) << "freed with the last PDF open";
    {
        const PdfTablesHeld held(warm_up_documents()[0].first);
        EXPECT_TRUE(poppler_tables_built());
        const Text t = read_pdf(pdf);
        EXPECT_NE(t.text.find("Erasmus+ trainee"), std::string::npos) << t.text;
        EXPECT_TRUE(poppler_tables_built()) << "freed although a PDF is still open";
    }
    EXPECT_FALSE(poppler_tables_built());
}

TEST_P(ReaderServiceTest, OneChildReadsAMessagesDocumentsInOrder) {
    ReaderService& service = this->service();
    auto files = attachments(
        {"document1.pdf", "Documento1.docx", "notes.txt", "Documento2.odt", "notes.txt"});
    files[2].file_name = "photo.png";
    files[2].content = "\x89PNG\r\n\x1a\n....";
    const std::vector<Text> texts = read_texts(pointers(files), small_limits(), &service);
    ASSERT_EQ(texts.size(), 5u);
    EXPECT_NE(texts[0].text.find("Erasmus+ trainee"), std::string::npos) << texts[0].text;
    EXPECT_NE(texts[1].text.find("Experiência profissional"), std::string::npos);
    EXPECT_EQ(texts[2].status, TextStatus::format);  // an image: read by no child
    EXPECT_NE(texts[3].text.find("convenio de prácticas"), std::string::npos);
    EXPECT_NE(texts[4].text.find("Je vous prie d'agréer"), std::string::npos);
}

TEST_P(ReaderServiceTest, EachDocumentHasTheWallClockToItselfAndOneOutOfTimeStopsNoOther) {
    ReaderService& service = this->service();
    ExtractLimits l = small_limits();
    l.cpu = std::chrono::seconds(30);
    l.wall = std::chrono::milliseconds(300);
    const auto files = attachments({"document1.pdf", "slow.pdf", "slow.pdf", "notes.txt"});
    const auto start = std::chrono::steady_clock::now();
    const std::vector<Text> texts = read_texts(pointers(files), l, &service);
    ASSERT_EQ(texts.size(), 4u);
    EXPECT_NE(texts[0].text.find("Erasmus+ trainee"), std::string::npos) << texts[0].detail;
    for (const std::size_t slow : {1u, 2u}) {
        EXPECT_EQ(texts[slow].status, TextStatus::unreadable);
        EXPECT_NE(texts[slow].detail.find("ran out of time (300 ms)"), std::string::npos)
            << texts[slow].detail;
    }
    EXPECT_NE(texts[3].text.find("Je vous prie d'agréer"), std::string::npos) << texts[3].detail;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_P(ReaderServiceTest, TooMuchOutputIsRefusedForThatDocumentAlone) {
    ReaderService& service = this->service();
    const std::string long_text(100000, 'a');
    const auto outcomes = service.run_each(Job::read_text,
                                           {{"hello", "a.txt", "text/plain"},
                                            {long_text, "b.txt", "text/plain"},
                                            {"goodbye", "c.txt", "text/plain"}},
                                           small_limits(), 1000);
    ASSERT_EQ(outcomes.size(), 3u);
    ASSERT_TRUE(outcomes[0].output.has_value()) << outcomes[0].failure;
    EXPECT_NE(outcomes[0].output->find("hello"), std::string::npos);
    EXPECT_FALSE(outcomes[1].output.has_value());
    EXPECT_NE(outcomes[1].failure.find("more than 1000 bytes"), std::string::npos)
        << outcomes[1].failure;
    ASSERT_TRUE(outcomes[2].output.has_value()) << outcomes[2].failure;
    EXPECT_NE(outcomes[2].output->find("goodbye"), std::string::npos);
}

TEST_P(ReaderServiceTest, AServiceThatWasKilledIsTheDaemonsErrorAndIsReplaced) {
    ReaderService& service = this->service();
    const pid_t pid = only_child();
    ASSERT_GT(pid, 0);
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    ASSERT_GE(pidfd, 0);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    pollfd p{pidfd, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 5000), 1);  // dead, not yet reaped
    close(pidfd);
    EXPECT_THROW(read_text(fixture("document1.pdf"), "cv.pdf", "", small_limits(), &service),
                 TransientError);
    service.ensure_running();
    const Text t = read_text(fixture("document1.pdf"), "cv.pdf", "", small_limits(), &service);
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
}

TEST(ReaderService, LeavesNoProcessBehind) {
    for (const Way way : {Way::forked_service, Way::reader_program}) {
        {
            const auto service = service_for(way);
            EXPECT_EQ(
                read_text(fixture("document1.pdf"), "cv.pdf", "", small_limits(), service.get())
                    .status,
                TextStatus::ok);
        }
        EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
    }
}

TEST_P(ReaderServiceTest, IsTheReaderProgramWhenGivenOne) {
    const pid_t pid = only_child();
    ASSERT_GT(pid, 0);
    const auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe");
    if (GetParam() == Way::reader_program) {
        EXPECT_EQ(exe, std::filesystem::path(INTAKE_READER_PROGRAM));
    } else {
        EXPECT_EQ(exe, std::filesystem::read_symlink("/proc/self/exe"));
    }
}

// The program and how intake finds it.

TEST(ReaderProgram, AProgramThatCannotRunIsAnErrorNamingIt) {
    try {
        ReaderService service("/nonexistent/intake-reader");
        FAIL() << "started";
    } catch (const TransientError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/intake-reader"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
    }
    EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);  // its child reaped
}

TEST(ReaderProgram, RefusesToRunWithoutItsSocket) {
    const std::string command = std::string("'") + INTAKE_READER_PROGRAM + "' 3>&- 2>/dev/null";
    const int status = std::system(command.c_str());
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2);
}

TEST(ReaderProgram, IsFoundBesideIntakeOrInLibIntake) {
    namespace fs = std::filesystem;
    std::string tmpl = (fs::temp_directory_path() / "intake-reader-XXXXXX").string();
    const fs::path root = mkdtemp(tmpl.data());
    fs::create_directories(root / "build");
    fs::create_directories(root / "usr" / "bin");
    fs::create_directories(root / "usr" / "lib" / "intake");
    const auto make_program = [](const fs::path& path) {
        std::ofstream(path) << "#!/bin/sh\n";
        fs::permissions(path, fs::perms::owner_all);
    };
    EXPECT_FALSE(reader_program_beside(root / "build" / "intake"));
    make_program(root / "build" / "intake-reader");
    EXPECT_EQ(reader_program_beside(root / "build" / "intake"), root / "build" / "intake-reader");
    make_program(root / "usr" / "lib" / "intake" / "intake-reader");
    EXPECT_EQ(reader_program_beside(root / "usr" / "bin" / "intake"),
              root / "usr" / "lib" / "intake" / "intake-reader");
    std::ofstream(root / "usr" / "bin" / "intake-reader") << "not executable";
    EXPECT_EQ(reader_program_beside(root / "usr" / "bin" / "intake"),
              root / "usr" / "lib" / "intake" / "intake-reader");
    fs::remove_all(root);
}

}  // namespace
}  // namespace intake::docs
