#pragma once
// Private to src/feedback: what a CV's (or a letter's) text says about the
// applicant, in the four languages of rules.toml: the languages they claim with
// their levels, and the years of a kind of experience. Pure.
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "docs/docs.h"

namespace intake::feedback {

/// A CV's or a letter's text as every check reads it, folded once (lower case,
/// no accents): folding is the costliest step of reading a text, and a CV is
/// read by five checks. Neither copied nor moved: `words` points into `whole`.
class FoldedText {
public:
    explicit FoldedText(std::string_view text);
    FoldedText(const FoldedText&) = delete;
    FoldedText& operator=(const FoldedText&) = delete;

    const std::string& whole() const { return whole_; }  ///< the text folded, lines as they were
    /// Its non-empty lines, trimmed (at most a few thousand).
    const std::vector<std::string>& lines() const { return lines_; }
    const std::string& joined() const { return joined_; }  ///< those lines, each ending in \n
    /// Of `whole`, so also of every line: a phrase whose first word is missing is
    /// in neither, and need not be looked for.
    const docs::WordsPresent& words() const { return words_; }

    /// Whether the text holds `phrase` (folded) as whole words.
    bool mentions(std::string_view phrase) const;

    /// For each of lines(), the date range it holds (docs::find_date_range),
    /// empty when it holds none. Found for every line on the first call only:
    /// every experience check reads the same entries.
    const std::vector<std::smatch>& date_ranges() const;

private:
    std::string whole_;
    std::vector<std::string> lines_;
    std::string joined_;
    docs::WordsPresent words_;
    mutable std::optional<std::vector<std::smatch>> date_ranges_;
};

/// Language code -> the best level rank claimed for it (config::level_rank: 7 native … 1 A1).
std::map<std::string, int> claimed_languages(const FoldedText& text, const config::Rules& rules);

/// "en:C2 fr:C1 es:native", sorted by code.
std::string describe_claims(const std::map<std::string, int>& claims);

struct Experience {
    bool mentioned = false;  ///< some entry or sentence names it
    double years = 0;        ///< from date ranges of its entries, or "N years" sentences
};

/// Experience whose CV entries (a line with a date range and the lines below it)
/// or sentences name one of `words`. `current_year` stands for "present"; a
/// line starting with one of `headings` ends an entry.
Experience experience_with(const FoldedText& text, const std::vector<std::string>& words,
                           int current_year, const std::vector<std::string>& headings);

}  // namespace intake::feedback
