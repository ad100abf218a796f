#include "imap/imap_session.h"

#include <algorithm>
#include <cstring>

#include "base/errors.h"
#include "imap/imap_command.h"
#include "net/tls_failure.h"

namespace intake::imap {

namespace {

constexpr net::Schemes imap_schemes{"imap", "imaps"};

/// "UID SEARCH ALL in "INBOX"", for error messages.
std::string describe_command(const std::string& mailbox, const std::string& text) {
    return mailbox.empty() ? text : text + " in " + quoted_string(mailbox);
}

/// Messages are within limits.max_message_bytes before they are fetched whole;
/// this only bounds what a wrong size could make us reserve.
constexpr std::size_t kMostReservedBytes = 64u << 20;

}  // namespace

Session::Session(const ServerSettings& settings)
    : user_(settings.user),
      endpoint_(net::parse_endpoint(settings.url, imap_schemes, settings.tls_verify)),
      trust_{settings.tls_verify, settings.ca_file} {
    net::configure_connection(easy_, endpoint_, imap_schemes, trust_, settings.timeout);
    easy_.set(CURLOPT_USERNAME, settings.user);
    // The one place the IMAP password leaves its Secret.
    easy_.set(CURLOPT_PASSWORD, settings.password.reveal());
    easy_.set(CURLOPT_WRITEFUNCTION, &Session::on_write);
    easy_.set(CURLOPT_WRITEDATA, static_cast<void*>(this));
    easy_.set(CURLOPT_READFUNCTION, &Session::on_read);
    easy_.set(CURLOPT_READDATA, static_cast<void*>(&upload_));
    // One cached connection: when a fresh one replaces it, the old one is closed.
    easy_.set(CURLOPT_MAXCONNECTS, 1L);
    transcript_.attach(easy_);
}

std::string Session::command(const std::string& mailbox, const std::string& text) {
    std::string untagged;
    if (!try_command(mailbox, text, untagged)) {
        fail(CURLE_QUOTE_ERROR, describe_command(mailbox, text));
    }
    return untagged;
}

bool Session::try_command(const std::string& mailbox, const std::string& text,
                          std::string& untagged) {
    const std::string url =
        mailbox.empty() ? endpoint_.base_url + "/" : mailbox_url(endpoint_.base_url, mailbox);
    const CURLcode code = perform(url, &text, nullptr);
    // libcurl reports a custom command's NO or BAD as CURLE_QUOTE_ERROR; the
    // connection itself is fine and stays in use.
    if (code == CURLE_QUOTE_ERROR) return false;
    if (code != CURLE_OK) fail(code, describe_command(mailbox, text));
    untagged = std::move(received_);
    return true;
}

std::optional<std::string> Session::command_verbatim(const std::string& mailbox,
                                                     const std::string& text,
                                                     std::size_t expected_bytes) {
    std::string stream;
    stream.reserve(expected_bytes + expected_bytes / 64 + 4096);  // plus the response lines
    transcript_.capture_in(&stream);
    const CURLcode code = perform(mailbox_url(endpoint_.base_url, mailbox), &text, nullptr);
    const bool clipped = transcript_.clipped();
    transcript_.capture_in(nullptr);
    received_.clear();  // the untagged lines libcurl also wrote: not needed
    if (code != CURLE_OK) fail(code, describe_command(mailbox, text));
    if (clipped) {
        fresh_connection_ = true;
        return std::nullopt;
    }
    return stream;
}

std::string Session::fetch(const std::string& mailbox, Uid uid, std::size_t expected_bytes) {
    const CURLcode code =
        perform(message_url(endpoint_.base_url, mailbox, uid), nullptr, nullptr, expected_bytes);
    if (code != CURLE_OK) {
        fail(code,
             "UID FETCH " + std::to_string(uid.value) + " BODY[] in " + quoted_string(mailbox));
    }
    return std::move(received_);
}

std::string Session::fetch_section(const std::string& mailbox, Uid uid,
                                   const std::string& section) {
    const CURLcode code =
        perform(section_url(endpoint_.base_url, mailbox, uid, section), nullptr, nullptr);
    if (code != CURLE_OK) {
        fail(code, "UID FETCH " + std::to_string(uid.value) + " BODY[" + section + "] in " +
                       quoted_string(mailbox));
    }
    return std::move(received_);
}

std::string Session::append(const std::string& mailbox, const std::string& raw) {
    const CURLcode code = perform(mailbox_url(endpoint_.base_url, mailbox), nullptr, &raw);
    if (code != CURLE_OK) fail(code, "APPEND to " + quoted_string(mailbox));
    return transcript_.last_reply();
}

CURLcode Session::perform(const std::string& url, const std::string* custom,
                          const std::string* upload, std::size_t expected_bytes) {
    received_.clear();
    // A message grown by doubling was copied about twice over on its way in. The
    // size is the server's word: a huge one is not reserved up front.
    received_.reserve(std::min(expected_bytes, kMostReservedBytes));
    transcript_.clear();
    upload_ = Upload{upload, 0};
    easy_.set(CURLOPT_URL, url);
    easy_.set(CURLOPT_CUSTOMREQUEST, custom != nullptr ? custom->c_str() : nullptr);
    easy_.set(CURLOPT_UPLOAD, upload != nullptr ? 1L : 0L);
    easy_.set(CURLOPT_INFILESIZE_LARGE,
              static_cast<curl_off_t>(upload != nullptr ? upload->size() : -1));
    if (easy_.kept_connection_broken()) fresh_connection_ = true;
    easy_.set(CURLOPT_FRESH_CONNECT, fresh_connection_ ? 1L : 0L);
    const CURLcode code = easy_.perform();
    if (code == CURLE_OK || code == CURLE_QUOTE_ERROR) fresh_connection_ = false;
    return code;
}

void Session::fail(CURLcode code, const std::string& action) {
    // Whatever went wrong, do not trust this connection's state (selected mailbox,
    // half-read replies) for the next request.
    fresh_connection_ = true;
    ++failures_;
    const std::string who = endpoint_.base_url + " as " + user_;
    const std::string reply = transcript_.last_reply();
    const std::string curl_text = easy_.error_text(code);
    const std::string detail = reply.empty() ? curl_text : reply + " (" + curl_text + ")";

    // libcurl 7.88 reports both a refused login and a refused SELECT as
    // CURLE_LOGIN_DENIED; the last command we sent tells them apart.
    const bool select_refused =
        code == CURLE_LOGIN_DENIED && transcript_.last_command() == "SELECT";
    if (code == CURLE_LOGIN_DENIED && !select_refused) {
        throw ConfigError(
            "IMAP login to " + endpoint_.base_url + " as " + user_ + " was refused: " + detail,
            "check the user and password_file");
    }
    if (select_refused) {
        throw TransientError(
            "IMAP server " + who + " cannot open the folder for " + action + ": " + detail,
            "check that the folder exists and the user may open it");
    }
    if (code == CURLE_USE_SSL_FAILED) {
        throw ConfigError("IMAP server " + endpoint_.base_url + " does not offer STARTTLS",
                          "use imaps://, or enable STARTTLS on the server");
    }
    if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
        throw ConfigError("IMAP URL " + endpoint_.base_url + " is not usable: " + curl_text,
                          "write it as imaps://host[:port] or imap://host[:port]");
    }
    if (const auto tls = net::describe_tls_failure(easy_, code, endpoint_, trust_)) {
        const std::string what = "IMAP server " + endpoint_.base_url + ": " + tls->what;
        if (tls->config) throw ConfigError(what, tls->hint);
        // The server's certificate may be fixed while intake runs: retried like an outage.
        throw TransientError(what, tls->hint);
    }
    if (code == CURLE_QUOTE_ERROR || code == CURLE_REMOTE_FILE_NOT_FOUND) {
        throw TransientError("IMAP server " + who + " refused " + action + ": " + detail,
                             "intake retries on the next poll; if it persists, the server's "
                             "reply above says why");
    }
    throw TransientError("IMAP " + action + " on " + who + " failed: " + detail,
                         "intake retries on the next poll; check that the server is up and "
                         "reachable");
}

size_t Session::on_write(char* data, size_t size, size_t count, void* self) noexcept {
    auto* session = static_cast<Session*>(self);
    try {
        session->received_.append(data, size * count);
    } catch (const std::bad_alloc&) {
        return 0;  // tells libcurl to abort the transfer (CURLE_WRITE_ERROR)
    }
    return size * count;
}

size_t Session::on_read(char* buffer, size_t size, size_t count, void* self) noexcept {
    auto* upload = static_cast<Upload*>(self);
    if (upload->data == nullptr) return 0;
    const size_t n = std::min(size * count, upload->data->size() - upload->offset);
    std::memcpy(buffer, upload->data->data() + upload->offset, n);
    upload->offset += n;
    return n;
}

}  // namespace intake::imap
