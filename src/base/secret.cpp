#include "base/secret.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/errors.h"

namespace intake {
namespace {

/// The packaged unit loads the whole secrets folder with
/// LoadCredential=intake:/etc/intake/secrets, which systemd names
/// "intake_<file name>"; an admin's own LoadCredential=<name>:<file> keeps the name.
constexpr const char* kPackagedCredentialPrefix = "intake_";

std::filesystem::path credential_path(const SecretSource& source) {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr) {
        if (source.credential_folder.empty()) {
            throw ConfigError("credential '" + source.credential +
                                  "' requested but $CREDENTIALS_DIRECTORY is not set",
                              "pass it with LoadCredential= in the systemd unit, or use "
                              "password_file instead");
        }
        return source.credential_folder / source.credential;
    }
    const std::filesystem::path own = std::filesystem::path(dir) / source.credential;
    const std::filesystem::path packaged =
        std::filesystem::path(dir) / (kPackagedCredentialPrefix + source.credential);
    std::error_code ignored;
    return std::filesystem::exists(own, ignored) || !std::filesystem::exists(packaged, ignored)
               ? own
               : packaged;
}

}  // namespace

std::optional<std::string> exposure_warning(const SecretSource& source) {
    struct stat st {};
    // Only the file itself matters (a symlink's own mode says nothing); one that
    // cannot be stat'ed is read_secret's to report.
    if (source.file.empty() || ::stat(source.file.c_str(), &st) != 0) return std::nullopt;
    if ((st.st_mode & S_IROTH) == 0) return std::nullopt;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return "password file " + source.file.string() + " is readable by every user (mode " + mode +
           "); run chmod o-r on it (0600, or 0640 with the intake group)";
}

Secret read_secret(const SecretSource& source) {
    if (source.read_ahead) return *source.read_ahead;
    std::filesystem::path path = source.file;
    if (path.empty() && !source.credential.empty()) path = credential_path(source);
    if (path.empty()) return Secret{};
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError("cannot read password file " + path.string(),
                          "check that it exists and is readable by the intake user");
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string value = text.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return Secret(std::move(value));
}

}  // namespace intake
