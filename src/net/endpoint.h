#pragma once
// A mail server's URL checked against the TLS policy of PRODUCT.md §4, shared by
// the IMAP and SMTP clients: implicit TLS (imaps://, smtps://), or the plain scheme
// with STARTTLS required. Plain text is allowed only with tls_verify = false to a
// loopback host, which is how the tests reach their local Dovecot and SMTP server.
// The URL may carry neither credentials nor a path: the user and password have
// their own settings, and a password must never sit in a URL that gets logged.
#include <chrono>
#include <string>
#include <string_view>

namespace intake::net {

class CurlEasy;

enum class TlsMode {
    implicit,             ///< imaps:// or smtps://: TLS from the first byte
    starttls_required,    ///< plain scheme: the session fails unless STARTTLS succeeds
    starttls_if_offered,  ///< plain scheme to loopback with tls_verify = false (tests)
};

struct Endpoint {
    std::string base_url;  ///< "imap://127.0.0.1:1143": lower-case scheme, no trailing slash
    std::string host;      ///< as written, IPv6 addresses with their brackets
    TlsMode tls = TlsMode::starttls_required;
};

struct Schemes {
    std::string_view plain;  ///< "imap"
    std::string_view tls;    ///< "imaps"
};

/// Checks `url` and decides its TLS mode. Throws ConfigError naming the URL, with a
/// hint showing the accepted forms.
Endpoint parse_endpoint(std::string_view url, Schemes schemes, bool tls_verify);

/// 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

/// How the server's certificate is checked.
struct TlsTrust {
    bool verify = true;   ///< tls_verify: check the chain and the host name
    std::string ca_file;  ///< PEM file of the CAs to trust; empty: the system's store
};

/// Applies the URL's TLS mode, certificate checking and timeouts to a handle, and
/// restricts it to the two schemes so nothing can redirect it elsewhere. `timeout`
/// bounds the connect, each wait for a server reply, and a stalled transfer.
void configure_connection(CurlEasy& easy, const Endpoint& endpoint, Schemes schemes,
                          const TlsTrust& trust, std::chrono::seconds timeout);

}  // namespace intake::net
