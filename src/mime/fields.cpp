// Content-Type / Content-Disposition parameters. Written by hand because the
// file name is what HR sees: mimetic's parser cuts `filename="CV; final.pdf"` at
// the ';' and keeps backslash escapes, and neither it nor any Debian library
// joins RFC 2231 continuations (Thunderbird's `filename*0*=UTF-8''..;
// filename*1*=..`).
#include "mime/fields.h"

#include <map>

#include "base/text.h"
#include "mime/mime.h"
#include "mime/transfer.h"

namespace intake::mime {
namespace {

// A header with thousands of parameters is hostile; the ones we read come first.
constexpr std::size_t kMaxParams = 256;
// RFC 2231 continuations: more than this many pieces of one name are not real.
constexpr int kMaxContinuations = 1000;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void skip_space(std::string_view s, std::size_t& i) {
    while (i < s.size() && is_space(s[i])) ++i;
}

/// Skips a (possibly nested) comment starting at s[i] == '('.
void skip_comment(std::string_view s, std::size_t& i) {
    int level = 0;
    for (; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '(') {
            ++level;
        } else if (s[i] == ')' && --level == 0) {
            ++i;
            return;
        }
    }
}

/// Reads a quoted string starting at s[i] == '"'; an unterminated one runs to the end.
std::string read_quoted(std::string_view s, std::size_t& i) {
    std::string out;
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            out += s[++i];
        } else if (s[i] == '"') {
            ++i;
            break;
        } else {
            out += s[i];
        }
    }
    return out;
}

/// Reads up to the next ';' outside comments; comments dropped, ends trimmed.
std::string read_token(std::string_view s, std::size_t& i, bool stop_at_equals) {
    std::string out;
    while (i < s.size() && s[i] != ';' && !(stop_at_equals && s[i] == '=')) {
        if (s[i] == '(') {
            skip_comment(s, i);
        } else {
            out += s[i++];
        }
    }
    return text::trim(out);
}

std::string percent_decode(std::string_view s) { return decode_hex_escapes(s, '%', false); }

/// "UTF-8'fr'%C3%89lo%C3%AFse" -> charset "UTF-8", bytes "Éloïse" in UTF-8.
/// Without the two quotes the whole value is taken as percent-encoded text.
std::pair<std::string, std::string> split_extended(std::string_view v) {
    const auto q1 = v.find('\'');
    const auto q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
    if (q2 == std::string_view::npos) return {"", percent_decode(v)};
    return {std::string(v.substr(0, q1)), percent_decode(v.substr(q2 + 1))};
}

struct Piece {
    std::string value;
    bool encoded = false;
};

/// Pieces name*0, name*0*, name*1 ... by index; empty if there are none.
std::map<int, Piece> continuation_pieces(const MediaField& f, std::string_view name) {
    std::map<int, Piece> pieces;
    const std::string prefix = std::string(name) + "*";
    for (const auto& [key, value] : f.params) {
        if (key.size() <= prefix.size() || key.compare(0, prefix.size(), prefix) != 0) continue;
        std::string_view rest = std::string_view(key).substr(prefix.size());
        const bool encoded = rest.back() == '*';
        if (encoded) rest.remove_suffix(1);
        if (rest.empty() || rest.size() > 4) continue;
        int index = 0;
        bool digits = true;
        for (const char c : rest) {
            digits = digits && c >= '0' && c <= '9';
            index = index * 10 + (c - '0');
        }
        if (!digits || index >= kMaxContinuations) continue;
        pieces.try_emplace(index, Piece{value, encoded});  // the first of duplicates wins
    }
    return pieces;
}

/// Joins RFC 2231 continuations: encoded pieces are percent-decoded and only the
/// first carries the charset; plain pieces are taken as they are.
std::string join_pieces(const std::map<int, Piece>& pieces) {
    std::string charset;
    std::string bytes;
    bool first = true;
    for (const auto& [index, piece] : pieces) {
        if (piece.encoded && first) {
            auto [cs, decoded] = split_extended(piece.value);
            charset = cs;
            bytes += decoded;
        } else if (piece.encoded) {
            bytes += percent_decode(piece.value);
        } else {
            bytes += piece.value;
        }
        first = false;
    }
    return text::to_utf8(bytes, charset);
}

}  // namespace

std::optional<std::string> MediaField::find(std::string_view name) const {
    for (const auto& [key, val] : params) {
        if (key == name) return val;
    }
    return std::nullopt;
}

std::string MediaField::param(std::string_view name) const { return find(name).value_or(""); }

std::string MediaField::major() const {
    const auto slash = value.find('/');
    return slash == std::string::npos ? std::string() : value.substr(0, slash);
}

std::string MediaField::minor() const {
    const auto slash = value.find('/');
    return slash == std::string::npos ? std::string() : value.substr(slash + 1);
}

MediaField parse_media_field(std::string_view s) {
    MediaField f;
    std::size_t i = 0;
    std::string value = read_token(s, i, false);
    // "text / plain" and similar are read as "text/plain".
    std::erase_if(value, [](char c) { return is_space(c); });
    f.value = text::ascii_lower(value);
    while (i < s.size() && f.params.size() < kMaxParams) {
        ++i;  // the ';'
        skip_space(s, i);
        std::string name = text::ascii_lower(read_token(s, i, true));
        if (i >= s.size() || s[i] != '=') {
            continue;  // a bare word or an empty parameter: nothing to keep
        }
        ++i;  // the '='
        skip_space(s, i);
        std::string val;
        if (i < s.size() && s[i] == '"') {
            val = read_quoted(s, i);
            read_token(s, i, false);  // anything after the closing quote is noise
        } else {
            val = read_token(s, i, false);
        }
        if (!name.empty()) f.params.emplace_back(std::move(name), std::move(val));
    }
    return f;
}

std::optional<std::string> decoded_param(const MediaField& field, std::string_view name) {
    if (auto ext = field.find(std::string(name) + "*")) {
        auto [charset, bytes] = split_extended(*ext);
        return text::to_utf8(bytes, charset);
    }
    if (const auto pieces = continuation_pieces(field, name); !pieces.empty()) {
        return join_pieces(pieces);
    }
    if (auto plain = field.find(name)) return decode_words(*plain);
    return std::nullopt;
}

std::string file_name_of(const MediaField& disposition, const MediaField& type) {
    // RFC 2183 makes the disposition's filename authoritative; name= on the
    // Content-Type is the older habit, still the only one some webmails use.
    if (auto v = decoded_param(disposition, "filename"); v && !v->empty()) return *v;
    if (auto v = decoded_param(type, "name"); v && !v->empty()) return *v;
    return {};
}

}  // namespace intake::mime
