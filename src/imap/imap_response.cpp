#include "imap/imap_response.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace intake::imap {

namespace {

/// One parsed IMAP value: an atom or number, a quoted string, NIL, or a list.
struct Value {
    enum class Kind { atom, string, nil, list } kind = Kind::atom;
    std::string text;
    std::vector<Value> items;
};

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

bool iequals(std::string_view a, std::string_view b) { return upper(a) == upper(b); }

/// A number of at most 19 digits (so it cannot overflow), else none.
std::optional<std::uint64_t> to_uint64(std::string_view digits) {
    if (digits.empty() || digits.size() > 19) return std::nullopt;
    std::uint64_t value = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

std::optional<std::uint32_t> to_uint32(std::string_view digits) {
    const std::optional<std::uint64_t> value = to_uint64(digits);
    if (!value || *value > 0xFFFFFFFFu) return std::nullopt;
    return static_cast<std::uint32_t>(*value);
}

/// Calls `visit` with every line of a response, without its line end.
template <typename Visit>
void for_each_line(std::string_view response, Visit visit) {
    while (!response.empty()) {
        const size_t end = response.find('\n');
        std::string_view line = response.substr(0, end);
        response = end == std::string_view::npos ? std::string_view{} : response.substr(end + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) {
            line.remove_suffix(1);
        }
        visit(line);
    }
}

/// Splits "word rest" at the first space.
std::pair<std::string_view, std::string_view> next_word(std::string_view s) {
    const size_t space = s.find(' ');
    if (space == std::string_view::npos) return {s, {}};
    return {s.substr(0, space), s.substr(space + 1)};
}

/// Parses values until the input ends or a list closes. Literals ({n}) never reach
/// us (libcurl drops them from custom commands), so they are not handled.
std::vector<Value> parse_values(std::string_view& in) {
    std::vector<Value> values;
    while (!in.empty()) {
        const char c = in.front();
        if (c == ' ') {
            in.remove_prefix(1);
        } else if (c == ')') {
            in.remove_prefix(1);
            return values;
        } else if (c == '(') {
            in.remove_prefix(1);
            Value list{Value::Kind::list, {}, parse_values(in)};
            values.push_back(std::move(list));
        } else if (c == '"') {
            in.remove_prefix(1);
            Value str{Value::Kind::string, {}, {}};
            while (!in.empty() && in.front() != '"') {
                if (in.front() == '\\' && in.size() > 1) in.remove_prefix(1);
                str.text += in.front();
                in.remove_prefix(1);
            }
            if (!in.empty()) in.remove_prefix(1);
            values.push_back(std::move(str));
        } else {
            size_t end = 0;
            while (end < in.size() && in[end] != ' ' && in[end] != '(' && in[end] != ')') ++end;
            Value atom{Value::Kind::atom, std::string(in.substr(0, end)), {}};
            if (iequals(atom.text, "NIL")) atom.kind = Value::Kind::nil;
            values.push_back(std::move(atom));
            in.remove_prefix(end);
        }
    }
    return values;
}

/// The text of a bracketed response code ("[UIDVALIDITY 5]" -> "5"), if present.
std::optional<std::string_view> response_code_argument(std::string_view line,
                                                       std::string_view code) {
    const std::string wanted = "[" + upper(code);
    const std::string line_upper = upper(line);
    const size_t at = line_upper.find(wanted);
    if (at == std::string::npos) return std::nullopt;
    const size_t after = at + wanted.size();
    const size_t close = line.find(']', after);
    if (close == std::string_view::npos) return std::nullopt;
    if (after == close) return std::string_view{};
    if (line[after] != ' ') return std::nullopt;  // a longer code with the same prefix
    return line.substr(after + 1, close - after - 1);
}

}  // namespace

std::optional<UidValidity> parse_uid_validity(std::string_view response) {
    std::optional<UidValidity> result;
    for_each_line(response, [&](std::string_view line) {
        if (!line.starts_with("* ")) return;
        if (const auto arg = response_code_argument(line, "UIDVALIDITY")) {
            if (const auto value = to_uint32(*arg)) result = UidValidity{*value};
        }
    });
    return result;
}

std::optional<std::uint32_t> parse_exists(std::string_view response) {
    std::optional<std::uint32_t> result;
    for_each_line(response, [&](std::string_view line) {
        if (!line.starts_with("* ")) return;
        const auto [number, rest] = next_word(line.substr(2));
        if (!iequals(rest, "EXISTS")) return;
        if (const auto value = to_uint32(number)) result = *value;
    });
    return result;
}

std::vector<Uid> parse_search(std::string_view response) {
    std::vector<Uid> uids;
    for_each_line(response, [&](std::string_view line) {
        if (!line.starts_with("* ")) return;
        auto [word, rest] = next_word(line.substr(2));
        if (!iequals(word, "SEARCH")) return;
        // Numbers only: a CONDSTORE "(MODSEQ 917162500)" suffix is not a UID.
        std::string_view in = rest;
        for (const Value& value : parse_values(in)) {
            if (value.kind != Value::Kind::atom) continue;
            if (const auto uid = to_uint32(value.text)) uids.push_back(Uid{*uid});
        }
    });
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    return uids;
}

std::vector<std::string> parse_capabilities(std::string_view response) {
    std::vector<std::string> names;
    const auto add_words = [&](std::string_view words) {
        while (!words.empty()) {
            auto [word, rest] = next_word(words);
            if (!word.empty()) names.push_back(upper(word));
            words = rest;
        }
    };
    for_each_line(response, [&](std::string_view line) {
        if (line.starts_with("* ")) {
            auto [word, rest] = next_word(line.substr(2));
            if (iequals(word, "CAPABILITY")) {
                add_words(rest);
                return;
            }
        }
        if (const auto arg = response_code_argument(line, "CAPABILITY")) add_words(*arg);
    });
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::vector<ListEntry> parse_list(std::string_view response) {
    std::vector<ListEntry> entries;
    for_each_line(response, [&](std::string_view line) {
        if (!line.starts_with("* ")) return;
        auto [word, rest] = next_word(line.substr(2));
        if (!iequals(word, "LIST")) return;
        std::string_view in = rest;
        const std::vector<Value> values = parse_values(in);
        if (values.size() < 3 || values[0].kind != Value::Kind::list) return;
        ListEntry entry;
        for (const Value& attribute : values[0].items) entry.attributes.push_back(attribute.text);
        if (values[1].kind == Value::Kind::string && values[1].text.size() == 1) {
            entry.separator = values[1].text[0];
        } else if (values[1].kind != Value::Kind::nil) {
            return;
        }
        if (values[2].kind == Value::Kind::list) return;
        entry.name = values[2].text;
        entries.push_back(std::move(entry));
    });
    return entries;
}

namespace {

/// Calls visit(items) with the name/value list of every "* n FETCH (…)" line:
/// UID 9 FLAGS (\Seen) RFC822.SIZE 2048 …
template <typename Visit>
void for_each_fetch(std::string_view response, Visit visit) {
    for_each_line(response, [&](std::string_view line) {
        if (!line.starts_with("* ")) return;
        auto [number, after_number] = next_word(line.substr(2));
        auto [word, rest] = next_word(after_number);
        if (!to_uint32(number) || !iequals(word, "FETCH")) return;
        std::string_view in = rest;
        const std::vector<Value> values = parse_values(in);
        if (values.empty() || values[0].kind != Value::Kind::list) return;
        visit(values[0].items);
    });
}

}  // namespace

std::map<std::uint32_t, FetchInfo> parse_fetch_info(std::string_view response) {
    std::map<std::uint32_t, FetchInfo> result;
    for_each_fetch(response, [&](const std::vector<Value>& items) {
        std::optional<std::uint32_t> found_uid;
        FetchInfo info;
        bool has_flags = false;
        for (size_t i = 0; i + 1 < items.size(); i += 2) {
            if (iequals(items[i].text, "UID")) found_uid = to_uint32(items[i + 1].text);
            if (iequals(items[i].text, "RFC822.SIZE")) info.size = to_uint32(items[i + 1].text);
            if (iequals(items[i].text, "FLAGS") && items[i + 1].kind == Value::Kind::list) {
                has_flags = true;
                for (const Value& flag : items[i + 1].items) info.flags.push_back(flag.text);
            }
        }
        if (found_uid && has_flags) result[*found_uid] = std::move(info);
    });
    return result;
}

std::vector<MessageSize> parse_fetch_sizes(std::string_view response) {
    std::map<std::uint32_t, std::uint64_t> sizes;
    for_each_fetch(response, [&](const std::vector<Value>& items) {
        std::optional<std::uint32_t> uid;
        std::optional<std::uint64_t> bytes;
        for (size_t i = 0; i + 1 < items.size(); i += 2) {
            if (iequals(items[i].text, "UID")) uid = to_uint32(items[i + 1].text);
            if (iequals(items[i].text, "RFC822.SIZE")) bytes = to_uint64(items[i + 1].text);
        }
        if (uid && bytes) sizes[*uid] = *bytes;
    });
    std::vector<MessageSize> out;
    out.reserve(sizes.size());
    for (const auto& [uid, bytes] : sizes) out.push_back({Uid{uid}, bytes});
    return out;
}

namespace {

/// n of a line ending in the literal announcement "{n}".
std::optional<std::size_t> trailing_literal(std::string_view line) {
    if (!line.ends_with('}')) return std::nullopt;
    const size_t open = line.rfind('{');
    if (open == std::string_view::npos) return std::nullopt;
    const auto n = to_uint32(line.substr(open + 1, line.size() - open - 2));
    if (!n) return std::nullopt;
    return *n;
}

}  // namespace

std::optional<std::vector<FetchedBody>> parse_fetch_bodies(std::string_view stream) {
    std::vector<FetchedBody> bodies;
    bool ended_with_ok = false;
    size_t at = 0;
    while (at < stream.size()) {
        // One response: its lines, continued after each literal (RFC 3501 §4.3),
        // with every literal replaced by an empty quoted string.
        std::string text;
        std::optional<std::string_view> body;
        for (;;) {
            const size_t end = stream.find("\r\n", at);
            if (end == std::string_view::npos) return std::nullopt;  // cut short
            const std::string_view line = stream.substr(at, end - at);
            at = end + 2;
            const std::optional<std::size_t> size = trailing_literal(line);
            if (!size) {
                text += line;
                break;
            }
            if (stream.size() - at < *size) return std::nullopt;  // cut short
            std::string_view before = line.substr(0, line.rfind('{'));
            while (before.ends_with(' ')) before.remove_suffix(1);
            if (before.size() >= 6 && iequals(before.substr(before.size() - 6), "BODY[]")) {
                body = stream.substr(at, *size);
            }
            text += line.substr(0, line.rfind('{'));
            text += "\"\"";
            at += *size;
        }
        ended_with_ok = false;
        const auto [first, after_first] = next_word(text);
        const auto [second, rest] = next_word(after_first);
        if (first == "*" && iequals(next_word(rest).first, "FETCH") && to_uint32(second)) {
            if (!body) continue;  // flags that changed meanwhile, and the like
            std::string_view in = next_word(rest).second;
            const std::vector<Value> values = parse_values(in);
            if (values.empty() || values[0].kind != Value::Kind::list) return std::nullopt;
            std::optional<std::uint32_t> uid;
            const std::vector<Value>& items = values[0].items;
            for (size_t i = 0; i + 1 < items.size(); i += 2) {
                if (iequals(items[i].text, "UID")) uid = to_uint32(items[i + 1].text);
            }
            if (!uid) return std::nullopt;
            bodies.push_back({Uid{*uid}, *body});
        } else if (first != "*" && first != "+") {
            // A tagged reply: one of an earlier command of this request (LOGIN,
            // SELECT), or ours, which must be the last line and OK.
            if (!iequals(second, "OK")) return std::nullopt;
            ended_with_ok = true;
        }
    }
    if (!ended_with_ok) return std::nullopt;
    return bodies;
}

std::optional<std::vector<std::string>> parse_fetch_flags(std::string_view response, Uid uid) {
    auto all = parse_fetch_info(response);
    const auto it = all.find(uid.value);
    if (it == all.end()) return std::nullopt;
    return std::move(it->second.flags);
}

std::optional<Uid> parse_append_uid(std::string_view tagged_line) {
    const auto arg = response_code_argument(tagged_line, "APPENDUID");
    if (!arg) return std::nullopt;
    const auto [validity, uid] = next_word(*arg);
    if (!to_uint32(validity)) return std::nullopt;
    const auto value = to_uint32(uid);
    if (!value) return std::nullopt;
    return Uid{*value};
}

bool has_response_code(std::string_view line, std::string_view code) {
    return response_code_argument(line, code).has_value();
}

}  // namespace intake::imap
