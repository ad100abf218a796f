// Text from real documents (made by tests/data/docs/make_docs.py), read in the
// contained child, and containment itself: a reader that crashes, loops, eats
// memory or talks too much gives "unreadable", and the test process lives on.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

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

Text read(const std::string& name, const std::string& type = "application/octet-stream") {
    return read_text(fixture(name), name, type, small_limits());
}

TEST(ReadText, PdfWithText) {
    const Text t = read("document1.pdf", "application/pdf");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    EXPECT_EQ(t.method, TextMethod::embedded);
    EXPECT_NE(t.text.find("Curriculum Vitae"), std::string::npos) << t.text;
    EXPECT_NE(t.text.find("Erasmus+ trainee"), std::string::npos) << t.text;
}

TEST(ReadText, PdfWithAccents) {
    const Text t = read("scan_0002.pdf");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    EXPECT_NE(t.text.find("étudiante"), std::string::npos) << t.text;
}

TEST(ReadText, Docx) {
    const Text t = read("Documento1.docx");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    EXPECT_NE(t.text.find("Experiência profissional\n"), std::string::npos) << t.text;
}

TEST(ReadText, Odt) {
    const Text t = read("Documento2.odt");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    EXPECT_NE(t.text.find("convenio de prácticas"), std::string::npos) << t.text;
}

TEST(ReadText, PlainTextInWindows1252) {
    const Text t = read("notes.txt", "text/plain");
    EXPECT_EQ(t.status, TextStatus::ok) << t.detail;
    EXPECT_NE(t.text.find("Je vous prie d'agréer"), std::string::npos) << t.text;
}

TEST(ReadText, ScannedPdf) {
    const Text t = read("image_only.pdf", "application/pdf");
    EXPECT_EQ(t.status, TextStatus::scanned) << t.detail;
    EXPECT_TRUE(t.text.empty());
    EXPECT_EQ(t.method, TextMethod::none);
}

TEST(ReadText, EncryptedPdf) {
    EXPECT_EQ(read("locked.pdf", "application/pdf").status, TextStatus::encrypted);
}

TEST(ReadText, GarbagePdf) {
    const Text t = read("garbage.pdf", "application/pdf");
    EXPECT_EQ(t.status, TextStatus::unreadable);
    EXPECT_TRUE(t.text.empty());
}

TEST(ReadText, MacroDocumentIsFlaggedAndStillRead) {
    const Text t = read("macro.docm");
    EXPECT_EQ(t.status, TextStatus::macro);
    EXPECT_NE(t.text.find("Curriculum Vitae"), std::string::npos);
}

TEST(ReadText, ZipBombIsRefusedByItsDeclaredSize) {
    const Text t = read("bomb.docx");
    EXPECT_EQ(t.status, TextStatus::unreadable);
    EXPECT_NE(t.detail.find("zip bomb"), std::string::npos) << t.detail;
}

TEST(ReadText, ZipBombWithFalseSizesIsRefusedWhileReading) {
    const Text t = read("lying_bomb.docx");
    EXPECT_EQ(t.status, TextStatus::unreadable) << t.detail;
    EXPECT_TRUE(t.text.empty());
}

TEST(ReadText, ZipUnderTheLimitIsInflated) {
    // The same file with a larger budget is inflated, then found not to be XML.
    ExtractLimits l = small_limits();
    l.max_archive_bytes = 100u << 20;
    const Text t = read_text(fixture("bomb.docx"), "bomb.docx", "", l);
    EXPECT_EQ(t.status, TextStatus::unreadable);
    EXPECT_NE(t.detail.find("XML"), std::string::npos) << t.detail;
}

TEST(ReadText, EndlessPdfRunsOutOfTime) {
    ExtractLimits l = small_limits();
    l.cpu = std::chrono::seconds(1);
    const Text t = read_text(fixture("slow.pdf"), "slow.pdf", "application/pdf", l);
    EXPECT_EQ(t.status, TextStatus::unreadable);
    EXPECT_FALSE(t.detail.empty());
}

TEST(ReadText, ImagesAndUnknownFormatsAreNotRead) {
    EXPECT_EQ(read_text("\x89PNG\r\n\x1a\n....", "photo.png", "image/png", {}).status,
              TextStatus::format);
    EXPECT_EQ(read_text("{\\rtf1 Hello}", "cv.rtf", "application/rtf", {}).status,
              TextStatus::format);
    EXPECT_EQ(read_text("MZ\x90\0", "setup.exe", "application/octet-stream", {}).status,
              TextStatus::format);
}

TEST(ReadText, TextIsCutAtTheLimit) {
    ExtractLimits l = small_limits();
    l.max_text_bytes = 100;
    const Text t = read_text(std::string(5000, 'a'), "a.txt", "text/plain", l);
    EXPECT_EQ(t.text.size(), 100u);
}

TEST(Tnef, UnpacksTheFilesInside) {
    const auto files = unpack_tnef(fixture("winmail.dat"), small_limits());
    ASSERT_TRUE(files.has_value());
    ASSERT_EQ(files->size(), 2u);
    EXPECT_EQ((*files)[0].file_name, "CV Maria Lopez.pdf");
    EXPECT_EQ((*files)[1].file_name, "Carta.docx");
    EXPECT_EQ(read_text((*files)[0].content, "x", "", small_limits()).status, TextStatus::ok);
}

TEST(Tnef, GarbageUnpacksToNothing) {
    const auto files = unpack_tnef(std::string("\x78\x9F\x3E\x22garbage", 11), small_limits());
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

}  // namespace
}  // namespace intake::docs
