// Every title and alias of every shipped posting, written the ways applicants write it
// (as is, lower and upper case, without accents, with a typo, behind reply and forward
// prefixes, with their name or "Application –" around it), routes to that posting.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "base/text.h"
#include "config/config.h"
#include "route/route.h"
#include "route/words.h"

namespace intake::route {
namespace {

const config::Config& shipped() {
    static const config::Config config =
        config::load_config(INTAKE_SOURCE_DIR "/config/intake.toml");
    return config;
}

std::string ascii_upper(std::string s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return s;
}

// The folded phrase with two letters of its longest word swapped (one transposition),
// or "" when every word is too short to allow a typo.
std::string with_typo(const std::string& phrase) {
    auto words = words_of(phrase);
    auto longest = std::max_element(words.begin(), words.end(), [](const Word& a, const Word& b) {
        return a.chars.size() < b.chars.size();
    });
    if (longest == words.end() || longest->chars.size() < 5) return {};
    std::string& text = longest->text;
    const std::size_t middle = text.size() / 2;
    if (static_cast<unsigned char>(text[middle]) >= 0x80 ||
        static_cast<unsigned char>(text[middle + 1]) >= 0x80 || text[middle] == text[middle + 1]) {
        text.erase(middle, 1);  // a deletion instead, safe for any letter
    } else {
        std::swap(text[middle], text[middle + 1]);
    }
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w.text;
    return out;
}

std::vector<std::string> variants_of(const std::string& phrase) {
    std::vector<std::string> out = {
        phrase,
        text::ascii_lower(phrase),
        ascii_upper(phrase),
        text::fold(phrase),
        "Re: " + phrase,
        "RE : " + phrase,
        "Fwd: " + phrase,
        "TR : " + phrase,
        "AW: " + phrase,
        "RV: " + phrase,
        "Enc: " + phrase,
        "Re: TR: " + phrase,
        phrase + " – Marie Dupont",
        phrase + " - João Conceição",
        "Application – " + phrase,
        "Candidature : " + phrase + " (Zoé Lefèvre)",
    };
    if (auto typo = with_typo(phrase); !typo.empty()) {
        out.push_back(typo);
        out.push_back("Re: " + typo + " – Marie Dupont");
    }
    return out;
}

struct PostingCase {
    const char* organisation;
    const char* posting;
};

std::ostream& operator<<(std::ostream& out, const PostingCase& c) {
    return out << c.organisation << "/" << c.posting;
}

class RouteShippedPhrases : public ::testing::TestWithParam<PostingCase> {};

TEST_P(RouteShippedPhrases, EveryTitleAndAliasRoutesToItsPosting) {
    const auto& org = *shipped().find_organisation(GetParam().organisation);
    const config::Posting* posting = org.find_posting(GetParam().posting);
    ASSERT_NE(posting, nullptr);
    std::vector<std::string> phrases = posting->aliases;
    for (const auto& [language, title] : posting->titles) phrases.push_back(title);
    ASSERT_FALSE(phrases.empty());
    for (const auto& phrase : phrases) {
        for (const auto& subject : variants_of(phrase)) {
            RouteDecision d = route(subject, "", org);
            EXPECT_EQ(d.posting_id, posting->id)
                << "subject \"" << subject << "\" matched alias \"" << d.alias << "\"";
            EXPECT_EQ(d.by, "subject") << subject;
        }
    }
}

TEST_P(RouteShippedPhrases, HasAliasesInEveryLanguageOfItsTitles) {
    const auto& org = *shipped().find_organisation(GetParam().organisation);
    const config::Posting* posting = org.find_posting(GetParam().posting);
    ASSERT_NE(posting, nullptr);
    EXPECT_GE(posting->aliases.size(), org.languages.size()) << "few aliases";
}

INSTANTIATE_TEST_SUITE_P(
    Spec, RouteShippedPhrases,
    ::testing::Values(PostingCase{"cemr", "policy-internship"},
                      PostingCase{"cemr", "projects-programmes-internship"},
                      PostingCase{"cemr", "platforma-internship"},
                      PostingCase{"cemr", "internship-any"}, PostingCase{"cemr", "project-lead"},
                      PostingCase{"cemr", "assistant-logistics-administration"},
                      PostingCase{"cemr", "charge-projet-citoyennete-egalite"},
                      PostingCase{"atlantic-cities", "speculative"},
                      PostingCase{"atlantic-cities", "futures-a-university-internship"},
                      PostingCase{"atlantic-cities", "futures-b-european-mobility"},
                      PostingCase{"atlantic-cities", "futures-c-pmsmp"},
                      PostingCase{"atlantic-cities", "futures-d1-vocational-training"},
                      PostingCase{"atlantic-cities", "futures-d2-professional-training"},
                      PostingCase{"atlantic-cities", "futures-d3-modelling-eu-affairs"},
                      PostingCase{"atlantic-cities", "futures-d4-training-contract"},
                      PostingCase{"atlantic-cities", "futures-d5-high-school-internship"}));

TEST(RouteShippedPhrasesOverall, EveryPostingOfTheConfigIsCovered) {
    std::size_t postings = 0;
    for (const auto& org : shipped().organisations) postings += org.postings.size() - 1;
    EXPECT_EQ(postings, 16u);  // the list above; a new posting needs its row
}

// Two postings sharing a phrase would make routing depend on file order alone.
TEST(RouteShippedPhrasesOverall, NoPhraseNamesTwoPostings) {
    for (const auto& org : shipped().organisations) {
        std::map<std::string, std::string> owner;
        for (const auto& posting : org.postings) {
            std::vector<std::string> phrases = posting.aliases;
            for (const auto& [language, title] : posting.titles) phrases.push_back(title);
            for (const auto& phrase : phrases) {
                const std::string key = normalise_subject(phrase);
                auto [it, inserted] = owner.emplace(key, posting.id);
                EXPECT_TRUE(inserted || it->second == posting.id)
                    << org.id << ": \"" << phrase << "\" in " << posting.id << " and "
                    << it->second;
            }
        }
    }
}

// The catch-all must never win over a specific internship named in the same subject.
TEST(RouteShippedPhrasesOverall, SpecificInternshipsBeatTheCatchAllWhateverTheOrder) {
    const auto& cemr = *shipped().find_organisation("cemr");
    for (const char* specific :
         {"Policy Internship", "Projects & Programmes Internship", "PLATFORMA Internship"}) {
        for (const char* generic : {"Internship Application", "Application for Internship",
                                    "Application for an Internship"}) {
            EXPECT_NE(route(std::string(generic) + " – " + specific, "", cemr).posting_id,
                      "internship-any");
            EXPECT_NE(route(std::string(specific) + " – " + generic, "", cemr).posting_id,
                      "internship-any");
        }
    }
}

}  // namespace
}  // namespace intake::route
