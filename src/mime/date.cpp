// RFC 5322 §3.3 dates, including the obsolete forms of §4.3 that real mail
// still carries: no weekday, two-digit years, named zones, comments such as
// "+0100 (CET)", single-digit days. The pieces are recognised by their shape
// rather than by position, which also reads asctime-style dates
// ("Fri Mar 14 23:20:00 2025") that a few mailers write.
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "mime/mime.h"

namespace intake::mime {
namespace {

struct Parts {
    int day = -1, month = -1, year = -1;
    int hour = -1, minute = -1, second = 0;
    std::optional<int> offset_minutes;  ///< east of UTC
};

std::vector<std::string> tokens_of(std::string_view value) {
    std::vector<std::string> tokens;
    std::string current;
    int comment = 0;
    for (const char c : value) {
        if (c == '(') ++comment;
        if (comment > 0) {
            if (c == ')') --comment;
            continue;
        }
        if (c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n') {
            if (!current.empty()) tokens.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) tokens.push_back(std::move(current));
    return tokens;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

bool all_alpha(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
        if (!std::isalpha(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

int month_of(std::string_view word) {
    static constexpr std::array<std::string_view, 12> kMonths = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    if (word.size() < 3) return -1;
    const std::string prefix = text::ascii_lower(word.substr(0, 3));
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        if (prefix == kMonths[i]) return static_cast<int>(i) + 1;
    }
    return -1;
}

/// Named zones of RFC 5322 §4.3, plus the European names mailers still emit.
std::optional<int> named_zone(std::string_view word) {
    static constexpr struct {
        std::string_view name;
        int hours;
    } kZones[] = {{"ut", 0},   {"utc", 0},  {"gmt", 0},  {"z", 0},    {"est", -5}, {"edt", -4},
                  {"cst", -6}, {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7},
                  {"cet", 1},  {"cest", 2}, {"met", 1},  {"mest", 2}, {"bst", 1},  {"wet", 0},
                  {"west", 1}, {"eet", 2},  {"eest", 3}};
    const std::string w = text::ascii_lower(word);
    for (const auto& z : kZones) {
        if (w == z.name) return z.hours * 60;
    }
    // Military zones are ambiguous in practice; RFC 5322 says to read them as -0000.
    if (w.size() == 1 && w[0] >= 'a' && w[0] <= 'z' && w[0] != 'j') return 0;
    return std::nullopt;
}

bool read_time(std::string_view s, Parts& p) {
    int fields[3] = {-1, -1, 0};
    int n = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == ':') {
            const std::string_view piece = s.substr(start, i - start);
            if (n >= 3 || !all_digits(piece) || piece.size() > 2) return false;
            fields[n++] = std::stoi(std::string(piece));
            start = i + 1;
        }
    }
    if (n < 2) return false;
    p.hour = fields[0];
    p.minute = fields[1];
    p.second = fields[2];
    return true;
}

bool read_offset(std::string_view s, Parts& p) {
    if (s.size() < 2 || (s[0] != '+' && s[0] != '-')) return false;
    std::string digits(s.substr(1));
    std::erase(digits, ':');  // "+01:00" is not RFC 5322 but is seen
    if (!all_digits(digits) || digits.size() != 4) return false;
    const int hours = std::stoi(digits.substr(0, 2));
    const int minutes = std::stoi(digits.substr(2, 2));
    if (hours > 23 || minutes > 59) return false;
    p.offset_minutes = (s[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
    return true;
}

void read_token(const std::string& t, Parts& p) {
    if (t.find(':') != std::string::npos && read_time(t, p)) return;
    if (read_offset(t, p)) return;
    if (all_digits(t)) {
        const int n = t.size() > 4 ? -1 : std::stoi(t);
        if (p.day < 0 && t.size() <= 2 && n >= 1 && n <= 31) {
            p.day = n;
        } else if (p.year < 0 && n >= 0) {
            // RFC 5322 §4.3: 00-49 are 2000-2049, 50-99 and three digits count from 1900.
            p.year = t.size() == 4 ? n : (t.size() == 2 && n < 50 ? 2000 + n : 1900 + n);
        }
        return;
    }
    if (!all_alpha(t)) return;
    if (const int m = month_of(t); m > 0 && p.month < 0 && t.size() <= 9) {
        p.month = m;
    } else if (!p.offset_minutes) {
        if (auto z = named_zone(t)) p.offset_minutes = *z;
    }
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_date(std::string_view value) {
    Parts p;
    for (const std::string& t : tokens_of(value)) read_token(t, p);
    if (p.day < 0 || p.month < 0 || p.year < 0 || p.hour < 0 || p.minute < 0) return std::nullopt;
    if (p.hour > 23 || p.minute > 59 || p.second > 60 || p.year < 1900 || p.year > 9999) {
        return std::nullopt;
    }
    const std::chrono::year_month_day ymd{std::chrono::year{p.year},
                                          std::chrono::month{static_cast<unsigned>(p.month)},
                                          std::chrono::day{static_cast<unsigned>(p.day)}};
    if (!ymd.ok()) return std::nullopt;
    using namespace std::chrono;
    // A missing zone is read as UTC, the "-0000" of RFC 5322 §3.3.
    return sys_seconds{sys_days{ymd}} + hours{p.hour} + minutes{p.minute} + seconds{p.second} -
           minutes{p.offset_minutes.value_or(0)};
}

}  // namespace intake::mime
