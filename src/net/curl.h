#pragma once
// RAII owners for libcurl: the global state, an easy handle and a string list.
// This is the one header that includes <curl/curl.h>; the IMAP and SMTP clients
// use it from their .cpp files only, so no libcurl type reaches a public header.
// Every option goes through CurlEasy::set(), which throws naming the option, and
// every handle carries an error buffer whose text ends up in our exceptions.
// A Transcript remembers what the server last said (never what we sent, which
// may hold credentials) so that errors can quote the server's reply line.
#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace intake::net {

/// curl_global_init/cleanup. Create exactly one, in main(), before any thread starts:
/// the implicit init inside curl_easy_init is not thread-safe.
class CurlGlobal {
public:
    CurlGlobal();
    ~CurlGlobal();
    CurlGlobal(const CurlGlobal&) = delete;
    CurlGlobal& operator=(const CurlGlobal&) = delete;
};

/// A curl_slist (SMTP recipients, headers). Owns every node.
class CurlSlist {
public:
    void append(const std::string& item);
    curl_slist* get() const noexcept { return list_.get(); }

private:
    struct Free {
        void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
    };
    std::unique_ptr<curl_slist, Free> list_;
};

/// One easy handle. Reusing it for several transfers reuses its connection.
class CurlEasy {
public:
    /// Throws InternalError when libcurl cannot allocate a handle.
    CurlEasy();

    /// Sets one option; throws ConfigError when this libcurl lacks it, InternalError
    /// otherwise, naming the option either way. Pass longs, not ints: libcurl reads
    /// the value through varargs and the types must match exactly.
    template <typename T>
    void set(CURLoption option, T value) {
        static_assert(!std::is_same_v<T, int> && !std::is_same_v<T, bool>,
                      "libcurl expects long for integer options");
        check_option(option, curl_easy_setopt(handle_.get(), option, value));
    }
    void set(CURLoption option, const std::string& value) { set(option, value.c_str()); }

    /// Runs the transfer. Clears the error buffer first so that its text belongs to this call.
    CURLcode perform() noexcept;
    /// libcurl's own words for the last failure: the error buffer, else curl_easy_strerror.
    std::string error_text(CURLcode code) const;
    /// The last protocol response code (IMAP: none; SMTP: e.g. 250, 451, 550), 0 if none.
    long response_code() const noexcept;
    /// Whether the connection kept from the last transfer has been closed by the peer
    /// (or has unexpected data waiting, such as a "* BYE"). libcurl 7.88 does not
    /// notice a server restart before reusing the connection, so the caller asks
    /// for a fresh one instead of failing the next command.
    bool kept_connection_broken() const noexcept;

    CURL* get() const noexcept { return handle_.get(); }

private:
    void check_option(CURLoption option, CURLcode code) const;

    struct Cleanup {
        void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
    };
    // The buffer is heap-allocated so its address, which libcurl keeps, never moves.
    std::unique_ptr<char[]> error_buffer_;
    std::unique_ptr<CURL, Cleanup> handle_;
};

/// libcurl's option name for an option id ("CURLOPT_URL"), for error messages.
std::string option_name(CURLoption option);

/// Listens to a handle's debug callback (it turns CURLOPT_VERBOSE on, with the output
/// going here, not to stderr). Keeps the server's last reply line and the verb of the
/// last command we sent. Only verbs from a fixed list are kept, never arguments, so
/// credentials (AUTHENTICATE PLAIN <base64>, SASL continuation lines) are never stored.
class Transcript {
public:
    Transcript() = default;
    // libcurl keeps a pointer to it.
    Transcript(const Transcript&) = delete;
    Transcript& operator=(const Transcript&) = delete;

    /// Attaches to the handle. The Transcript must outlive the handle, whose cleanup
    /// still sends LOGOUT or QUIT.
    void attach(CurlEasy& easy);
    /// Forgets the previous transfer.
    void clear();

    /// The last line the server sent that ends a reply: an IMAP tagged line
    /// ("A004 NO [ALREADYEXISTS] …") or an SMTP reply line ("550 5.1.1 …"). At most
    /// 300 characters, control characters removed.
    const std::string& last_reply() const noexcept { return last_reply_; }
    /// The verb of the last command sent ("SELECT", "AUTHENTICATE", "RCPT"), or empty.
    const std::string& last_command() const noexcept { return last_command_; }
    /// How many authentication commands (IMAP LOGIN/AUTHENTICATE, SMTP AUTH) were sent.
    int auth_commands() const noexcept { return auth_commands_; }
    /// While `sink` is set, every byte the server sends as protocol lines is appended
    /// to it as it came (IMAP literals included: libcurl hands a custom command's
    /// literal lines only to this callback), and replies are only taken from lines
    /// that look like an IMAP tagged reply, so no message text reaches an error.
    /// clipped() then says whether libcurl cut a long line short (the bytes are lost).
    void capture_in(std::string* sink) noexcept;
    bool clipped() const noexcept { return clipped_; }
    /// How many SMTP EHLO/HELO were sent: none when a transfer reused a connection.
    int greetings() const noexcept { return greetings_; }

private:
    static int on_debug(CURL* handle, curl_infotype type, char* data, size_t size,
                        void* self) noexcept;
    void on_line_in(std::string_view line);
    void on_line_out(std::string_view line);

    std::string last_reply_;
    std::string last_command_;
    int auth_commands_ = 0;
    int greetings_ = 0;
    std::string* capture_ = nullptr;
    bool clipped_ = false;
    bool closing_ = false;
};

}  // namespace intake::net
