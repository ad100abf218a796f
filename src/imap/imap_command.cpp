#include "imap/imap_command.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "base/errors.h"

namespace intake::imap {

namespace {

/// Decodes UTF-8 into code points; throws ConfigError on malformed input.
std::vector<char32_t> decode_utf8(std::string_view utf8) {
    std::vector<char32_t> out;
    const auto bad = [&] {
        return ConfigError("IMAP folder name '" + std::string(utf8) + "' is not valid UTF-8",
                           "write the folder name in UTF-8");
    };
    for (size_t i = 0; i < utf8.size();) {
        const auto lead = static_cast<unsigned char>(utf8[i]);
        int extra = 0;
        char32_t cp = 0;
        if (lead < 0x80) {
            cp = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            extra = 1;
            cp = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            extra = 2;
            cp = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            extra = 3;
            cp = lead & 0x07;
        } else {
            throw bad();
        }
        if (i + static_cast<size_t>(extra) >= utf8.size()) throw bad();  // truncated
        for (int k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(utf8[i + static_cast<size_t>(k)]);
            if ((next & 0xC0) != 0x80) throw bad();
            cp = (cp << 6) | (next & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        static constexpr char32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw bad();
        }
        out.push_back(cp);
        i += static_cast<size_t>(extra) + 1;
    }
    return out;
}

/// Base64 of UTF-16BE with "," instead of "/" and no padding (RFC 3501 §5.1.3).
std::string modified_base64(const std::u16string& units) {
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    std::vector<std::uint8_t> bytes;
    for (const char16_t unit : units) {
        bytes.push_back(static_cast<std::uint8_t>(unit >> 8));
        bytes.push_back(static_cast<std::uint8_t>(unit & 0xFF));
    }
    std::string out;
    std::uint32_t bits = 0;
    int bit_count = 0;
    for (const std::uint8_t byte : bytes) {
        bits = (bits << 8) | byte;
        bit_count += 8;
        while (bit_count >= 6) {
            bit_count -= 6;
            out += alphabet[(bits >> bit_count) & 0x3F];
        }
    }
    if (bit_count > 0) out += alphabet[(bits << (6 - bit_count)) & 0x3F];
    return out;
}

}  // namespace

std::string encode_modified_utf7(std::string_view utf8) {
    std::string out;
    std::u16string pending;
    const auto flush = [&] {
        if (pending.empty()) return;
        out += '&' + modified_base64(pending) + '-';
        pending.clear();
    };
    for (const char32_t cp : decode_utf8(utf8)) {
        if (cp >= 0x20 && cp <= 0x7E) {
            flush();
            out += cp == '&' ? std::string("&-") : std::string(1, static_cast<char>(cp));
        } else if (cp > 0xFFFF) {
            const char32_t v = cp - 0x10000;
            pending += static_cast<char16_t>(0xD800 + (v >> 10));
            pending += static_cast<char16_t>(0xDC00 + (v & 0x3FF));
        } else {
            pending += static_cast<char16_t>(cp);
        }
    }
    flush();
    return out;
}

std::string server_folder_name(std::string_view folder, std::optional<char> separator) {
    std::string name(folder);
    if (separator && *separator != '/') {
        for (char& c : name) {
            if (c == '/') c = *separator;
        }
    }
    return encode_modified_utf7(name);
}

std::string quoted_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

std::string mailbox_url(std::string_view base_url, std::string_view server_name) {
    static constexpr std::string_view hex = "0123456789ABCDEF";
    std::string url(base_url);
    url += '/';
    for (const char c : server_name) {
        const auto byte = static_cast<unsigned char>(c);
        const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                                (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            url += c;
        } else {
            url += '%';
            url += hex[byte >> 4];
            url += hex[byte & 0x0F];
        }
    }
    return url;
}

std::string message_url(std::string_view base_url, std::string_view server_name, Uid uid) {
    return mailbox_url(base_url, server_name) + "/;UID=" + std::to_string(uid.value);
}

std::string section_url(std::string_view base_url, std::string_view server_name, Uid uid,
                        std::string_view section) {
    return message_url(base_url, server_name, uid) + "/;SECTION=" + std::string(section);
}

std::string uid_set(std::vector<Uid> uids) {
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    std::string out;
    for (std::size_t i = 0; i < uids.size();) {
        std::size_t last = i;
        while (last + 1 < uids.size() && uids[last + 1].value == uids[last].value + 1) ++last;
        if (!out.empty()) out += ',';
        out += std::to_string(uids[i].value);
        if (last > i) out += ':' + std::to_string(uids[last].value);
        i = last + 1;
    }
    return out;
}

}  // namespace intake::imap
