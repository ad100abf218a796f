// Languages with levels and years of experience, read from CV text. Lines are
// folded (lower case, no accents); a language's level is the level word next
// to its name on the same line (after it, else before it), or alone on the
// line below, as CV tables put it.
#include "feedback/evidence.h"

#include <algorithm>
#include <iterator>
#include <regex>
#include <vector>

#include "base/text.h"
#include "docs/docs.h"

namespace intake::feedback {
namespace {

constexpr std::size_t kMaxLines = 3000;
constexpr std::size_t kEntryLines = 3;  // lines of a CV entry below its dates

std::vector<std::string> lines_of(std::string_view folded) {
    const auto views = text::trimmed_lines(folded, kMaxLines);
    return {views.begin(), views.end()};
}

std::string joined_lines(const std::vector<std::string>& lines) {
    std::string joined;
    for (const auto& line : lines) joined.append(line).append(1, '\n');
    return joined;
}

struct Hit {
    std::size_t at;
    std::size_t end;
    std::string what;
};

bool word_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || u >= 0x80;
}

/// Whole-word occurrences of any of `words` in `line`.
void find_words(const std::string& line, const std::vector<std::string>& words,
                const std::string& what, std::vector<Hit>& hits) {
    for (const auto& w : words) {
        if (w.empty()) continue;
        for (auto at = text::find(line, w); at != std::string::npos;
             at = text::find(line, w, at + 1)) {
            if (docs::whole_words_at(line, at, w)) hits.push_back({at, at + w.size(), what});
        }
    }
}

/// The level ranks found in line[from, to), nearest first.
int level_in(const std::string& line, std::size_t from, std::size_t to, const config::Rules& rules,
             bool nearest_last) {
    std::vector<Hit> hits;
    const std::string part = line.substr(from, to - from);
    for (const auto& [level, words] : rules.level_words) find_words(part, words, level, hits);
    if (hits.empty()) return 0;
    // The longest match at a place wins ("mother tongue" over "tongue"); then the nearest.
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.at < b.at; });
    const Hit& h = nearest_last ? hits.back() : hits.front();
    return config::level_rank(h.what);
}

bool is_heading(const std::string& line, const std::vector<std::string>& headings) {
    return line.size() <= 60 && std::any_of(headings.begin(), headings.end(), [&](const auto& h) {
               return line.rfind(h, 0) == 0 &&
                      (line.size() == h.size() || !word_byte(line[h.size()]));
           });
}

}  // namespace

FoldedText::FoldedText(std::string_view text)
    : whole_(text::fold(text)),
      lines_(lines_of(whole_)),
      joined_(joined_lines(lines_)),
      words_(whole_) {}

const std::vector<std::smatch>& FoldedText::date_ranges() const {
    if (!date_ranges_) {
        date_ranges_.emplace(lines_.size());
        for (std::size_t i = 0; i < lines_.size(); ++i) {
            docs::find_date_range(lines_[i], (*date_ranges_)[i]);
        }
    }
    return *date_ranges_;
}

bool FoldedText::mentions(std::string_view phrase) const {
    return words_.may_hold(phrase) && docs::has_phrase(whole_, phrase);
}

std::map<std::string, int> claimed_languages(const FoldedText& text, const config::Rules& rules) {
    std::map<std::string, int> claims;
    const auto& lines = text.lines();
    // Of the many languages' names, only those the text holds are looked for line by line.
    std::map<std::string, std::vector<std::string>> language_names;
    for (const auto& [code, words] : rules.language_names) {
        for (const auto& w : words) {
            if (text.words().may_hold(w)) language_names[code].push_back(w);
        }
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        std::vector<Hit> names;
        for (const auto& [code, words] : language_names) find_words(line, words, code, names);
        std::sort(names.begin(), names.end(),
                  [](const Hit& a, const Hit& b) { return a.at < b.at; });
        for (std::size_t k = 0; k < names.size(); ++k) {
            const std::size_t after_end = k + 1 < names.size() ? names[k + 1].at : line.size();
            const std::size_t before_start = k > 0 ? names[k - 1].end : 0;
            int rank = level_in(line, names[k].end, after_end, rules, false);
            if (rank == 0 && names.size() == 1)
                rank = level_in(line, before_start, names[k].at, rules, true);
            if (rank == 0 && names.size() == 1 && i + 1 < lines.size() &&
                lines[i + 1].size() < 40) {
                std::vector<Hit> next_names;
                for (const auto& [code, words] : language_names) {
                    find_words(lines[i + 1], words, code, next_names);
                }
                if (next_names.empty())
                    rank = level_in(lines[i + 1], 0, lines[i + 1].size(), rules, false);
            }
            if (rank > 0) claims[names[k].what] = std::max(claims[names[k].what], rank);
        }
    }
    return claims;
}

std::string describe_claims(const std::map<std::string, int>& claims) {
    std::string out;
    const auto& levels = config::level_names();
    for (const auto& [code, rank] : claims) {
        if (rank <= 0 || rank > static_cast<int>(levels.size())) continue;
        if (!out.empty()) out += ' ';
        out += code + ":" + levels[levels.size() - static_cast<std::size_t>(rank)];
    }
    return out;
}

Experience experience_with(const FoldedText& text, const std::vector<std::string>& words,
                           int current_year, const std::vector<std::string>& headings) {
    Experience found;
    if (words.empty()) return found;
    static const std::regex years_sentence(
        "(?:^|[^0-9a-z])([0-9]{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|un|deux|"
        "trois|quatre|cinq|six|sept|huit|dix|um|dois|duas|tres|quatro|cinco|seis|sete|oito|dez|"
        "uno|dos|cuatro|siete|ocho|diez|nine|neuf|nove|nueve)\\+?\\s+(?:full\\s+)?(?:years?|ans|"
        "annees|anos)");
    static const std::map<std::string, int> number_words = {
        {"one", 1},   {"un", 1},     {"um", 1},     {"uno", 1},    {"two", 2},   {"deux", 2},
        {"dois", 2},  {"duas", 2},   {"dos", 2},    {"three", 3},  {"trois", 3}, {"tres", 3},
        {"four", 4},  {"quatre", 4}, {"quatro", 4}, {"cuatro", 4}, {"five", 5},  {"cinq", 5},
        {"cinco", 5}, {"six", 6},    {"seis", 6},   {"seven", 7},  {"sept", 7},  {"sete", 7},
        {"siete", 7}, {"eight", 8},  {"huit", 8},   {"oito", 8},   {"ocho", 8},  {"nine", 9},
        {"nine", 9},  {"neuf", 9},   {"nove", 9},   {"nueve", 9},  {"ten", 10},  {"dix", 10},
        {"dez", 10},  {"diez", 10}};

    const auto& lines = text.lines();
    // Every entry and sentence below is a part of these lines joined: only the
    // words the whole text names are looked for in each line, and most texts
    // name none or one of them.
    std::vector<std::string> named;
    std::copy_if(words.begin(), words.end(), std::back_inserter(named), [&](const std::string& w) {
        return text.words().may_hold(w) && docs::has_phrase(text.joined(), w);
    });
    if (named.empty()) return found;
    auto names_one = [&](const std::string& s) {
        return std::any_of(named.begin(), named.end(),
                           [&](const std::string& w) { return docs::has_phrase(s, w); });
    };
    // Month intervals of the entries that name it; overlapping ones merged.
    std::vector<std::pair<int, int>> spans;
    double stated = 0;
    const auto& ranges = text.date_ranges();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (!ranges[i].empty()) {
            const std::smatch& m = ranges[i];
            std::string entry = lines[i];
            for (std::size_t j = i + 1; j < lines.size() && j <= i + kEntryLines; ++j) {
                // The next entry, or the next section, ends this one.
                if (!ranges[j].empty() || is_heading(lines[j], headings)) break;
                entry += "\n" + lines[j];
            }
            if (names_one(entry)) {
                found.mentioned = true;
                const int from_month = m[1].matched ? std::stoi(m[1]) : 1;
                const int from = std::stoi(m[2]) * 12 + from_month - 1;
                int to = current_year * 12 + 11;
                if (m[4].matched)
                    to = std::stoi(m[4]) * 12 + (m[3].matched ? std::stoi(m[3]) : 12) - 1;
                if (to >= from) spans.emplace_back(from, to + 1);
            }
        }
        if (names_one(lines[i])) {
            found.mentioned = true;
            std::smatch m;
            if (std::regex_search(lines[i], m, years_sentence)) {
                const std::string n = m[1];
                const auto it = number_words.find(n);
                const int value = it != number_words.end() ? it->second : std::stoi(n);
                stated = std::max(stated, static_cast<double>(value));
            }
        }
    }
    std::sort(spans.begin(), spans.end());
    int months = 0, covered_to = -1;
    for (const auto& [from, to] : spans) {
        const int start = std::max(from, covered_to);
        if (to > start) months += to - start;
        covered_to = std::max(covered_to, to);
    }
    found.years = std::max(stated, months / 12.0);
    return found;
}

}  // namespace intake::feedback
