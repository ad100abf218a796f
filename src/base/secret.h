#pragma once
// A password read from a file or a systemd credential. It never formats as its
// value: only the code that hands it to libcurl calls reveal().
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace intake {

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    const std::string& reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }

private:
    std::string value_;
};

/// Where a password comes from: a file, or a credential passed by systemd's
/// LoadCredential= (read from $CREDENTIALS_DIRECTORY/<name>). Both empty: no password.
/// Outside the service (an admin running `intake check`) there is no
/// $CREDENTIALS_DIRECTORY; the credential is then read from the folder the unit
/// loads it from, `credential_folder` (<config folder>/secrets).
struct SecretSource {
    std::filesystem::path file;
    std::string credential;
    std::filesystem::path credential_folder;
    /// Read ahead: an admin's `intake once` as root reads the root-only secrets
    /// before it becomes the service's user (see cli/privileges.h).
    std::shared_ptr<const Secret> read_ahead = nullptr;
    bool empty() const { return file.empty() && credential.empty(); }
};

/// A warning naming the password file when every user of the machine may read it
/// (mode o+r), else nullopt. Credentials are left out: systemd keeps those private.
std::optional<std::string> exposure_warning(const SecretSource& source);

/// Reads the secret (trailing newline removed). Throws ConfigError naming the
/// file or credential when it cannot be read.
Secret read_secret(const SecretSource& source);

}  // namespace intake
