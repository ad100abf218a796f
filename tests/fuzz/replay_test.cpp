// Replays every file of tests/data/fuzz/<target>/ through its fuzz target in the
// normal build: each is an input a fuzzer once crashed, hung or leaked on (named
// after what it found), so the fix stays tested by `make test` without clang. The
// committed IMAP seeds (tests/data/fuzz/seeds/imap/) are replayed too. A target
// reports a problem by throwing or crashing, which fails the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_targets.h"

namespace intake::fuzz {
namespace {

namespace fs = std::filesystem;

using Target = std::function<int(const std::uint8_t*, std::size_t)>;

std::string read_all(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The files of a folder, sorted; none when it does not exist.
std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> files;
    if (!fs::is_directory(dir)) return files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().filename() != "README.md") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::size_t replay(const fs::path& dir, const Target& target) {
    const auto files = files_in(dir);
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        const std::string bytes = read_all(file);
        EXPECT_NO_THROW(target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    }
    return files.size();
}

const fs::path kData = INTAKE_FUZZ_DATA;

TEST(FuzzReplay, Decide) { replay(kData / "decide", fuzz_decide); }
TEST(FuzzReplay, Imap) {
    replay(kData / "imap", fuzz_imap);
    EXPECT_GT(replay(kData / "seeds" / "imap", fuzz_imap), 0u) << "the committed IMAP seeds";
}
TEST(FuzzReplay, Words) { replay(kData / "words", fuzz_words); }
TEST(FuzzReplay, Route) { replay(kData / "route", fuzz_route); }
TEST(FuzzReplay, Config) { replay(kData / "config", fuzz_config); }

// The targets themselves must accept the smallest inputs.
TEST(FuzzReplay, EmptyInputs) {
    for (const Target& target : {Target(fuzz_decide), Target(fuzz_imap), Target(fuzz_words),
                                 Target(fuzz_route), Target(fuzz_config)}) {
        EXPECT_EQ(target(nullptr, 0), 0);
        const std::uint8_t one = '\n';
        EXPECT_EQ(target(&one, 1), 0);
    }
}

}  // namespace
}  // namespace intake::fuzz
