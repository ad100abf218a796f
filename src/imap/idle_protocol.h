#pragma once
// Pure pieces of the IDLE conversation (RFC 2177), kept apart from the socket so
// they can be tested without a server: a buffer that cuts the server's bytes into
// whole responses, and the meaning of each response while the client waits.
// Internal to src/imap/; IdleWatcher (idle.h) feeds it what curl_easy_recv returns.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace intake::imap {

/// Collects bytes from the server and hands out whole responses, one at a time,
/// without the CRLF. A line announcing a literal ("… {12}") carries on after the
/// literal's bytes, so a response is always whole (RFC 3501 §4.3). A response
/// longer than `max_response` bytes throws TransientError: while idling the server
/// has nothing that long to say, and the buffer must stay bounded.
class ResponseBuffer {
public:
    explicit ResponseBuffer(std::size_t max_response = 1 << 20) : max_response_(max_response) {}

    void append(std::string_view bytes);
    /// The next whole response, or none until more bytes arrive.
    std::optional<std::string> next();
    void clear() noexcept { data_.clear(); }

private:
    std::string data_;
    std::size_t max_response_;
};

/// What one server response means to a client waiting in IDLE or for a tagged reply.
struct IdleEvent {
    enum class Kind {
        other,     ///< untagged news that does not matter here (EXPUNGE, FETCH, "OK Still here")
        new_mail,  ///< "* 4 EXISTS" or "* 1 RECENT": the folder received mail
        bye,       ///< "* BYE …": the server is closing the connection
        continuation,  ///< "+ idling": IDLE has begun
        tagged,        ///< "<tag> OK|NO|BAD …": a command has finished
    };
    Kind kind = Kind::other;
    std::string tag;     ///< for `tagged`
    std::string status;  ///< for `tagged`: "OK", "NO" or "BAD" (upper case)
};

IdleEvent classify_response(std::string_view line);

}  // namespace intake::imap
