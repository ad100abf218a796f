// Address headers. The structure (quotes, comments, angle brackets, commas,
// groups) is read on the raw value and only then are the display names
// RFC 2047-decoded: a decoded name may itself contain '<', ',' or '"'.
#include "mime/address.h"

#include "base/text.h"

namespace intake::mime {
namespace {

/// One mailbox's pieces as written, before decoding.
struct RawMailbox {
    std::string phrase;   ///< display-name words, quotes removed
    std::string comment;  ///< text of the first comment: "a@b (Name)" style names
    std::string angle;    ///< inside <...>
    bool has_angle = false;
};

/// Reads a quoted string at s[i] == '"', appending its unescaped content.
void read_quoted(std::string_view s, std::size_t& i, std::string& out) {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            out += s[++i];
        } else if (s[i] == '"') {
            return;
        } else {
            out += s[i];
        }
    }
}

/// Reads a (nested) comment at s[i] == '(', appending its text without parentheses.
void read_comment(std::string_view s, std::size_t& i, std::string& out) {
    int level = 0;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\\' && i + 1 < s.size()) {
            out += s[++i];
            continue;
        }
        if (c == '(' && level++ == 0) continue;
        if (c == ')' && --level == 0) return;
        out += c;
    }
}

std::string collapse_spaces(std::string_view s) {
    std::string out;
    bool space = false;
    for (const char c : s) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

std::string display_name(std::string_view phrase) {
    std::string name = text::trim(decode_words(collapse_spaces(phrase)));
    // Some clients wrap the name in single quotes: 'Jane Doe' <jane@example.org>.
    if (name.size() >= 2 && name.front() == '\'' && name.back() == '\'') {
        name = text::trim(name.substr(1, name.size() - 2));
    }
    return name;
}

Address finish(const RawMailbox& m) {
    Address a;
    if (m.has_angle) {
        std::string_view addr = m.angle;
        // Obsolete source route: <@relay.example:jane@example.org>.
        if (const auto colon = addr.rfind(':'); colon != std::string_view::npos) {
            addr.remove_prefix(colon + 1);
        }
        a.address = text::trim(addr);
        a.name = display_name(text::trim(m.phrase).empty() ? m.comment : m.phrase);
        return a;
    }
    const std::string bare = text::trim(m.phrase);
    if (bare.find_first_of(" \t") == std::string::npos) {
        a.address = bare;
    } else {
        a.address.clear();  // words without an address: a name alone
        a.name = display_name(bare);
        return a;
    }
    a.name = display_name(m.comment);
    return a;
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view s) {
    std::vector<Address> out;
    RawMailbox current;
    const auto close = [&] {
        Address a = finish(current);
        if (!a.address.empty() || !a.name.empty()) out.push_back(std::move(a));
        current = RawMailbox{};
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '"') {
            read_quoted(s, i, current.phrase);
        } else if (c == '(') {
            std::string comment;
            read_comment(s, i, comment);
            if (current.comment.empty()) current.comment = comment;
        } else if (c == '<') {
            const auto end = s.find('>', i + 1);
            const auto stop = end == std::string_view::npos ? s.size() : end;
            current.angle = std::string(s.substr(i + 1, stop - i - 1));
            current.has_angle = true;
            i = stop;
        } else if (c == ':' && !current.has_angle) {
            current = RawMailbox{};  // "Group name:" starts a group; the name is not a mailbox
        } else if (c == ',' || c == ';') {
            close();
        } else {
            current.phrase += c;
        }
    }
    close();
    return out;
}

}  // namespace intake::mime
