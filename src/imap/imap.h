#pragma once
// One IMAP connection to one mailbox, over libcurl. Reused for every command of a
// pass (libcurl keeps the connection alive on the one easy handle). Requires TLS:
// imaps://, or imap:// with STARTTLS required; plain imap:// only when tls_verify
// is false and the host is a loopback address (tests). Fetching never sets \Seen.
// Throws TransientError when the server cannot be reached or answers NO/BAD to
// something that may work later, ConfigError on bad credentials or URL.
// IdleWatcher waits for new mail with IDLE on a second connection of its own.
#include <chrono>
#include <cstdint>
#include <functional>
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
    std::string ca_file;  ///< PEM CA certificates to trust instead of the system's store
    std::chrono::seconds timeout{60};
};

/// A message's size as the server reports it (RFC822.SIZE), known before fetching.
struct MessageSize {
    Uid uid;
    std::uint64_t bytes = 0;
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
    /// The sizes of these messages, by UID ascending (a UID no longer in the folder is
    /// left out), so that a message over the size limit is never downloaded whole.
    std::vector<MessageSize> list_sizes(const std::string& folder, const std::vector<Uid>& uids);
    /// The whole raw message, byte for byte, without setting \Seen.
    std::string fetch(const std::string& folder, Uid uid);
    /// Only the message's header (up to and with the blank line), without setting \Seen.
    std::string fetch_header(const std::string& folder, Uid uid);

    /// Fetches several messages of one folder, in the order given, handing each
    /// whole raw message to `on_message`; stops early when `on_message` returns
    /// false. One command per 50 lists their flags and sizes; then one
    /// "UID FETCH <set> (BODY.PEEK[])" fetches each chunk of small messages (240 KiB
    /// in all at most: libcurl's limit on one command's response), and messages over
    /// that are fetched one per command, \Seen (which that sets) taken away again
    /// in one command per chunk. A chunk whose answer is not whole is fetched again
    /// one message at a time. Memory stays bounded by one chunk or one message.
    /// Returns the UIDs the folder no longer has (moved or deleted by another
    /// client), which are skipped.
    std::vector<Uid> fetch_each(const std::string& folder, const std::vector<Uid>& uids,
                                const std::function<bool(Uid, std::string)>& on_message);
    /// Creates the folder when it does not exist (and its parents, "Intake/Processed").
    void ensure_folder(const std::string& folder);
    /// Moves the message: UID MOVE, or UID COPY + \Deleted + UID EXPUNGE without MOVE.
    void move(const std::string& from_folder, Uid uid, const std::string& to_folder);
    /// Moves several messages with one command by UID set ("UID MOVE 3:7,9"), or
    /// UID COPY + \Deleted + UID EXPUNGE by set without MOVE.
    void move_all(const std::string& from_folder, const std::vector<Uid>& uids,
                  const std::string& to_folder);
    /// Appends a raw message (tests and the demo use it to fill a mailbox).
    void append(const std::string& folder, const std::string& raw);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Waits for new mail in one folder with IMAP IDLE (RFC 2177) on a connection of
/// its own, next to the MailboxClient that does the work: it only says "something
/// arrived", and the caller then polls. It opens the folder read-only (EXAMINE), so
/// it never changes anything. libcurl has no IDLE; the connection is libcurl's
/// (CONNECT_ONLY: TLS and login as for MailboxClient), the conversation ours.
/// Nothing blocks while idling: the caller waits on socket() with poll() and calls
/// take_news() when it is readable. Any failure closes the connection; start() again.
class IdleWatcher {
public:
    /// `folder` in our "/" notation, as for MailboxClient. Does not connect.
    IdleWatcher(ServerSettings settings, std::string folder);
    ~IdleWatcher();
    IdleWatcher(const IdleWatcher&) = delete;
    IdleWatcher& operator=(const IdleWatcher&) = delete;

    /// Connects, logs in, opens the folder and starts IDLE. Returns false (and closes)
    /// when the server does not announce IDLE. Throws ConfigError on bad credentials,
    /// TransientError on anything that may work later.
    bool start();
    bool idling() const noexcept;
    /// The socket to wait on for reading while idling, -1 otherwise.
    int socket() const noexcept;
    /// Reads, without blocking, whatever the server sent (call it when socket() is
    /// readable: with TLS, bytes already read may sit in libcurl's TLS layer where
    /// poll() no longer sees them, so it reads until nothing is left). True when new
    /// mail was announced. Throws TransientError when the connection ended.
    bool take_news();
    /// Ends IDLE and starts it again; servers may drop a client idling for 30
    /// minutes, so call it well before (idling_since()). True when new mail was
    /// announced meanwhile. Throws like take_news().
    bool renew();
    /// When IDLE was last (re)started.
    std::chrono::steady_clock::time_point idling_since() const noexcept;
    /// Ends IDLE and logs out, best effort and within about a second; closes.
    void stop() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace intake::imap
