#pragma once
// One IMAP connection to one mailbox, over libcurl. Reused for every command of a
// pass (libcurl keeps the connection alive on the one easy handle). Requires TLS:
// imaps://, or imap:// with STARTTLS required; plain imap:// only when tls_verify
// is false and the host is a loopback address (tests). Fetching never sets \Seen.
// Throws TransientError when the server cannot be reached or answers NO/BAD to
// something that may work later, ConfigError on bad credentials or URL.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/secret.h"

namespace intake::imap {

struct Uid {
    std::uint32_t value = 0;
    auto operator<=>(const Uid&) const = default;
};

struct UidValidity {
    std::uint32_t value = 0;
    auto operator<=>(const UidValidity&) const = default;
};

struct ServerSettings {
    std::string url;  ///< imaps://host:port or imap://host:port, no path
    std::string user;
    Secret password;
    bool tls_verify = true;
    std::chrono::seconds timeout{60};
};

struct FolderStatus {
    UidValidity uid_validity;
    std::uint32_t exists = 0;
};

class MailboxClient {
public:
    explicit MailboxClient(ServerSettings settings);
    ~MailboxClient();
    MailboxClient(const MailboxClient&) = delete;
    MailboxClient& operator=(const MailboxClient&) = delete;

    /// Logs in (if not yet) and checks the server answers; used by `intake check`.
    void verify_login();
    /// SELECT (EXAMINE-like use): UIDVALIDITY and message count.
    FolderStatus select(const std::string& folder);
    /// UIDs of every message in the folder, ascending.
    std::vector<Uid> list_uids(const std::string& folder);
    /// The whole raw message, byte for byte, without setting \Seen.
    std::string fetch(const std::string& folder, Uid uid);
    /// Creates the folder when it does not exist (and its parents, "Intake/Processed").
    void ensure_folder(const std::string& folder);
    /// Moves the message: UID MOVE, or UID COPY + \Deleted + UID EXPUNGE without MOVE.
    void move(const std::string& from_folder, Uid uid, const std::string& to_folder);
    /// Appends a raw message (tests and the demo use it to fill a mailbox).
    void append(const std::string& folder, const std::string& raw);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace intake::imap
