#include "net/curl.h"

#include <poll.h>

#include <algorithm>
#include <array>
#include <new>
#include <string_view>

#include "base/errors.h"

namespace intake::net {

CurlGlobal::CurlGlobal() {
    if (const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK) {
        throw InternalError(std::string("curl_global_init failed: ") + curl_easy_strerror(code),
                            "check that libcurl and its TLS library are installed correctly");
    }
}

CurlGlobal::~CurlGlobal() { curl_global_cleanup(); }

void CurlSlist::append(const std::string& item) {
    // curl_slist_append returns the head (a new one for an empty list), or null
    // leaving the list intact.
    curl_slist* head = curl_slist_append(list_.get(), item.c_str());
    if (head == nullptr) throw InternalError("curl_slist_append: out of memory");
    if (!list_) list_.reset(head);
}

CurlEasy::CurlEasy()
    : error_buffer_(std::make_unique<char[]>(CURL_ERROR_SIZE)), handle_(curl_easy_init()) {
    if (!handle_) {
        throw InternalError("curl_easy_init failed",
                            "out of memory, or libcurl could not initialise its TLS library");
    }
    set(CURLOPT_ERRORBUFFER, error_buffer_.get());
    // Signals are no way to time out in a program with a signal-driven main loop.
    set(CURLOPT_NOSIGNAL, 1L);
}

CURLcode CurlEasy::perform() noexcept {
    error_buffer_[0] = '\0';
    return curl_easy_perform(handle_.get());
}

std::string CurlEasy::error_text(CURLcode code) const {
    std::string text = error_buffer_[0] != '\0' ? error_buffer_.get() : curl_easy_strerror(code);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

long CurlEasy::response_code() const noexcept {
    long code = 0;
    if (curl_easy_getinfo(handle_.get(), CURLINFO_RESPONSE_CODE, &code) != CURLE_OK) return 0;
    return code;
}

bool CurlEasy::kept_connection_broken() const noexcept {
    curl_socket_t socket = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(handle_.get(), CURLINFO_ACTIVESOCKET, &socket) != CURLE_OK ||
        socket == CURL_SOCKET_BAD) {
        return false;  // no connection kept: the next transfer connects anyway
    }
    // Between commands an IMAP or SMTP server has nothing to say: anything readable
    // is an EOF, a reset or a goodbye.
    pollfd waiting{socket, POLLIN, 0};
    return ::poll(&waiting, 1, 0) != 0;
}

void CurlEasy::check_option(CURLoption option, CURLcode code) const {
    if (code == CURLE_OK) return;
    const std::string what =
        "libcurl rejected " + option_name(option) + ": " + curl_easy_strerror(code);
    if (code == CURLE_UNKNOWN_OPTION || code == CURLE_NOT_BUILT_IN ||
        code == CURLE_UNSUPPORTED_PROTOCOL) {
        throw ConfigError(what,
                          "this libcurl was built without a feature intake needs; "
                          "install Debian's libcurl4 (OpenSSL flavour)");
    }
    throw InternalError(what);
}

std::string option_name(CURLoption option) {
    const curl_easyoption* info = curl_easy_option_by_id(option);
    if (info == nullptr || info->name == nullptr) {
        return "option " + std::to_string(static_cast<int>(option));
    }
    return std::string("CURLOPT_") + info->name;
}

void Transcript::attach(CurlEasy& easy) {
    easy.set(CURLOPT_DEBUGFUNCTION, &Transcript::on_debug);
    easy.set(CURLOPT_DEBUGDATA, static_cast<void*>(this));
    // The debug callback only runs in verbose mode; nothing goes to stderr while it is set.
    easy.set(CURLOPT_VERBOSE, 1L);
}

void Transcript::clear() {
    last_reply_.clear();
    last_command_.clear();
    auth_commands_ = 0;
    greetings_ = 0;
    closing_ = false;
}

void Transcript::capture_in(std::string* sink) noexcept {
    capture_ = sink;
    clipped_ = false;
}

int Transcript::on_debug(CURL*, curl_infotype type, char* data, size_t size, void* self) noexcept {
    // libcurl hands protocol lines to the debug callback one response or command at a
    // time; split anyway in case several arrive together. Message bodies come as
    // CURLINFO_DATA_* and are ignored, so they never land in an error message.
    auto* transcript = static_cast<Transcript*>(self);
    if (transcript->capture_ != nullptr) {
        // libcurl 7.88 (pingpong.c) keeps only 40 bytes of a line longer than half its
        // buffer, and says so in a text line.
        constexpr std::string_view clipping = "Excessive server response line length";
        if (type == CURLINFO_TEXT && std::string_view(data, size).starts_with(clipping)) {
            transcript->clipped_ = true;
        }
        if (type == CURLINFO_HEADER_IN) {
            try {
                transcript->capture_->append(data, size);
            } catch (const std::bad_alloc&) {
                transcript->clipped_ = true;  // incomplete: the caller must not use it
            }
        }
    }
    if (type != CURLINFO_HEADER_IN && type != CURLINFO_HEADER_OUT) return 0;
    std::string_view rest(data, size);
    while (!rest.empty()) {
        const size_t end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        if (type == CURLINFO_HEADER_IN) {
            transcript->on_line_in(line);
        } else {
            transcript->on_line_out(line);
        }
    }
    return 0;
}

namespace {

/// An IMAP tag as libcurl writes them: one letter and three digits ("A001").
bool is_imap_tag(std::string_view word) {
    return word.size() == 4 && word[0] >= 'A' && word[0] <= 'Z' &&
           std::all_of(word.begin() + 1, word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

void Transcript::on_line_in(std::string_view line) {
    // Once we said goodbye, the server's answer to that is not the reply that matters.
    if (closing_) return;
    // IMAP untagged ("* …") and continuation ("+ …") lines do not end a reply.
    if (line.starts_with("* ") || line.starts_with("+ ") || line == "+") return;
    // While a message is captured its lines pass here too: only a tagged reply counts.
    if (capture_ != nullptr && !is_imap_tag(line.substr(0, line.find(' ')))) return;
    constexpr size_t max_length = 300;
    last_reply_.clear();
    for (const char c : line.substr(0, max_length)) {
        last_reply_ += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
    }
}

void Transcript::on_line_out(std::string_view line) {
    // Only verbs from this list are remembered: anything else may be a SASL
    // continuation line carrying base64 credentials.
    static constexpr std::array<std::string_view, 24> verbs = {
        "CAPABILITY", "STARTTLS", "AUTHENTICATE", "LOGIN", "SELECT", "EXAMINE", "LIST",  "APPEND",
        "UID",        "FETCH",    "CREATE",       "NOOP",  "LOGOUT", "EHLO",    "HELO",  "AUTH",
        "MAIL",       "RCPT",     "DATA",         "QUIT",  "RSET",   "VRFY",    "STORE", "EXPUNGE"};
    size_t start = 0;
    std::string_view word = line.substr(0, line.find(' '));
    if (is_imap_tag(word) && word.size() < line.size()) {
        start = word.size() + 1;
        word = line.substr(start, line.find(' ', start) - start);
    }
    if (std::find(verbs.begin(), verbs.end(), word) == verbs.end()) return;
    // libcurl ends a failed session with LOGOUT or QUIT; what failed came before.
    if (word == "LOGOUT" || word == "QUIT") {
        closing_ = true;
        return;
    }
    last_command_ = word;
    if (word == "AUTHENTICATE" || word == "LOGIN" || word == "AUTH") ++auth_commands_;
    if (word == "EHLO" || word == "HELO") ++greetings_;
}

}  // namespace intake::net
