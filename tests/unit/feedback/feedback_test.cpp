// Checks and Atlantic Cities feedback codes from document text, one rule at a
// time and per language, with the shipped rules.toml and postings.
#include "feedback/feedback.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "feedback/evidence.h"

namespace intake::feedback {
namespace {

const config::Config& shipped() {
    static const config::Config config =
        config::load_config(INTAKE_SOURCE_DIR "/config/intake.toml");
    return config;
}
const config::Rules& rules() { return shipped().rules; }

// The checks read a text folded once (FoldedText); these fold it for them.
std::map<std::string, int> claimed_languages_in(std::string_view text, const config::Rules& r) {
    return claimed_languages(FoldedText(text), r);
}
Experience experience_in(std::string_view text, const std::vector<std::string>& words, int year,
                         const std::vector<std::string>& headings) {
    return experience_with(FoldedText(text), words, year, headings);
}

TEST(FoldedText, FoldsOnceAndKeepsTheTrimmedLinesAndTheirWords) {
    const FoldedText text("  Expérience à l'ÉTRANGER \n\n\tLangues : Français\n");
    EXPECT_EQ(text.whole(), "  experience a l'etranger \n\n\tlangues : francais\n");
    EXPECT_EQ(text.lines(),
              (std::vector<std::string>{"experience a l'etranger", "langues : francais"}));
    EXPECT_EQ(text.joined(), "experience a l'etranger\nlangues : francais\n");
    EXPECT_TRUE(text.words().may_hold("francais"));
    EXPECT_TRUE(text.words().may_hold("etranger"));
    EXPECT_FALSE(text.words().may_hold("anglais"));
}

TEST(FoldedText, MentionsAPhraseAsWholeWordsAnywhereInTheWholeText) {
    std::string cv = "Curriculum vitae\n";
    for (int line = 0; line < 3100; ++line) cv += "Line " + std::to_string(line) + "\n";
    cv += "Master’s student; Convention de STAGE signée.\n";  // past the lines kept
    const FoldedText text(cv);
    EXPECT_TRUE(text.mentions("convention de stage"));
    EXPECT_TRUE(text.mentions("student"));
    EXPECT_FALSE(text.mentions("stag"));        // not a whole word
    EXPECT_FALSE(text.mentions("de stage x"));  // not all of it
    EXPECT_FALSE(text.mentions("internship agreement"));
}

TEST(FoldedText, FindsEachLinesDateRangeOnce) {
    const FoldedText text(
        "2019 - 2021  Project officer\nNo dates, but 2020 alone\n03/2020 – Present");
    const auto& ranges = text.date_ranges();
    ASSERT_EQ(ranges.size(), 3u);
    ASSERT_FALSE(ranges[0].empty());
    EXPECT_EQ(ranges[0][2], "2019");
    EXPECT_EQ(ranges[0][4], "2021");
    EXPECT_TRUE(ranges[1].empty());
    ASSERT_FALSE(ranges[2].empty());
    EXPECT_EQ(ranges[2][1], "03");
    EXPECT_EQ(ranges[2][5], "present");
    EXPECT_EQ(&text.date_ranges(), &ranges);  // found once, kept
}

TEST(ClaimedLanguages, LevelsInFourLanguages) {
    EXPECT_EQ(describe_claims(claimed_languages_in("Languages\nSpanish: native\nEnglish: C2\n"
                                                   "French: C1 (DELF)\nPortuguese: B2",
                                                   rules())),
              "en:C2 es:native fr:C1 pt:B2");
    EXPECT_EQ(describe_claims(claimed_languages_in(
                  "Langues\nFrançais : langue maternelle\nAnglais : courant\nEspagnol : notions",
                  rules())),
              "en:C1 es:A2 fr:native");
    EXPECT_EQ(
        describe_claims(claimed_languages_in(
            "Línguas\nPortuguês: língua materna\nInglês: avançado\nFrancês: intermédio", rules())),
        "en:C1 fr:B1 pt:native");
    EXPECT_EQ(describe_claims(claimed_languages_in(
                  "Idiomas\nEspañol — lengua materna\nInglés — C1\nFrancés — B2", rules())),
              "en:C1 es:native fr:B2");
}

TEST(ClaimedLanguages, SeveralOnOneLineAndLevelOnTheNextLine) {
    EXPECT_EQ(describe_claims(claimed_languages_in(
                  "Inglés: C2 · Francés: C1 · Portugués: C1\nAlemán\nA2", rules())),
              "de:A2 en:C2 fr:C1 pt:C1");
    EXPECT_EQ(describe_claims(claimed_languages_in("Native English speaker", rules())),
              "en:native");
    EXPECT_TRUE(claimed_languages_in("Bachelor in English Studies", rules()).empty());
}

TEST(Experience, YearsFromDatedEntriesThatNameIt) {
    const char* cv =
        "Work experience\n"
        "03/2021 - 06/2024  Project officer, Interreg Atlantic Area\n"
        "2018 - 2020  Sales assistant, Decathlon\n"
        "Education\n2014 - 2018 Bachelor, European affairs minor\n";
    // 2014-2018 is in Education but names "european affairs": it counts, 4 years.
    const Experience eu = experience_in(cv, rules().eu_projects, 2025, rules().cv_headings);
    EXPECT_TRUE(eu.mentioned);
    EXPECT_NEAR(eu.years, 3.25 + 5, 0.1);
}

TEST(Experience, StatedYearsInFourLanguages) {
    for (const char* s : {"Three years of experience in EU-funded projects.",
                          "Trois ans d'expérience en projets européens.",
                          "Três anos de experiência em projetos europeus.",
                          "Tres años de experiencia en proyectos europeos."}) {
        const Experience e = experience_in(s, rules().eu_projects, 2025, rules().cv_headings);
        EXPECT_NEAR(e.years, 3, 0.01) << s;
    }
    EXPECT_NEAR(experience_in("2021 - present  Officer, Brussels (abroad)", rules().abroad, 2025,
                              rules().cv_headings)
                    .years,
                5, 0.01);
}

// --- assess(): checks and feedback codes --------------------------------------------

// No such document (std::optional<std::string> here trips g++ 12's maybe-uninitialized).
const std::string kAbsent = "<absent>";

struct Application {
    std::string posting = "speculative";
    std::string cv_text = kAbsent;
    std::string cv_language = "es";
    std::string letter_text = kAbsent;
    std::string letter_language = "en";
    docs::TextStatus cv_status = docs::TextStatus::ok;
    std::string mail = "Hello";
};

Assessment run(const Application& a, const std::string& org_id = "atlantic-cities") {
    const config::Organisation& org = *shipped().find_organisation(org_id);
    std::vector<docs::Document> documents;
    if (a.cv_text != kAbsent) {
        docs::Document d;
        d.role = docs::Role::cv;
        d.source = "attachment";
        d.original_name = "cv.pdf";
        d.text.text = a.cv_text;
        d.text.status = a.cv_status;
        if (a.cv_status == docs::TextStatus::ok) d.language = a.cv_language;
        documents.push_back(d);
    }
    if (a.letter_text != kAbsent) {
        docs::Document d;
        d.role = docs::Role::cover_letter;
        d.source = "attachment";
        d.original_name = "letter.docx";
        d.text.text = a.letter_text;
        d.text.status = docs::TextStatus::ok;
        d.language = a.letter_language;
        documents.push_back(d);
    }
    const Evidence evidence{std::chrono::sys_days{std::chrono::year{2025} / 3 / 1}, a.mail,
                            &documents, &rules()};
    return assess(evidence, *org.find_posting(a.posting), org, "en");
}

std::vector<std::string> codes(const std::vector<record::FeedbackItem>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(i.code);
    return out;
}

const record::Check* check(const Assessment& a, const std::string& code) {
    for (const auto& c : a.checks) {
        if (c.code == code) return &c;
    }
    return nullptr;
}

const char* kStrongCv =
    "Lucía Fernández Ruiz\nExperiencia profesional\n"
    "2019 - 2024  Técnica de proyectos europeos, Ayuntamiento de Gijón\n"
    "2016 - 2018  Asistente, Bruselas (en el extranjero)\n"
    "2015  Prácticas en Atlantic Cities, Rennes\n"
    "Idiomas\nEspañol: lengua materna\nInglés: C2\nFrancés: C1\nPortugués: B1\n";

TEST(Assess, EveryStrengthWithItsSentence) {
    Application a;
    a.cv_text = kStrongCv;
    a.letter_text = "Dear Sir or Madam,\nI apply.\nKind regards,\nLucía";
    const Assessment r = run(a);
    ASSERT_TRUE(r.feedback);
    EXPECT_EQ(codes(r.feedback->strengths),
              (std::vector<std::string>{"three_atlantic_languages", "two_language_application",
                                        "eu_projects_experience", "experience_abroad",
                                        "network_experience"}));
    EXPECT_TRUE(r.feedback->weaknesses.empty());
    for (const auto& s : r.feedback->strengths) EXPECT_FALSE(s.text.empty()) << s.code;
    EXPECT_EQ(check(r, "languages_claimed")->value.value_or(""), "en:C2 es:native fr:C1 pt:B1");
}

TEST(Assess, WeaknessesOfOptionA) {
    Application a;
    a.posting = "futures-a-university-internship";
    a.cv_text = "Curriculum vitae\nEducation\n2020 - 2024 Licence\nLanguages\nFrench: native\n";
    a.cv_language = "fr";
    a.letter_text = "Madame, Monsieur,\nJe postule.\nCordialement,\nLou";
    a.letter_language = "fr";
    const Assessment r = run(a);
    EXPECT_EQ(codes(r.feedback->weaknesses),
              (std::vector<std::string>{"cover_letter_not_in_english",
                                        "fewer_than_two_atlantic_languages",
                                        "learning_agreement_not_mentioned"}));
}

TEST(Assess, TheLetterMentioningTheAgreementSilencesTheWeakness) {
    for (const char* phrase : {"My university will sign the learning agreement.",
                               "L'université signera la convention de stage.",
                               "A universidade assinará o acordo de estágio.",
                               "La universidad firmará el convenio de prácticas."}) {
        Application a;
        a.posting = "futures-a-university-internship";
        a.cv_text = kStrongCv;
        a.letter_text = std::string("Dear Sir,\n") + phrase + "\nRegards,\nLucía";
        const auto weak = codes(run(a).feedback->weaknesses);
        EXPECT_EQ(std::count(weak.begin(), weak.end(), "learning_agreement_not_mentioned"), 0)
            << phrase;
    }
}

TEST(Assess, LanguagesAreNotAskedOfOptionsThatDoNotRequireThem) {
    Application a;
    a.posting = "futures-c-pmsmp";
    a.cv_text = "Curriculum vitae\nLangues\nFrançais : langue maternelle\n";
    a.cv_language = "fr";
    a.letter_text = "Dear Sir,\nI apply.\nRegards,\nLou";
    const auto weak = codes(run(a).feedback->weaknesses);
    EXPECT_TRUE(weak.empty());
}

TEST(Assess, MissingDocuments) {
    Application a;
    EXPECT_EQ(codes(run(a).feedback->weaknesses),
              (std::vector<std::string>{"missing_cv", "missing_cover_letter"}));
}

TEST(Assess, UnreadableCvIsAWeaknessWithAKindRequest) {
    for (auto status :
         {docs::TextStatus::encrypted, docs::TextStatus::scanned, docs::TextStatus::unreadable}) {
        Application a;
        a.cv_text = "";
        a.cv_status = status;
        a.letter_text = "Dear Sir,\nI apply.\nRegards,\nLucía";
        const Assessment r = run(a);
        EXPECT_EQ(codes(r.feedback->weaknesses), (std::vector<std::string>{"cv_unreadable"}));
        EXPECT_NE(r.feedback->weaknesses[0].text.find("plain PDF"), std::string::npos);
        // Not read is not held against the applicant: no language weakness.
        EXPECT_EQ(check(r, "languages_claimed"), nullptr);
    }
}

TEST(Assess, ChecksForHrInEveryOrganisation) {
    Application a;
    a.posting = "policy-internship";
    a.cv_text = kStrongCv;
    a.mail = "Je suis étudiante et l'université signera la convention de stage.";
    const Assessment r = run(a, "cemr");
    EXPECT_FALSE(r.feedback.has_value());
    EXPECT_TRUE(check(r, "internship_agreement_not_mentioned")->ok);
    EXPECT_TRUE(check(r, "student_enrolment_not_mentioned")->ok);
    EXPECT_FALSE(check(r, "missing_cover_letter")->ok);
    EXPECT_EQ(check(r, "cv_language")->value.value_or(""), "es");
    EXPECT_EQ(check(r, "eu_projects_experience")->value.value_or(""), "6");
    EXPECT_TRUE(check(r, "cv_scanned")->ok);
}

TEST(Assess, StudentAndAgreementNotMentioned) {
    Application a;
    a.posting = "policy-internship";
    a.cv_text = "Curriculum vitae\nExperience\n2010 - 2024 Manager\n";
    const Assessment r = run(a, "cemr");
    EXPECT_FALSE(check(r, "internship_agreement_not_mentioned")->ok);
    EXPECT_FALSE(check(r, "student_enrolment_not_mentioned")->ok);
}

}  // namespace
}  // namespace intake::feedback
