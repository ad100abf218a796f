// Subject first: every title and alias of every posting is looked for as a run of
// consecutive words anywhere in the subject, each word allowed a few typos. When
// several match, the choice is: a specific posting over a catch-all one (a subject
// naming "Policy Internship" is for that internship even if it also says "Internship
// Application"), then the longest phrase (the most words agreeing), then the fewest
// typos, then the order of the postings file. The body is read only when the subject
// matches nothing, and more strictly: it is long and quotes other mail, so only exact
// phrases of two words or more count, and only when they name a single posting.
#include "route/route.h"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "route/words.h"

namespace intake::route {
namespace {

constexpr std::size_t kBodyBytes = 64 * 1024;
/// Far longer than any real subject (RFC 5322 lines stop at 998 bytes). Matching
/// grows with the subject's words times the postings' phrases, so a stranger's
/// megabyte subject must not reach it.
constexpr std::size_t kSubjectBytes = 2 * 1024;

/// A title or alias that routes to a posting.
struct Phrase {
    const config::Posting* posting;
    std::string text;  ///< as written in the config, reported to HR
    std::vector<Word> words;
    std::size_t order;  ///< position in the config: the last tie-break
};

struct Match {
    const Phrase* phrase;
    int distance;
};

// Aliases before titles, so HR sees the alias the admin wrote when both are the same.
std::vector<Phrase> phrases_of(const config::Organisation& org) {
    std::vector<Phrase> phrases;
    for (const auto& posting : org.postings) {
        if (posting.id == config::kUnsorted) continue;  // never chosen by name
        std::vector<std::string> texts = posting.aliases;
        for (const auto& [language, title] : posting.titles) texts.push_back(title);
        for (const auto& text : texts) {
            auto words = words_of(text);
            if (words.empty()) continue;
            phrases.push_back({&posting, text, std::move(words), phrases.size()});
        }
    }
    return phrases;
}

std::optional<int> distance_at(const std::vector<Word>& words, std::size_t start,
                               const Phrase& phrase) {
    int total = 0;
    for (std::size_t j = 0; j < phrase.words.size(); ++j) {
        const Word& have = words[start + j];
        const Word& want = phrase.words[j];
        const int limit = allowed_typos(std::min(have.chars.size(), want.chars.size()));
        const int d = have.text == want.text ? 0 : edit_distance(have.chars, want.chars, limit);
        if (d > limit) return std::nullopt;
        total += d;
    }
    return total;
}

/// A phrase that names an option by its code ("D.2", "option D.2") is the
/// applicant's explicit choice, while a descriptive phrase of the same length can
/// mean two options in one language ("formación profesional" is D.1 and D.2).
bool names_a_code(const Phrase& phrase) {
    return std::any_of(phrase.words.begin(), phrase.words.end(), [](const Word& w) {
        return !w.text.empty() && std::all_of(w.text.begin(), w.text.end(),
                                              [](char c) { return c >= '0' && c <= '9'; });
    });
}

bool better(const Match& a, const Match& b) {
    const bool a_specific = !a.phrase->posting->catch_all;
    const bool b_specific = !b.phrase->posting->catch_all;
    if (a_specific != b_specific) return a_specific;
    if (a.phrase->words.size() != b.phrase->words.size()) {
        return a.phrase->words.size() > b.phrase->words.size();
    }
    if (names_a_code(*a.phrase) != names_a_code(*b.phrase)) return names_a_code(*a.phrase);
    if (a.distance != b.distance) return a.distance < b.distance;
    return a.phrase->order < b.phrase->order;
}

std::optional<Match> best_in_subject(const std::vector<Word>& words,
                                     const std::vector<Phrase>& phrases) {
    std::optional<Match> best;
    for (const auto& phrase : phrases) {
        if (phrase.words.size() > words.size()) continue;
        for (std::size_t start = 0; start + phrase.words.size() <= words.size(); ++start) {
            auto distance = distance_at(words, start, phrase);
            if (!distance) continue;
            Match match{&phrase, *distance};
            if (!best || better(match, *best)) best = match;
        }
    }
    return best;
}

// The first `limit` bytes, cut on a character boundary.
std::string_view head_of(std::string_view text, std::size_t limit) {
    if (text.size() <= limit) return text;
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut);
}

bool exact_at(const std::vector<Word>& words, std::size_t start, const Phrase& phrase) {
    if (start + phrase.words.size() > words.size()) return false;
    for (std::size_t j = 0; j < phrase.words.size(); ++j) {
        if (words[start + j].text != phrase.words[j].text) return false;
    }
    return true;
}

// posting -> the longest phrase of it found in the body.
std::map<const config::Posting*, const Phrase*> postings_in_body(
    const std::vector<Word>& words, const std::vector<Phrase>& phrases) {
    std::unordered_map<std::string, std::vector<std::size_t>> positions;
    for (std::size_t i = 0; i < words.size(); ++i) positions[words[i].text].push_back(i);
    std::map<const config::Posting*, const Phrase*> found;
    for (const auto& phrase : phrases) {
        if (phrase.words.size() < 2) continue;  // one word says too little in running text
        auto it = positions.find(phrase.words.front().text);
        if (it == positions.end()) continue;
        bool present = std::any_of(it->second.begin(), it->second.end(), [&](std::size_t start) {
            return exact_at(words, start, phrase);
        });
        if (!present) continue;
        auto [entry, inserted] = found.try_emplace(phrase.posting, &phrase);
        if (!inserted && phrase.words.size() > entry->second->words.size()) entry->second = &phrase;
    }
    return found;
}

std::optional<RouteDecision> route_by_body(std::string_view body,
                                           const std::vector<Phrase>& phrases) {
    auto found = postings_in_body(words_of(head_of(body, kBodyBytes)), phrases);
    const bool any_specific = std::any_of(
        found.begin(), found.end(), [](const auto& entry) { return !entry.first->catch_all; });
    if (any_specific)
        std::erase_if(found, [](const auto& entry) { return entry.first->catch_all; });
    if (found.size() != 1) return std::nullopt;  // nothing, or ambiguous: a person decides
    const auto& [posting, phrase] = *found.begin();
    return RouteDecision{posting->id, "body", phrase->text, 0};
}

RouteDecision unsorted() { return RouteDecision{std::string(config::kUnsorted), "none", "", 0}; }

}  // namespace

struct Router::Phrases {
    std::vector<Phrase> all;
};

Router::Router(const config::Organisation& org)
    : phrases_(std::make_unique<const Phrases>(Phrases{phrases_of(org)})) {}

Router::~Router() = default;

RouteDecision Router::route(std::string_view subject, std::string_view body_text) const {
    const std::vector<Phrase>& phrases = phrases_->all;
    const SubjectWords words = subject_words(head_of(subject, kSubjectBytes));
    if (words.automatic) return unsorted();
    if (auto match = best_in_subject(words.words, phrases)) {
        return RouteDecision{match->phrase->posting->id, "subject", match->phrase->text,
                             match->distance};
    }
    if (auto decision = route_by_body(body_text, phrases)) return *decision;
    return unsorted();
}

RouteDecision route(std::string_view subject, std::string_view body_text,
                    const config::Organisation& org) {
    return Router(org).route(subject, body_text);
}

}  // namespace intake::route
