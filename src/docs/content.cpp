// Roles by content: what makes a text a cover letter (a salutation near the
// top, a closing near the end with a signature after it, letter phrases) or a
// CV (section headings, date ranges), in the four languages of rules.toml.
// Texts are folded (lower case, no accents) and compared by whole words.
#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>
#include <sstream>

#include "base/text.h"
#include "docs/docs.h"

namespace intake::docs {
namespace {

// Headings and closings are short lines; a long line that starts with
// "experience" is a sentence, not a section.
constexpr std::size_t kMaxHeadingBytes = 60;
constexpr std::size_t kMaxLines = 3000;  // a CV is a few hundred lines at most

bool is_word_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || u >= 0x80;
}

/// Physical PDF layout pads with runs of spaces; one is enough.
std::string squeezed(std::string_view line) {
    std::string out;
    out.reserve(line.size());
    for (char c : line) {
        if ((c == ' ' || c == '\t') && !out.empty() && out.back() == ' ') continue;
        out += c == '\t' ? ' ' : c;
    }
    return out;
}

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> lines;
    for (const std::string_view line : text::trimmed_lines(text, kMaxLines)) {
        lines.push_back(squeezed(line));  // trimmed and not blank: never empty
    }
    return lines;
}

/// A line's columns: a PDF's physical layout sets them apart by a run of
/// spaces, an office document by a tab. Words within a column are one space
/// apart, or two after a full stop.
std::vector<std::string_view> columns_of(std::string_view line) {
    constexpr std::string_view kGap = "   ";
    std::vector<std::string_view> columns;
    while (!line.empty()) {
        const std::size_t end = std::min(line.find(kGap), line.find('\t'));
        if (const std::string_view column = text::trimmed(line.substr(0, end)); !column.empty()) {
            columns.push_back(column);
        }
        line.remove_prefix(end == std::string_view::npos ? line.size() : end + 1);
    }
    return columns;
}

bool starts_with_phrase(std::string_view line, std::string_view phrase) {
    return line.substr(0, phrase.size()) == phrase &&
           (line.size() == phrase.size() || !is_word_byte(line[phrase.size()]));
}

template <typename Words>
bool starts_with_any(std::string_view line, const Words& words) {
    return std::any_of(words.begin(), words.end(),
                       [&](const std::string& w) { return starts_with_phrase(line, w); });
}

int date_ranges_in(const std::vector<std::string>& lines) {
    int n = 0;
    std::smatch found;
    for (const auto& line : lines) {
        if (find_date_range(line, found)) ++n;
    }
    return n;
}

bool looks_like_heading(const std::string& folded, const config::Rules& rules) {
    return folded.size() <= kMaxHeadingBytes && starts_with_any(folded, rules.cv_headings);
}

}  // namespace

bool whole_words_at(std::string_view folded_text, std::size_t at, std::string_view phrase) {
    const bool left = at == 0 || !is_word_byte(folded_text[at - 1]);
    const auto end = at + phrase.size();
    const bool right = end == folded_text.size() || !is_word_byte(folded_text[end]) ||
                       !is_word_byte(phrase.back());
    return left && right;
}

namespace {

/// The run of word bytes at the start of `text` (empty when it starts with none).
std::string_view first_word(std::string_view text) {
    std::size_t end = 0;
    while (end < text.size() && is_word_byte(text[end])) ++end;
    return text.substr(0, end);
}

}  // namespace

WordsPresent::WordsPresent(std::string_view folded_text) {
    words_.reserve(folded_text.size() / 8);  // about a word in eight bytes: no rehashing
    for (std::size_t at = 0; at < folded_text.size();) {
        if (!is_word_byte(folded_text[at])) {
            ++at;
            continue;
        }
        const std::string_view word = first_word(folded_text.substr(at));
        words_.insert(word);
        at += word.size();
    }
}

bool WordsPresent::may_hold(std::string_view phrase) const {
    // A phrase found as whole words starts where a word of the text starts, and
    // its first word ends where that word does: at a byte that is no word byte,
    // or at the end of both.
    const std::string_view word = first_word(phrase);
    return word.empty() || words_.contains(word);
}

bool has_phrase(std::string_view folded_text, std::string_view phrase) {
    if (phrase.empty()) return false;
    for (auto at = text::find(folded_text, phrase); at != std::string_view::npos;
         at = text::find(folded_text, phrase, at + 1)) {
        if (whole_words_at(folded_text, at, phrase)) return true;
    }
    return false;
}

bool looks_like_name(std::string_view line) {
    const std::string s = text::trim(line);
    if (s.size() < 4 || s.size() > 60) return false;
    std::istringstream in(s);
    std::size_t words = 0;
    for (std::string w; in >> w;) {
        ++words;
        const auto first = static_cast<unsigned char>(w[0]);
        // An accented capital is a multi-byte character: accept any non-ASCII start.
        if (!(std::isupper(first) || first >= 0x80)) return false;
        for (char c : w) {
            const auto u = static_cast<unsigned char>(c);
            if (!(std::isalpha(u) || u >= 0x80 || c == '-' || c == '\'' || c == '.')) return false;
        }
    }
    return words >= 2 && words <= 5;
}

bool has_year(std::string_view line) {
    const auto digit = [&](std::size_t i) { return line[i] >= '0' && line[i] <= '9'; };
    for (std::size_t i = 0; i + 4 <= line.size(); ++i) {
        const bool century =
            (line[i] == '1' && line[i + 1] == '9') || (line[i] == '2' && line[i + 1] == '0');
        if (century && digit(i + 2) && digit(i + 3)) return true;
    }
    return false;
}

bool find_date_range(const std::string& line, std::smatch& found) {
    // "2019 - 2022", "03/2021 – 06/2024", "2021 - present", "2018 a 2020", "desde 2019"
    static const std::regex range(
        "(?:^|[^0-9])(?:(0?[1-9]|1[0-2])[/.])?((?:19|20)[0-9]{2})\\s*(?:-|–|—|to|a|au|ate|hasta|"
        "until)\\s*(?:(?:(0?[1-9]|1[0-2])[/.])?((?:19|20)[0-9]{2})|(present|today|now|current|"
        "aujourd'hui|actuel|en cours|presente|atual|hoje|actualidad|hoy|actualmente))");
    return has_year(line) && std::regex_search(line, found, range);
}

int date_ranges(std::string_view folded_text) { return date_ranges_in(lines_of(folded_text)); }

LetterForm letter_form(std::string_view text, const config::Rules& rules) {
    LetterForm form;
    const auto lines = lines_of(text);
    // Only the first and the last lines are looked at: fold those alone.
    std::vector<std::optional<std::string>> folded(lines.size());
    const auto folded_line = [&](std::size_t i) -> const std::string& {
        if (!folded[i]) folded[i] = text::fold(lines[i]);
        return *folded[i];
    };
    std::size_t begin = 0, end = lines.size();
    for (std::size_t i = 0; i < lines.size() && i < 8; ++i) {
        if (starts_with_any(folded_line(i), rules.salutations)) {
            form.salutation = true;
            begin = i + 1;
            break;
        }
    }
    // The closing is among the last lines, with at most a few signature lines after it.
    for (std::size_t i = lines.size(); i-- > begin && lines.size() - i <= 8;) {
        if (folded_line(i).size() <= 160 && starts_with_any(folded_line(i), rules.closings)) {
            form.closing = true;
            end = i;
            for (std::size_t j = i + 1; j < lines.size() && j <= i + 3; ++j) {
                if (looks_like_name(lines[j])) {
                    form.signature = lines[j];
                    break;
                }
            }
            break;
        }
    }
    for (std::size_t i = begin; i < end; ++i) form.body_words += text::count_words(lines[i]);
    return form;
}

RoleScore score_roles(std::string_view text, const config::Rules& rules) {
    RoleScore score;
    const std::string folded = text::fold(text);
    std::vector<std::string> headings;
    const auto lines = lines_of(folded);
    for (const auto& line : lines) {
        for (const auto& h : rules.cv_headings) {
            if (line.size() <= kMaxHeadingBytes && starts_with_phrase(line, h) &&
                std::find(headings.begin(), headings.end(), h) == headings.end()) {
                headings.push_back(h);
            }
        }
    }
    score.cv = 2 * static_cast<int>(headings.size()) + std::min(date_ranges_in(lines), 4);
    const LetterForm form = letter_form(text, rules);
    score.letter = (form.salutation ? 3 : 0) + (form.closing ? 3 : 0);
    int phrases = 0;
    for (const auto& p : rules.letter_phrases) {
        if (has_phrase(folded, p)) ++phrases;
    }
    score.letter += 2 * std::min(phrases, 2);
    return score;
}

std::optional<std::string> name_in_documents(const std::vector<Document>& documents,
                                             const config::Rules& rules) {
    // A letter's signature first: it is the applicant's own name as they sign it.
    for (const auto& d : documents) {
        if (d.role != Role::cover_letter || d.text.text.empty()) continue;
        if (auto signature = letter_form(d.text.text, rules).signature) return signature;
    }
    // Else the first lines of the CV, where CVs put the name: in any of their
    // columns (a sidebar's name shares its line with the main column's heading).
    for (const auto& d : documents) {
        if (d.role != Role::cv || d.text.text.empty()) continue;
        for (const std::string_view line : text::trimmed_lines(d.text.text, 4)) {
            auto candidates = columns_of(line);
            // Else the whole line: a name set with wide spaces ("Maria   Lopez").
            if (candidates.size() > 1) candidates.push_back(line);
            for (const std::string_view cell : candidates) {
                const std::string candidate = squeezed(cell);
                if (looks_like_heading(text::fold(candidate), rules)) continue;
                if (looks_like_name(candidate)) return candidate;
            }
        }
    }
    return std::nullopt;
}

}  // namespace intake::docs
