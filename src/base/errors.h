#pragma once
// Error classes split by what the caller must do, never by library.
//   ConfigError    bad configuration at start-up or reload: exit 2, or keep the old config
//   TransientError network, server or lock trouble: retry later with backoff
//   PermanentError this message or reply cannot be handled: set it aside, carry on
//   InternalError  a broken invariant (a bug): log critical, exit 1
// Every error carries a hint: what the admin can do about it.
#include <stdexcept>
#include <string>

namespace intake {

class Error : public std::runtime_error {
public:
    Error(const std::string& what, std::string hint = {})
        : std::runtime_error(what), hint_(std::move(hint)) {}
    const std::string& hint() const noexcept { return hint_; }

private:
    std::string hint_;
};

class ConfigError : public Error {
    using Error::Error;
};
class TransientError : public Error {
    using Error::Error;
};
class PermanentError : public Error {
    using Error::Error;
};
class InternalError : public Error {
    using Error::Error;
};

/// "what (hint)" for one log line.
inline std::string describe(const Error& e) {
    return e.hint().empty() ? std::string(e.what()) : std::string(e.what()) + " — " + e.hint();
}

}  // namespace intake
