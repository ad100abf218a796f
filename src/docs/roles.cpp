#include <algorithm>
#include <array>
#include <cctype>

#include "base/text.h"
#include "docs/docs.h"

namespace intake::docs {
namespace {

// File-name words, folded (lower case, no accents). A name is tokenised on
// anything that is not a letter or digit and on camelCase joints, so
// "CoverLetter_Esposito" and "lettre-de-motivation" both read as words.
constexpr std::array kCvWords = {"cv",        "resume",     "curriculum", "vitae", "lebenslauf",
                                 "curriculo", "hojadevida", "cvitae",     "vita"};
constexpr std::array kLetterWords = {
    "letter",       "cover",       "coverletter",          "motivation",          "motivational",
    "lettre",       "carta",       "motivacion",           "motivacao",           "apresentacao",
    "presentacion", "anschreiben", "motivationsschreiben", "bewerbungsschreiben", "lm",
    "candidature",  "motivazione"};

std::vector<std::string> name_words(std::string_view file_name) {
    // Drop the extension: "cv.pdf" -> "cv".
    const auto dot = file_name.rfind('.');
    if (dot != std::string_view::npos && dot > 0 && file_name.size() - dot <= 6) {
        file_name = file_name.substr(0, dot);
    }
    std::vector<std::string> words;
    std::string current;
    char previous = 0;
    for (char c : file_name) {
        const auto u = static_cast<unsigned char>(c);
        const bool word_char = std::isalnum(u) || u >= 0x80;
        const bool camel_joint =
            std::isupper(u) && std::islower(static_cast<unsigned char>(previous));
        if (!word_char || camel_joint) {
            if (!current.empty()) words.push_back(text::fold(current));
            current.clear();
        }
        if (word_char) current += c;
        previous = c;
    }
    if (!current.empty()) words.push_back(text::fold(current));
    return words;
}

template <std::size_t N>
bool contains_any(const std::vector<std::string>& words, const std::array<const char*, N>& wanted) {
    return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
        return std::find(wanted.begin(), wanted.end(), w) != wanted.end();
    });
}

}  // namespace

std::string_view to_string(Role role) {
    switch (role) {
        case Role::cv:
            return "cv";
        case Role::cover_letter:
            return "cover_letter";
        case Role::other:
            break;
    }
    return "other";
}

Role role_from_name(std::string_view file_name) {
    const auto words = name_words(file_name);
    // "C.V." splits into "c" "v": join single letters back before looking.
    std::string initials;
    for (const auto& w : words) {
        if (w.size() == 1) initials += w;
    }
    const bool cv = contains_any(words, kCvWords) || initials.find("cv") != std::string::npos;
    const bool letter = contains_any(words, kLetterWords);
    // A file named for both ("CV and cover letter.pdf") is read as the CV: HR
    // opens the CV first, and the letter inside is still there.
    if (cv) return Role::cv;
    if (letter) return Role::cover_letter;
    return Role::other;
}

}  // namespace intake::docs
