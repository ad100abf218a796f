#pragma once
// Sends one prepared message over SMTP with libcurl: smtps://, or smtp:// with
// STARTTLS required (plain smtp:// only with tls_verify = false to a loopback
// host). With a user, AUTH is required. The result says whether a failure is
// worth retrying (4xx, connection trouble) or final (5xx).
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/secret.h"

namespace intake::outbox {

struct SmtpSettings {
    std::string url;
    std::string user;  ///< empty: no AUTH
    Secret password;
    bool tls_verify = true;
    std::string ca_file;  ///< PEM CA certificates to trust instead of the system's store
    std::chrono::seconds timeout{60};
};

struct Envelope {
    std::string mail_from;  ///< envelope sender; empty for the null sender <>
    std::vector<std::string> recipients;
};

enum class SendStatus { sent, temporary_failure, permanent_failure };

struct SendResult {
    SendStatus status = SendStatus::sent;
    std::string detail;  ///< the server's reply or the transport error, for the log
};

/// Sends several messages to one server over one connection: libcurl keeps the
/// connection of its handle open between messages (MAIL, RCPT, DATA each time,
/// EHLO, STARTTLS and AUTH once). After any failure the next message opens a
/// fresh connection, so nothing half-known (a refused RCPT, a connection that
/// skipped AUTH) is ever reused. Throws ConfigError on an unusable URL.
class SmtpSession {
public:
    explicit SmtpSession(SmtpSettings settings);
    ~SmtpSession();
    SmtpSession(const SmtpSession&) = delete;
    SmtpSession& operator=(const SmtpSession&) = delete;

    /// Called once all of a message's data is handed over, just before the final
    /// "." that commits it on the server: from then until the sender records the
    /// result, a kill leaves a message sent but not known to be. It may block;
    /// false abandons the message, which the server then never accepts.
    using BeforeCommit = std::function<bool()>;

    /// Sends `data` (a complete RFC 5322 message with CRLF line ends).
    SendResult send(const Envelope& envelope, const std::string& data,
                    const BeforeCommit& before_commit = {});

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Sends `data` over a connection of its own (see SmtpSession).
SendResult send_mail(const SmtpSettings& settings, const Envelope& envelope,
                     const std::string& data);

/// Connects and (with a user) authenticates, then quits; used by `intake check`.
SendResult verify_smtp(const SmtpSettings& settings);

}  // namespace intake::outbox
