#include "base/secret.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/errors.h"

namespace intake {

Secret read_secret(const SecretSource& source) {
    std::filesystem::path path = source.file;
    if (path.empty() && !source.credential.empty()) {
        const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
        if (dir == nullptr) {
            throw ConfigError("credential '" + source.credential +
                                  "' requested but $CREDENTIALS_DIRECTORY is not set",
                              "pass it with LoadCredential= in the systemd unit, or use "
                              "password_file instead");
        }
        path = std::filesystem::path(dir) / source.credential;
    }
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
