#include "net/endpoint.h"

#include <algorithm>
#include <cctype>

#include "base/errors.h"
#include "net/curl.h"

namespace intake::net {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool valid_host(std::string_view host) {
    if (host.empty()) return false;
    if (host.front() == '[') {
        return host.size() > 2 && host.back() == ']' &&
               std::all_of(host.begin() + 1, host.end() - 1, [](unsigned char c) {
                   return std::isxdigit(c) != 0 || c == ':' || c == '.';
               });
    }
    return std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_';
    });
}

/// "127.a.b.c" with each part a number up to 255.
bool is_ipv4_loopback(std::string_view host) {
    int parts = 0;
    size_t start = 0;
    while (start <= host.size()) {
        const size_t dot = std::min(host.find('.', start), host.size());
        const std::string_view part = host.substr(start, dot - start);
        if (!all_digits(part) || part.size() > 3 || std::stoi(std::string(part)) > 255) {
            return false;
        }
        if (parts == 0 && part != "127") return false;
        ++parts;
        start = dot + 1;
    }
    return parts == 4;
}

/// The URL with any "user:password@" replaced, so an error message never shows it.
std::string redacted(std::string_view url) {
    const size_t start = url.find("://");
    const size_t at = url.find('@');
    if (start == std::string_view::npos || at == std::string_view::npos || at < start) {
        return std::string(url);
    }
    return std::string(url.substr(0, start + 3)) + "***" + std::string(url.substr(at));
}

}  // namespace

bool is_loopback_host(std::string_view host) {
    const std::string h = lower(host);
    return h == "localhost" || h == "::1" || h == "[::1]" || is_ipv4_loopback(h);
}

Endpoint parse_endpoint(std::string_view url, Schemes schemes, bool tls_verify) {
    const std::string forms = std::string(schemes.tls) + "://host[:port] or " +
                              std::string(schemes.plain) + "://host[:port] (STARTTLS)";
    const auto bad = [&](const std::string& why) {
        return ConfigError("mail server URL '" + redacted(url) + "' " + why,
                           "write it as " + forms + ", without user, password or path");
    };
    const size_t sep = url.find("://");
    if (sep == std::string_view::npos) throw bad("has no scheme");
    const std::string scheme = lower(url.substr(0, sep));
    if (scheme != schemes.plain && scheme != schemes.tls) {
        throw bad("must start with " + std::string(schemes.tls) + ":// or " +
                  std::string(schemes.plain) + "://");
    }
    std::string_view authority = url.substr(sep + 3);
    if (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
    if (authority.find_first_of("/?#") != std::string_view::npos) throw bad("has a path");
    if (authority.find('@') != std::string_view::npos) {
        throw bad("contains a user name or password");
    }
    // The port follows the last ':' unless that colon is inside an IPv6 literal.
    std::string_view host = authority;
    const size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
        const std::string_view port = authority.substr(colon + 1);
        if (!all_digits(port) || port.size() > 5 || std::stoi(std::string(port)) > 65535) {
            throw bad("has an invalid port");
        }
        host = authority.substr(0, colon);
    }
    if (!valid_host(host)) throw bad("has an invalid host");

    Endpoint endpoint;
    endpoint.base_url = scheme + "://" + std::string(authority);
    endpoint.host = std::string(host);
    if (scheme == schemes.tls) {
        endpoint.tls = TlsMode::implicit;
    } else if (!tls_verify && is_loopback_host(host)) {
        endpoint.tls = TlsMode::starttls_if_offered;
    } else {
        endpoint.tls = TlsMode::starttls_required;
    }
    return endpoint;
}

void configure_connection(CurlEasy& easy, const Endpoint& endpoint, Schemes schemes,
                          const TlsTrust& trust, std::chrono::seconds timeout) {
    const std::string allowed = std::string(schemes.plain) + "," + std::string(schemes.tls);
    easy.set(CURLOPT_PROTOCOLS_STR, allowed);
    switch (endpoint.tls) {
        case TlsMode::implicit:
            break;
        case TlsMode::starttls_required:
            easy.set(CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
            break;
        case TlsMode::starttls_if_offered:
            easy.set(CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
            break;
    }
    easy.set(CURLOPT_SSL_VERIFYPEER, trust.verify ? 1L : 0L);
    easy.set(CURLOPT_SSL_VERIFYHOST, trust.verify ? 2L : 0L);
    // A private CA replaces the system's store rather than adding to it: a server
    // behind a company CA should not also be trusted with any public certificate
    // for its name, and the admin states exactly whom intake trusts.
    // Debian's libcurl also looks in a CA folder (/etc/ssl/certs), so that goes too.
    if (!trust.ca_file.empty()) {
        easy.set(CURLOPT_CAINFO, trust.ca_file);
        easy.set(CURLOPT_CAPATH, static_cast<const char*>(nullptr));
    }

    const long seconds = std::max(1L, static_cast<long>(timeout.count()));
    easy.set(CURLOPT_CONNECTTIMEOUT, seconds);
    // IMAP and SMTP wait for the server's reply to each command; this bounds each wait.
    easy.set(CURLOPT_SERVER_RESPONSE_TIMEOUT, seconds);
    // A transfer that moves less than one byte a second for that long has stalled.
    // No overall limit: a large message over a slow link is still progress.
    easy.set(CURLOPT_LOW_SPEED_LIMIT, 1L);
    easy.set(CURLOPT_LOW_SPEED_TIME, seconds);
    // Notice a peer that vanished without a FIN while the connection sits idle.
    easy.set(CURLOPT_TCP_KEEPALIVE, 1L);
}

}  // namespace intake::net
