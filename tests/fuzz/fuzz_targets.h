#pragma once
// The fuzz targets: each takes arbitrary bytes to one of intake's parsers of
// untrusted text through its public entry point, catches only the outcomes the
// product documents (PermanentError for a message it sets aside, ConfigError for a
// bad configuration), and lets anything else escape, so libFuzzer reports it.
// Each returns 0 (libFuzzer's "keep going").
#include <cstddef>
#include <cstdint>

namespace intake::fuzz {

/// A raw mail through daemon::decide() with the shipped configuration.
int fuzz_decide(const std::uint8_t* data, std::size_t size);
/// IMAP server responses through every parser of imap_response.h and idle_protocol.h.
int fuzz_imap(const std::uint8_t* data, std::size_t size);
/// Header values through RFC 2047 decoding and RFC 2231 parameters.
int fuzz_words(const std::uint8_t* data, std::size_t size);
/// "subject\nbody" routed against both shipped organisations.
int fuzz_route(const std::uint8_t* data, std::size_t size);
/// A TOML file of the shipped configuration replaced by the input, then load_config().
int fuzz_config(const std::uint8_t* data, std::size_t size);

}  // namespace intake::fuzz
