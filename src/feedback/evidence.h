#pragma once
// Private to src/feedback: what a CV's (or a letter's) text says about the
// applicant, in the four languages of rules.toml: the languages they claim with
// their levels, and the years of a kind of experience. Pure.
#include <map>
#include <string>
#include <string_view>

#include "config/config.h"

namespace intake::feedback {

/// Language code -> the best level rank claimed for it (config::level_rank: 7 native … 1 A1).
std::map<std::string, int> claimed_languages(std::string_view text, const config::Rules& rules);

/// "en:C2 fr:C1 es:native", sorted by code.
std::string describe_claims(const std::map<std::string, int>& claims);

struct Experience {
    bool mentioned = false;  ///< some entry or sentence names it
    double years = 0;        ///< from date ranges of its entries, or "N years" sentences
};

/// Experience whose CV entries (a line with a date range and the lines below it)
/// or sentences name one of `words`. `current_year` stands for "present"; a
/// line starting with one of `headings` ends an entry.
Experience experience_with(std::string_view text, const std::vector<std::string>& words,
                           int current_year, const std::vector<std::string>& headings);

}  // namespace intake::feedback
