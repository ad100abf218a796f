// Roles by content in the four languages, with the shipped rules.toml: real
// PDF, DOCX and ODT files under unhelpful names; letters in the mail body known
// by their form; the applicant's name from a signature or the top of a CV.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/config.h"
#include "docs/docs.h"

namespace intake::docs {
namespace {

const config::Rules& rules() {
    static const config::Config config =
        config::load_config(INTAKE_SOURCE_DIR "/config/intake.toml");
    return config.rules;
}

mime::Attachment fixture(const std::string& name, const std::string& type) {
    std::ifstream in(std::string(INTAKE_DOCS_FIXTURES) + "/" + name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    mime::Attachment a;
    a.file_name = name;
    a.media_type = type;
    a.content = s.str();
    return a;
}

std::vector<Document> classify_files(mime::ParsedMessage& m) {
    return classify(
        m,
        [](const std::vector<const mime::Attachment*>& documents) {
            return read_texts(documents, ExtractLimits{});
        },
        rules());
}

struct Pair {
    std::string language;
    std::string cv;
    std::string letter;
    std::string type;
};

class TwoUnhelpfulNames : public ::testing::TestWithParam<Pair> {};

TEST_P(TwoUnhelpfulNames, CvAndLetterAreToldApartByTheirText) {
    const Pair& p = GetParam();
    mime::ParsedMessage m;
    m.body_text = "Hi, see attached.";
    // The letter first: order must not decide.
    m.attachments.push_back(fixture(p.letter, p.type));
    m.attachments.push_back(fixture(p.cv, p.type));
    const auto docs = classify_files(m);
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_EQ(docs[0].role, Role::cover_letter) << p.letter << "\n" << docs[0].text.text;
    EXPECT_EQ(docs[1].role, Role::cv) << p.cv << "\n" << docs[1].text.text;
    EXPECT_EQ(docs[0].language.value_or("?"), p.language);
    EXPECT_EQ(docs[1].language.value_or("?"), p.language);
}

INSTANTIATE_TEST_SUITE_P(
    FourLanguages, TwoUnhelpfulNames,
    ::testing::Values(Pair{"en", "document1.pdf", "document2.pdf", "application/pdf"},
                      Pair{"fr", "scan_0001.pdf", "scan_0002.pdf", "application/pdf"},
                      Pair{"pt", "Documento1.docx", "Documento2.docx", "application/octet-stream"},
                      Pair{"es", "Documento1.odt", "Documento2.odt",
                           "application/vnd.oasis.opendocument.text"}),
    [](const auto& param_info) { return param_info.param.language; });

TEST(RolesByContent, ClearNamesStillWin) {
    mime::ParsedMessage m;
    auto a = fixture("document2.pdf", "application/pdf");  // a letter's text
    a.file_name = "CV_Maria_Lopez.pdf";
    m.attachments.push_back(a);
    EXPECT_EQ(classify_files(m)[0].role, Role::cv);
}

TEST(RolesByContent, AnUnreadableUnnamedDocumentIsTakenAsTheMissingCv) {
    mime::ParsedMessage m;
    m.attachments.push_back(fixture("image_only.pdf", "application/pdf"));
    m.attachments.push_back(fixture("document2.pdf", "application/pdf"));
    const auto docs = classify_files(m);
    EXPECT_EQ(docs[0].role, Role::cv);
    EXPECT_EQ(docs[0].text.status, TextStatus::scanned);
    EXPECT_EQ(docs[1].role, Role::cover_letter);
}

TEST(RolesByContent, PhotosAreNeverTakenAsTheCv) {
    mime::ParsedMessage m;
    mime::Attachment photo;
    photo.file_name = "IMG_2041.jpg";
    photo.media_type = "image/jpeg";
    photo.content = "\xFF\xD8\xFF\xE0 jpeg";
    m.attachments.push_back(photo);
    EXPECT_EQ(classify_files(m)[0].role, Role::other);
}

// The 85-word French letter of the issue: short, but a letter by its form.
const char* kFrenchBodyLetter =
    "Madame, Monsieur,\n\n"
    "Étudiant en master d'affaires européennes à Sciences Po Lille, je souhaite rejoindre "
    "votre équipe pour un stage de six mois à partir de septembre. Mon parcours m'a "
    "permis de travailler sur la politique de cohésion et la gouvernance locale, et "
    "j'aimerais mettre ces connaissances au service de vos membres. Je joins mon CV et "
    "reste à votre disposition pour un entretien. Mon université signera la convention "
    "de stage.\n\n"
    "Bien cordialement,\n"
    "François Lemaire\n";

TEST(BodyLetter, IsKnownByItsFormNotItsLength) {
    mime::ParsedMessage m;
    m.body_text = kFrenchBodyLetter;
    m.attachments.push_back(fixture("scan_0001.pdf", "application/pdf"));  // a CV
    const auto docs = classify_files(m);
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_EQ(docs[1].source, "body");
    EXPECT_EQ(docs[1].role, Role::cover_letter);
    EXPECT_EQ(docs[1].language.value_or("?"), "fr");
}

TEST(BodyLetter, ACoveringNoteIsNotALetter) {
    for (const char* note :
         {"Dear Sir or Madam,\n\nPlease find attached my CV for the internship.\n\nKind "
          "regards,\nAna Silva\n",
          "Bonjour,\n\nVeuillez trouver ci-joint mon CV.\n\nCordialement,\nLou Kerbrat\n",
          "Exmos. Senhores,\n\nEnvio em anexo o meu CV.\n\nCumprimentos,\nJoana Pires\n",
          "Estimados señores:\n\nAdjunto mi CV.\n\nAtentamente,\nLucía Fernández\n"}) {
        mime::ParsedMessage m;
        m.body_text = note;
        EXPECT_TRUE(classify_files(m).empty()) << note;
    }
}

TEST(DateRanges, OnlyLinesWithAYearAreCounted) {
    EXPECT_TRUE(has_year("2019 - 2022"));
    EXPECT_TRUE(has_year("03/1998 – present"));
    EXPECT_TRUE(has_year("x2099"));
    EXPECT_FALSE(has_year("phone 218 33 10 77"));
    EXPECT_FALSE(has_year("201"));
    EXPECT_FALSE(has_year("2l99 1899 2100"));
    EXPECT_EQ(date_ranges("2019 - 2022 officer\n03/2021 – present\ndesde 2018 a 2020\n"
                          "phone 2019\nno dates here\n"),
              3);
}

TEST(LetterForm, SalutationClosingAndSignatureInFourLanguages) {
    for (const char* text :
         {"Dear Ms Brown,\nI apply.\nYours sincerely,\nMaria Lopez Garcia",
          "Madame, Monsieur,\nJe postule.\nJe vous prie d'agréer mes salutations.\nCamille Martin",
          "Exmos. Senhores,\nCandidato-me.\nCom os melhores cumprimentos,\nJoana Ferreira",
          "Estimados señores:\nMe presento.\nAtentamente,\nLucía Fernández Ruiz"}) {
        const LetterForm form = letter_form(text, rules());
        EXPECT_TRUE(form.salutation) << text;
        EXPECT_TRUE(form.closing) << text;
        EXPECT_TRUE(form.signature.has_value()) << text;
    }
}

TEST(LetterForm, CountsTheWordsBetweenTheSalutationAndTheClosing) {
    const LetterForm form = letter_form(
        "Header line\nMadame, Monsieur,\nJe  postule\tau poste « chargé » de projet.\n"
        "Ci-joint:\x0bmon CV ; merci !\nJe vous prie d'agréer mes salutations.\nCamille Martin",
        rules());
    ASSERT_TRUE(form.salutation);
    ASSERT_TRUE(form.closing);
    // Runs of bytes between ASCII blanks: « and » count, and so do ";" and "!".
    EXPECT_EQ(form.body_words, 9u + 6u);
    EXPECT_EQ(letter_form("Dear Sir,\nYours sincerely,\nAna Lima", rules()).body_words, 0u);
    EXPECT_EQ(letter_form("   one two\n\tthree   ", rules()).body_words, 3u);
}

TEST(ApplicantName, FromTheSignatureElseTheTopOfTheCv) {
    mime::ParsedMessage m;
    m.body_text = kFrenchBodyLetter;
    auto docs = classify_files(m);
    EXPECT_EQ(name_in_documents(docs, rules()).value_or(""), "François Lemaire");

    mime::ParsedMessage cv_only;
    cv_only.attachments.push_back(fixture("Documento1.docx", "application/octet-stream"));
    docs = classify_files(cv_only);
    EXPECT_EQ(name_in_documents(docs, rules()).value_or(""), "Joana Ferreira");
}

TEST(ApplicantName, FromTheTopOfASidebarCv) {
    // The sidebar's first line shares its height with the main column's heading.
    mime::ParsedMessage m;
    m.attachments.push_back(fixture("sidebar.pdf", "application/pdf"));
    const auto docs = classify_files(m);
    EXPECT_EQ(name_in_documents(docs, rules()).value_or(""), "Jonas Berg");
}

TEST(ApplicantName, FromAnyColumnOfTheCvsFirstLines) {
    Document cv;
    cv.role = Role::cv;
    cv.text.text = "Curriculum vitae\tJoana Ferreira\nWork experience     Porto, Portugal\n";
    EXPECT_EQ(name_in_documents({cv}, rules()).value_or(""), "Joana Ferreira");
    // Two spaces are no column gap: a name set in a justified line stays whole.
    cv.text.text = "Ana  Sofia Pereira\n";
    EXPECT_EQ(name_in_documents({cv}, rules()).value_or(""), "Ana Sofia Pereira");
    // A name whose words are set wide apart is still one name.
    cv.text.text = "Ana    Sofia    Pereira\n";
    EXPECT_EQ(name_in_documents({cv}, rules()).value_or(""), "Ana Sofia Pereira");
    // Judged with single spaces, as before columns: a heading set wide is a
    // heading, and a long name set wide still fits a name's length.
    cv.text.text = "Personal    Information\nAna Sofia Pereira\n";
    EXPECT_EQ(name_in_documents({cv}, rules()).value_or(""), "Ana Sofia Pereira");
    cv.text.text = "Maria-Fernanda    Albuquerque    Vasconcelos    Castelo-Branco\n";
    EXPECT_EQ(name_in_documents({cv}, rules()).value_or(""),
              "Maria-Fernanda Albuquerque Vasconcelos Castelo-Branco");
}

/// Every phrase of the shipped rules that feedback and roles look for.
std::vector<std::string> rule_phrases() {
    const config::Rules& r = rules();
    std::vector<std::string> all;
    for (const auto* list : {&r.salutations, &r.closings, &r.letter_phrases, &r.cv_headings,
                             &r.eu_projects, &r.abroad, &r.network, &r.agreement, &r.enrolment}) {
        all.insert(all.end(), list->begin(), list->end());
    }
    for (const auto* map : {&r.language_names, &r.level_words}) {
        for (const auto& [key, words] : *map) all.insert(all.end(), words.begin(), words.end());
    }
    return all;
}

TEST(WordsPresent, RulesOutOnlyPhrasesWhoseFirstWordTheTextLacks) {
    const std::string text =
        "erasmus+ trainee, project-management; c2 english\n2019 - 2021 bruxelles";
    const WordsPresent present(text);
    EXPECT_TRUE(present.may_hold("erasmus+"));
    EXPECT_TRUE(present.may_hold("project management"));  // the rest is for has_phrase
    EXPECT_TRUE(present.may_hold("c2"));
    EXPECT_TRUE(present.may_hold("2021"));
    EXPECT_TRUE(present.may_hold("- 2021"));  // no first word: always looked for
    EXPECT_FALSE(present.may_hold("projects"));
    EXPECT_FALSE(present.may_hold("eras"));  // a part of a word is not a word
    EXPECT_FALSE(present.may_hold("german"));
    EXPECT_FALSE(present.may_hold("ville de bruxelles"));
}

// A phrase found as whole words is never ruled out, whatever stands around it:
// each rule phrase alone, and all of them in one text between punctuation.
TEST(WordsPresent, NeverRulesOutAPhraseTheTextHolds) {
    const std::vector<std::string> phrases = rule_phrases();
    ASSERT_GT(phrases.size(), 300u);
    std::string all;
    const char* separators[] = {" ", "\n", ", ", "(", ") ", "; ", " - ", "/"};
    for (std::size_t i = 0; i < phrases.size(); ++i) {
        all += phrases[i] + separators[i % std::size(separators)];
        const WordsPresent alone(phrases[i]);
        EXPECT_TRUE(has_phrase(phrases[i], phrases[i])) << phrases[i];
        EXPECT_TRUE(alone.may_hold(phrases[i])) << phrases[i];
    }
    const WordsPresent present(all);
    std::size_t held = 0;
    for (const std::string& p : phrases) {
        if (!has_phrase(all, p)) continue;
        ++held;
        EXPECT_TRUE(present.may_hold(p)) << p;
    }
    EXPECT_GT(held, phrases.size() * 9 / 10);
}

}  // namespace
}  // namespace intake::docs
