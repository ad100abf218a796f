#include "net/tls_failure.h"

#include <openssl/x509_vfy.h>

namespace intake::net {

namespace {

/// Whom the client trusted, for "not signed by a CA …".
std::string trusted_store(const TlsTrust& trust) {
    return trust.ca_file.empty() ? "the system's CA store" : "ca_file '" + trust.ca_file + "'";
}

/// The chain problem OpenSSL reported (CURLINFO_SSL_VERIFYRESULT), worded with its
/// fix. libcurl checks the host name itself, after the chain, so a wrong name shows
/// as a verify result that is no chain error (0, or 1 "unspecified" in 7.88) and a
/// message naming the "target host name".
TlsFailure certificate_problem(long verify_result, const std::string& curl_text,
                               const Endpoint& endpoint, const TlsTrust& trust) {
    const std::string prefix = "certificate verification failed: ";
    const std::string detail = " (" + curl_text + ")";
    switch (verify_result) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return {prefix + "the server's certificate has expired" + detail,
                    "renew the server's certificate, or check this machine's clock"};
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return {prefix + "the server's certificate is not valid yet" + detail,
                    "check this machine's clock, or the dates of the server's certificate"};
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            return {prefix + "the server's certificate is not signed by a CA trusted here (" +
                        trusted_store(trust) + ")" + detail,
                    "set ca_file to your CA's certificate (PEM), or fix the server's "
                    "certificate; tls_verify = false is for test servers only"};
        default:
            break;
    }
    if (curl_text.find("host name") != std::string::npos) {
        return {prefix + "the server's certificate is not valid for the host name '" +
                    endpoint.host + "'" + detail,
                "write the url with a host name the certificate names, or fix the server's "
                "certificate"};
    }
    return {prefix + curl_text,
            "set ca_file to your CA, or fix the server's certificate; tls_verify = false is "
            "for test servers only"};
}

}  // namespace

std::optional<TlsFailure> describe_tls_failure(const CurlEasy& easy, CURLcode code,
                                               const Endpoint& endpoint, const TlsTrust& trust) {
    const std::string curl_text = easy.error_text(code);
    switch (code) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_ISSUER_ERROR: {
            long verify_result = X509_V_OK;
            if (curl_easy_getinfo(easy.get(), CURLINFO_SSL_VERIFYRESULT, &verify_result) !=
                CURLE_OK) {
                verify_result = X509_V_OK;
            }
            return certificate_problem(verify_result, curl_text, endpoint, trust);
        }
        case CURLE_SSL_CACERT_BADFILE:
            // The file was readable PEM when the config was loaded; it changed since,
            // or holds something OpenSSL does not take.
            return TlsFailure{
                "cannot use the CA certificates of " + trusted_store(trust) + ": " + curl_text,
                "set ca_file to a readable PEM file of CA certificates", true};
        case CURLE_SSL_CONNECT_ERROR:
            return TlsFailure{
                "TLS handshake failed: " + curl_text,
                endpoint.tls == TlsMode::implicit
                    ? "check that the port speaks TLS from the first byte (imaps://, smtps://); "
                      "a port that starts plain and offers STARTTLS needs imap:// or smtp://"
                    : "check the server's TLS setup (certificate, key, protocol versions)"};
        default:
            return std::nullopt;
    }
}

}  // namespace intake::net
