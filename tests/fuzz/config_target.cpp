// The configuration reader: a private copy of the shipped config/ folder is made
// once (in $TMPDIR), then for each input one of its TOML files — chosen by the
// input's first byte — is replaced by the rest of the input and the whole
// configuration is loaded with load_config(), as `intake check` and the daemon do.
// Replacing one file in a valid setup reaches the loaders behind the main file
// (postings, rules, phrases) as well as the main file's own keys. A ConfigError is
// the documented outcome of a bad file; anything else escapes as a finding.
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

#include "base/errors.h"
#include "config/config.h"
#include "fuzz_targets.h"

namespace intake::fuzz {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 4> kFiles = {
    "intake.toml",
    "postings/atlantic-cities.toml",
    "rules.toml",
    "templates/atlantic-cities/en/phrases.toml",
};

std::string read_all(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_all(const fs::path& file, std::string_view text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

/// The copy of config/, removed when the process ends normally.
class ConfigCopy {
public:
    ConfigCopy() {
        std::string dir = (fs::temp_directory_path() / "intake-fuzz-config-XXXXXX").string();
        if (mkdtemp(dir.data()) == nullptr) throw InternalError("mkdtemp failed for " + dir);
        root_ = dir;
        fs::copy(INTAKE_SOURCE_DIR "/config", root_, fs::copy_options::recursive);
        for (std::size_t i = 0; i < kFiles.size(); ++i) originals_[i] = read_all(root_ / kFiles[i]);
    }
    ~ConfigCopy() {
        std::error_code ignored;  // best effort at exit; the folder is in $TMPDIR
        fs::remove_all(root_, ignored);
    }
    ConfigCopy(const ConfigCopy&) = delete;
    ConfigCopy& operator=(const ConfigCopy&) = delete;

    fs::path path(std::size_t i) const { return root_ / kFiles[i]; }
    const std::string& original(std::size_t i) const { return originals_[i]; }
    fs::path main_file() const { return root_ / "intake.toml"; }

private:
    fs::path root_;
    std::array<std::string, kFiles.size()> originals_;
};

}  // namespace

int fuzz_config(const std::uint8_t* data, std::size_t size) {
    static const ConfigCopy copy;
    if (size == 0) return 0;
    const std::size_t which = data[0] % kFiles.size();
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    write_all(copy.path(which), text);
    // Put the shipped file back however the load ends, so the next input starts
    // from a valid setup again (the replay test runs many inputs in one process).
    struct Restore {
        const ConfigCopy& copy;
        std::size_t which;
        ~Restore() { write_all(copy.path(which), copy.original(which)); }
    } restore{copy, which};
    try {
        const config::Config config = config::load_config(copy.main_file());
        (void)config::secret_warnings(config);
    } catch (const ConfigError&) {
        // A bad file: `intake check` prints it and the daemon exits with status 2.
    }
    return 0;
}

}  // namespace intake::fuzz
