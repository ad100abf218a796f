#pragma once
// Private to src/route: text as a sequence of folded words, and the edit distance
// between two words. Shared by the subject and body matchers and by the aliases, so
// that both sides of a comparison are cut the same way.
#include <string>
#include <string_view>
#include <vector>

namespace intake::route {

/// One word, lower case and without accents, as UTF-8 and as code points (for distances).
struct Word {
    std::string text;
    std::u32string chars;
};

/// Folds case and accents and cuts at every character that is not a letter or a digit.
/// "Chargé(e) de projet – D.3" -> charge, e, de, projet, d, 3.
std::vector<Word> words_of(std::string_view text);

/// A subject with its prefixes removed, and whether they said it is an automatic mail
/// (an out-of-office reply or a delivery failure), which routing never files by topic.
struct SubjectWords {
    std::vector<Word> words;
    bool automatic = false;
};
SubjectWords subject_words(std::string_view subject);

/// The typos allowed in a word of that many characters: none up to 3, one up to 7,
/// two from 8 ("intership" finds "internship"; "de" never finds "du": short words
/// that differ by one letter are usually different words).
int allowed_typos(std::size_t length);

/// Damerau–Levenshtein distance (optimal string alignment: insertions, deletions,
/// substitutions and transpositions of adjacent characters), or limit + 1 when it is
/// over `limit` (the caller only needs to know it is too far).
int edit_distance(const std::u32string& a, const std::u32string& b, int limit);

}  // namespace intake::route
