#pragma once
// Turns libcurl's TLS failures into words an admin can act on, shared by the IMAP
// and SMTP clients. libcurl reports every rejected certificate as one code
// (CURLE_PEER_FAILED_VERIFICATION) with OpenSSL's text; the admin needs to know
// which of three things is wrong, because each has a different fix: the name (the
// URL or the certificate), the dates (renew it, or this machine's clock), or the
// issuer (ca_file, or a certificate from a CA this machine trusts).
// Internal to src/net, src/imap and src/outbox: it includes <curl/curl.h>.
#include <optional>
#include <string>

#include "net/curl.h"
#include "net/endpoint.h"

namespace intake::net {

struct TlsFailure {
    std::string what;     ///< "certificate verification failed: the certificate has expired (…)"
    std::string hint;     ///< what the admin can do about it
    bool config = false;  ///< our configuration is wrong (ca_file), not the server
};

/// What went wrong when `code` (from `easy`'s last transfer) is a TLS failure:
/// a certificate that was not accepted, a CA file that cannot be used, or a
/// handshake that failed. Nullopt for any other code, including CURLE_USE_SSL_FAILED
/// (no STARTTLS), which each client words itself.
std::optional<TlsFailure> describe_tls_failure(const CurlEasy& easy, CURLcode code,
                                               const Endpoint& endpoint, const TlsTrust& trust);

}  // namespace intake::net
