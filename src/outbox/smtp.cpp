// SMTP submission over libcurl: EHLO, STARTTLS, AUTH once per connection, then
// MAIL, RCPT, DATA per message, QUIT at the end. libcurl does the dot-stuffing
// and the final ".".
//
// "With a user, AUTH is required" needs care: libcurl 7.88 silently skips AUTH
// when the server does not offer it, and would then send the mail unauthenticated.
// CURLOPT_PREREQFUNCTION runs after the connect phase (which includes AUTH) and
// before MAIL FROM, so it can refuse to go on when a new connection (EHLO sent)
// sent no AUTH command. A reused connection sends no EHLO; it passed that check
// when it was opened, as only a connection whose every transfer succeeded is reused.
#include "outbox/smtp.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "base/errors.h"
#include "net/curl.h"
#include "net/endpoint.h"
#include "net/tls_failure.h"

namespace intake::outbox {

namespace {

constexpr net::Schemes smtp_schemes{"smtp", "smtps"};

/// The state our callbacks share with one transfer.
struct Transfer {
    net::Endpoint endpoint;
    net::TlsTrust trust;
    net::Transcript transcript;
    bool auth_required = false;
    bool refused_without_auth = false;
    const std::string* data = nullptr;
    size_t offset = 0;
    const SmtpSession::BeforeCommit* before_commit = nullptr;
    bool committing = false;
};

int on_prereq(void* self, char*, char*, int, int) noexcept {
    auto* transfer = static_cast<Transfer*>(self);
    const bool new_connection = transfer->transcript.greetings() > 0;
    if (transfer->auth_required && new_connection && transfer->transcript.auth_commands() == 0) {
        transfer->refused_without_auth = true;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

size_t on_read(char* buffer, size_t size, size_t count, void* self) noexcept {
    auto* transfer = static_cast<Transfer*>(self);
    const size_t n = std::min(size * count, transfer->data->size() - transfer->offset);
    if (transfer->offset + n == transfer->data->size() && !transfer->committing) {
        // The last of the data: libcurl sends the final "." right after it (with
        // the size known, it may not ask for more).
        transfer->committing = true;
        try {
            if (transfer->before_commit != nullptr && *transfer->before_commit &&
                !(*transfer->before_commit)()) {
                return CURL_READFUNC_ABORT;
            }
        } catch (...) {
            return CURL_READFUNC_ABORT;
        }
    }
    std::memcpy(buffer, transfer->data->data() + transfer->offset, n);
    transfer->offset += n;
    return n;
}

/// Discards what the server sends as body (the NOOP reply of verify_smtp).
size_t on_write(char*, size_t size, size_t count, void*) noexcept { return size * count; }

/// An address that cannot smuggle extra SMTP commands or parameters into MAIL/RCPT.
bool safe_address(const std::string& address) {
    return std::none_of(address.begin(), address.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f || c == ' ' || c == '<' || c == '>';
    });
}

/// Prepares a handle for one session with the server; throws ConfigError on a bad URL.
void prepare(net::CurlEasy& easy, Transfer& transfer, const SmtpSettings& settings) {
    transfer.endpoint = net::parse_endpoint(settings.url, smtp_schemes, settings.tls_verify);
    transfer.trust = {settings.tls_verify, settings.ca_file};
    net::configure_connection(easy, transfer.endpoint, smtp_schemes, transfer.trust,
                              settings.timeout);
    easy.set(CURLOPT_URL, transfer.endpoint.base_url);
    transfer.transcript.attach(easy);
    easy.set(CURLOPT_WRITEFUNCTION, &on_write);
    easy.set(CURLOPT_PREREQFUNCTION, &on_prereq);
    easy.set(CURLOPT_PREREQDATA, static_cast<void*>(&transfer));
    if (!settings.user.empty()) {
        transfer.auth_required = true;
        easy.set(CURLOPT_USERNAME, settings.user);
        // The one place the SMTP password leaves its Secret.
        easy.set(CURLOPT_PASSWORD, settings.password.reveal());
    }
}

SendResult failure(SendStatus status, std::string detail) {
    return SendResult{status, std::move(detail)};
}

/// Sorts a failed session into retry-worthy or final, quoting the server.
SendResult classify(const net::CurlEasy& easy, const Transfer& transfer, CURLcode code,
                    const SmtpSettings& settings) {
    const std::string reply = transfer.transcript.last_reply();
    const std::string curl_text = easy.error_text(code);
    const std::string where = settings.url + (settings.user.empty() ? "" : " as " + settings.user);
    const std::string detail =
        where + ": " + (reply.empty() ? curl_text : reply + " (" + curl_text + ")");
    // The next four are the server's or the config's fault, not the message's:
    // the reply is kept and retried, so it leaves once the admin has fixed them.
    if (transfer.refused_without_auth) {
        return failure(SendStatus::temporary_failure,
                       where +
                           ": the server offers no AUTH, so nothing was sent; check the "
                           "SMTP URL (STARTTLS?) and user");
    }
    if (code == CURLE_LOGIN_DENIED) {
        return failure(SendStatus::temporary_failure,
                       "SMTP login refused: " + detail + "; check the user and password_file");
    }
    if (code == CURLE_USE_SSL_FAILED) {
        return failure(SendStatus::temporary_failure,
                       where +
                           ": the server does not offer STARTTLS; use smtps:// or enable "
                           "STARTTLS on the server");
    }
    if (const auto tls = net::describe_tls_failure(easy, code, transfer.endpoint, transfer.trust)) {
        return failure(SendStatus::temporary_failure, where + ": " + tls->what + "; " + tls->hint);
    }
    // By RFC 5321 §4.2.1 a 5yz reply is final and a 4yz reply worth retrying. No reply
    // at all (refused connection, timeout, dropped link) is worth retrying too.
    const long response = easy.response_code();
    // 530: authentication required, a config problem like a refused login.
    if (response == 530)
        return failure(SendStatus::temporary_failure, detail + "; set user and password_file");
    if (response >= 500) return failure(SendStatus::permanent_failure, detail);
    return failure(SendStatus::temporary_failure, detail);
}

/// Refuses what must never reach the server; nullopt when the envelope is fine.
std::optional<SendResult> refuse_envelope(const Envelope& envelope) {
    if (envelope.recipients.empty()) {
        throw InternalError("send_mail called without recipients");
    }
    for (const std::string& address : envelope.recipients) {
        if (!safe_address(address) || address.empty()) {
            return failure(SendStatus::permanent_failure,
                           "refusing to send to a malformed address (control characters, "
                           "spaces or angle brackets)");
        }
    }
    if (!safe_address(envelope.mail_from)) {
        return failure(SendStatus::permanent_failure, "refusing a malformed envelope sender");
    }
    return std::nullopt;
}

}  // namespace

struct SmtpSession::Impl {
    explicit Impl(SmtpSettings s) : settings(std::move(s)) {
        prepare(easy, transfer, settings);
        easy.set(CURLOPT_UPLOAD, 1L);
        easy.set(CURLOPT_READFUNCTION, &on_read);
        easy.set(CURLOPT_READDATA, static_cast<void*>(&transfer));
        // One cached connection: when a fresh one replaces it, the old one is closed.
        easy.set(CURLOPT_MAXCONNECTS, 1L);
    }

    SmtpSettings settings;
    // The transfer outlives the handle: curl_easy_cleanup() sends QUIT through its callbacks.
    Transfer transfer;
    net::CurlEasy easy;
    bool fresh_connection = false;
};

SmtpSession::SmtpSession(SmtpSettings settings)
    : impl_(std::make_unique<Impl>(std::move(settings))) {}

SmtpSession::~SmtpSession() = default;

SendResult SmtpSession::send(const Envelope& envelope, const std::string& data,
                             const BeforeCommit& before_commit) {
    if (auto refused = refuse_envelope(envelope)) return *refused;
    Transfer& transfer = impl_->transfer;
    net::CurlEasy& easy = impl_->easy;
    // Only what differs from one message to the next is set again.
    transfer.transcript.clear();
    transfer.refused_without_auth = false;
    transfer.data = &data;
    transfer.offset = 0;
    transfer.before_commit = &before_commit;
    transfer.committing = false;
    // libcurl strips and re-adds the angle brackets (converting an IDN domain on the
    // way); "<>" stays the null sender.
    easy.set(CURLOPT_MAIL_FROM, "<" + envelope.mail_from + ">");
    net::CurlSlist recipients;
    for (const std::string& address : envelope.recipients) recipients.append("<" + address + ">");
    easy.set(CURLOPT_MAIL_RCPT, recipients.get());
    // Known size: libcurl announces it with SIZE= when the server supports it.
    easy.set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
    easy.set(CURLOPT_FRESH_CONNECT, impl_->fresh_connection ? 1L : 0L);

    const CURLcode code = easy.perform();
    // The list dies with this call: libcurl must not keep a pointer to it.
    easy.set(CURLOPT_MAIL_RCPT, static_cast<curl_slist*>(nullptr));
    transfer.data = nullptr;
    transfer.before_commit = nullptr;
    impl_->fresh_connection = code != CURLE_OK;
    if (code != CURLE_OK) return classify(easy, transfer, code, impl_->settings);
    return SendResult{SendStatus::sent, transfer.transcript.last_reply()};
}

SendResult send_mail(const SmtpSettings& settings, const Envelope& envelope,
                     const std::string& data) {
    if (auto refused = refuse_envelope(envelope)) return *refused;
    return SmtpSession(settings).send(envelope, data);
}

SendResult verify_smtp(const SmtpSettings& settings) {
    Transfer transfer;
    net::CurlEasy easy;
    prepare(easy, transfer, settings);
    // Without recipients libcurl sends the custom command instead of a mail, so this
    // runs EHLO, STARTTLS and AUTH, then NOOP and QUIT, and sends nothing.
    easy.set(CURLOPT_CUSTOMREQUEST, "NOOP");

    const CURLcode code = easy.perform();
    if (code != CURLE_OK) return classify(easy, transfer, code, settings);
    return SendResult{SendStatus::sent, transfer.transcript.last_reply()};
}

}  // namespace intake::outbox
