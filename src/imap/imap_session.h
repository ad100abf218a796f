#pragma once
// The transport under MailboxClient: one libcurl easy handle, reused for every
// request so libcurl keeps one logged-in connection, and the translation of
// libcurl's results into intake's errors. Internal to src/imap/.
//
// libcurl tracks which mailbox it has selected and only sends SELECT when a URL
// names a different one. Every request here names, in its URL, the mailbox its
// command works on (or none, for CREATE/LIST/CAPABILITY), so libcurl's idea of the
// selected mailbox and the server's never drift apart. After any failure the next
// request opens a fresh connection, so no half-known state survives an error.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "imap/imap.h"
#include "net/curl.h"
#include "net/endpoint.h"

namespace intake::imap {

class Session {
public:
    /// Checks the URL against the TLS policy (ConfigError) and prepares the handle.
    /// Does not connect: the first request does.
    explicit Session(const ServerSettings& settings);
    // libcurl holds pointers to this object (write, read and debug callbacks).
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Runs a command whose answer has no literal; returns its untagged lines. An
    /// empty `mailbox` runs it without selecting anything. Throws on any failure.
    std::string command(const std::string& mailbox, const std::string& text);
    /// As command(), but a NO/BAD answer returns false instead of throwing;
    /// last_reply() then holds the server's line.
    bool try_command(const std::string& mailbox, const std::string& text, std::string& untagged);
    /// Runs a command whose answer carries literals (UID FETCH … (BODY.PEEK[])) and
    /// returns every byte the server sent during it, as it came: libcurl gives a
    /// custom command's literals to no write callback, only to its debug callback
    /// (net::Transcript::capture_in). `expected_bytes` sizes the buffer. None when
    /// libcurl lost bytes (a line over 8 KiB, half its default buffer: a larger
    /// buffer would make libcurl count whole reads against its 300 KiB response
    /// limit and fail big messages); the connection is then not reused. The caller checks the
    /// answer's shape and calls distrust_connection() when it is not whole. Throws like command().
    std::optional<std::string> command_verbatim(const std::string& mailbox, const std::string& text,
                                                std::size_t expected_bytes);
    /// The next request opens a fresh connection (unread bytes may be waiting).
    void distrust_connection() noexcept { fresh_connection_ = true; }
    /// The whole message by UID, byte for byte (libcurl's ";UID=" URL form);
    /// `expected_bytes` (its RFC822.SIZE, when known) sizes the buffer at once.
    std::string fetch(const std::string& mailbox, Uid uid, std::size_t expected_bytes = 0);
    /// One section of it ("HEADER"), byte for byte.
    std::string fetch_section(const std::string& mailbox, Uid uid, const std::string& section);
    /// Uploads a message with APPEND; returns the server's tagged reply line.
    std::string append(const std::string& mailbox, const std::string& raw);

    /// The server's last tagged reply line ("A005 NO [ALREADYEXISTS] …").
    const std::string& last_reply() const noexcept { return transcript_.last_reply(); }
    /// Counts failed requests; cached knowledge about the server (capabilities,
    /// separator) is only trusted while this stays the same.
    std::uint64_t failures() const noexcept { return failures_; }
    const std::string& url() const noexcept { return endpoint_.base_url; }

private:
    struct Upload {
        const std::string* data = nullptr;
        size_t offset = 0;
    };
    CURLcode perform(const std::string& url, const std::string* custom, const std::string* upload,
                     std::size_t expected_bytes = 0);
    [[noreturn]] void fail(CURLcode code, const std::string& action);
    static size_t on_write(char* data, size_t size, size_t count, void* self) noexcept;
    static size_t on_read(char* buffer, size_t size, size_t count, void* self) noexcept;

    std::string user_;
    net::Endpoint endpoint_;
    net::TlsTrust trust_;
    // Declared before easy_ so they outlive it: curl_easy_cleanup() still sends
    // LOGOUT through the callbacks that use them.
    net::Transcript transcript_;
    std::string received_;
    Upload upload_;
    net::CurlEasy easy_;
    bool fresh_connection_ = false;
    std::uint64_t failures_ = 0;
};

}  // namespace intake::imap
