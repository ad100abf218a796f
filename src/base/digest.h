#pragma once
// SHA-256 (OpenSSL), hex encoded: document fingerprints in application.json and
// the keys that recognise a message or an application seen before.
#include <string>
#include <string_view>

namespace intake {

std::string sha256_hex(std::string_view bytes);

}  // namespace intake
