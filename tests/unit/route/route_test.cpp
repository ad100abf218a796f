// Routing against the shipped configuration: the subjects of the conformance mails, the
// spec's examples, typos and prefixes, negatives, and the body rules.
#include "route/route.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "route/words.h"

namespace intake::route {
namespace {

const config::Config& shipped() {
    static const config::Config config =
        config::load_config(INTAKE_SOURCE_DIR "/config/intake.toml");
    return config;
}

const config::Organisation& org(const std::string& id) { return *shipped().find_organisation(id); }

struct SubjectCase {
    const char* organisation;
    const char* subject;
    const char* posting;
    const char* by = "subject";
    int distance = 0;
};

std::ostream& operator<<(std::ostream& out, const SubjectCase& c) {
    return out << c.organisation << ": \"" << c.subject << "\"";
}

class RouteSubject : public ::testing::TestWithParam<SubjectCase> {};

TEST_P(RouteSubject, GoesToItsPosting) {
    const SubjectCase& c = GetParam();
    RouteDecision d = route(c.subject, "", org(c.organisation));
    EXPECT_EQ(d.posting_id, c.posting) << "alias '" << d.alias << "'";
    EXPECT_EQ(d.by, c.by);
    EXPECT_EQ(d.distance, c.distance) << "alias '" << d.alias << "'";
    if (d.by == "none") {
        EXPECT_EQ(d.alias, "");
    }
}

// The subjects of ../shared/conformance/mail, decoded.
INSTANTIATE_TEST_SUITE_P(
    Conformance, RouteSubject,
    ::testing::Values(
        SubjectCase{"cemr", "Policy Internship", "policy-internship"},
        SubjectCase{"cemr", "Projects & Programmes Internship", "projects-programmes-internship"},
        SubjectCase{"cemr", "PLATFORMA Internship", "platforma-internship"},
        SubjectCase{"cemr", "Application for Internship", "internship-any"},
        SubjectCase{"cemr", "Internship Application – Éloïse Ménard", "internship-any"},
        SubjectCase{"cemr", "Projects & Programmes Intership", "projects-programmes-internship",
                    "subject", 1},
        SubjectCase{"cemr", "TR: Policy Internship", "policy-internship"},
        SubjectCase{"cemr", "Project Lead", "project-lead"},
        SubjectCase{"cemr", "Project Lead – Joana Pires", "project-lead"},
        SubjectCase{"cemr", "Assistant, Logistics & Administration",
                    "assistant-logistics-administration"},
        SubjectCase{"cemr",
                    "Chargé de projet Citoyenneté/Égalité – candidature de Bastien Chevalier",
                    "charge-projet-citoyennete-egalite"},
        SubjectCase{"cemr", "Study visit to Brussels in June", "unsorted", "none"},
        SubjectCase{"cemr", "Automatic reply: Re: Your message to CEMR", "unsorted", "none"},
        SubjectCase{"cemr", "Internship Application (any team)", "internship-any"},
        SubjectCase{"cemr", "Assistant, Logistics & Administration – Dorota Wron",
                    "assistant-logistics-administration"},
        SubjectCase{"atlantic-cities", "Speculative application – Nerea Agirre", "speculative"},
        SubjectCase{"atlantic-cities", "Candidatura espontânea – técnica de comunicação",
                    "speculative"},
        SubjectCase{"atlantic-cities", "University internship – Atlantic Futures (option A)",
                    "futures-a-university-internship"},
        SubjectCase{"atlantic-cities", "European mobility – Ciara Brennan",
                    "futures-b-european-mobility"},
        SubjectCase{"atlantic-cities", "PMSMP – demande d'immersion d'un mois", "futures-c-pmsmp"},
        SubjectCase{"atlantic-cities", "Modelling EU affairs (D.3) – one-week immersion",
                    "futures-d3-modelling-eu-affairs"},
        SubjectCase{"atlantic-cities", "Fatura FT 2025/118 – tradução da newsletter de março",
                    "unsorted", "none"},
        SubjectCase{"atlantic-cities", "Mail delivery failed: returning message to sender",
                    "unsorted", "none"},
        SubjectCase{"atlantic-cities", "High school internship (D.5) – stage de seconde",
                    "futures-d5-high-school-internship"}));

INSTANTIATE_TEST_SUITE_P(
    SpecExamples, RouteSubject,
    ::testing::Values(
        SubjectCase{"cemr", "Application – Policy Internship – Marie Dupont", "policy-internship"},
        // A specific internship beats the catch-all even when the catch-all phrase is longer.
        SubjectCase{"cemr", "Application for Internship: Policy Internship", "policy-internship"},
        SubjectCase{"cemr", "Internship Application – PLATFORMA Internship",
                    "platforma-internship"},
        SubjectCase{"cemr", "Projects Lead", "project-lead"},
        SubjectCase{"cemr", "Projects Lead – Projects & Programmes", "project-lead"},
        SubjectCase{"cemr", "RE : Fwd: AW: WG: RV: Enc: Réf : SV: Antw: Project Lead",
                    "project-lead"},
        SubjectCase{"cemr", "Re[2]: Project Lead", "project-lead"},
        SubjectCase{"cemr", "[EXTERNAL] RE: Project Lead", "project-lead"},
        SubjectCase{"cemr", "CHARGÉE DE PROJET CITOYENNETÉ / ÉGALITÉ",
                    "charge-projet-citoyennete-egalite"},
        SubjectCase{"cemr", "Chargé de projets Citoyenneté et Égalité",
                    "charge-projet-citoyennete-egalite", "subject", 1},
        SubjectCase{"cemr", "Chargé(e) de projet Citoyenneté-Égalité",
                    "charge-projet-citoyennete-egalite"},
        SubjectCase{"cemr", "Candidature : Chargé-e de projets Citoyenneté/Égalité",
                    "charge-projet-citoyennete-egalite"},
        SubjectCase{"cemr", "Project Officer – Citizenship/Equality (Paris)",
                    "charge-projet-citoyennete-egalite"},
        SubjectCase{"cemr", "Assistant – Logistics and Administration",
                    "assistant-logistics-administration"},
        SubjectCase{"cemr", "Candidature stage Politique", "policy-internship"},
        SubjectCase{"cemr", "Demande de stage", "internship-any"},
        SubjectCase{"atlantic-cities", "Candidature spontanée", "speculative"},
        SubjectCase{"atlantic-cities", "Candidatura espontánea - Ainhoa", "speculative"},
        SubjectCase{"atlantic-cities", "Formación profesional dual",
                    "futures-d2-professional-training"},
        SubjectCase{"atlantic-cities", "Formación profesional", "futures-d1-vocational-training"},
        // The option's code settles a phrase that two options share in Spanish.
        SubjectCase{"atlantic-cities", "Formación profesional (D.2)",
                    "futures-d2-professional-training"},
        SubjectCase{"atlantic-cities", "Formación profesional – D.1",
                    "futures-d1-vocational-training"},
        SubjectCase{"atlantic-cities", "Vocational training (D.1)",
                    "futures-d1-vocational-training"},
        SubjectCase{"atlantic-cities", "Professional training – D.2",
                    "futures-d2-professional-training"},
        SubjectCase{"atlantic-cities", "Stage d'observation – 2 semaines",
                    "futures-d5-high-school-internship"},
        SubjectCase{"atlantic-cities", "Contrat CUI-CAE", "futures-d4-training-contract"},
        SubjectCase{"atlantic-cities", "Atlantic Futures – option B",
                    "futures-b-european-mobility"},
        SubjectCase{"atlantic-cities", "Mobilité européenne", "futures-b-european-mobility"}));

INSTANTIATE_TEST_SUITE_P(
    Typos, RouteSubject,
    ::testing::Values(
        SubjectCase{"cemr", "Policy Intenship", "policy-internship", "subject", 1},
        SubjectCase{"cemr", "Polciy Internship", "policy-internship", "subject", 1},
        SubjectCase{"cemr", "PLATFROMA Internhsip", "platforma-internship", "subject", 2},
        SubjectCase{"cemr", "Project Laed", "project-lead", "subject", 1},
        SubjectCase{"cemr", "Assistant Logistic & Administraton",
                    "assistant-logistics-administration", "subject", 2},
        SubjectCase{"atlantic-cities", "Speculaitve aplication", "speculative", "subject", 2},
        SubjectCase{"atlantic-cities", "Modeling EU affairs", "futures-d3-modelling-eu-affairs",
                    "subject", 1},
        SubjectCase{"atlantic-cities", "Europen mobilty", "futures-b-european-mobility", "subject",
                    2}));

INSTANTIATE_TEST_SUITE_P(
    Negatives, RouteSubject,
    ::testing::Values(
        SubjectCase{"cemr", "", "unsorted", "none"}, SubjectCase{"cemr", "Re:", "unsorted", "none"},
        SubjectCase{"cemr", "Internship", "unsorted", "none"},
        SubjectCase{"cemr", "Application", "unsorted", "none"},
        SubjectCase{"cemr", "Question about internships", "unsorted", "none"},
        SubjectCase{"cemr", "Invitation: Policy Team meeting", "unsorted", "none"},
        SubjectCase{"cemr", "Newsletter – Projects & Programmes", "unsorted", "none"},
        SubjectCase{"cemr", "Réponse automatique : Policy Internship", "unsorted", "none"},
        SubjectCase{"cemr", "Out of Office: Project Lead", "unsorted", "none"},
        SubjectCase{"cemr", "Undeliverable: Your application: Policy Internship", "unsorted",
                    "none"},
        SubjectCase{"cemr", "Delivery Status Notification (Failure)", "unsorted", "none"},
        // Atlantic Cities' options mean nothing to CEMR, and the other way round.
        SubjectCase{"cemr", "High school internship", "unsorted", "none"},
        SubjectCase{"cemr", "Speculative application", "unsorted", "none"},
        SubjectCase{"atlantic-cities", "Policy Internship", "unsorted", "none"},
        SubjectCase{"atlantic-cities", "Internship Application", "unsorted", "none"},
        SubjectCase{"atlantic-cities", "Internship", "unsorted", "none"},
        SubjectCase{"atlantic-cities", "Atlantic Futures", "unsorted", "none"},
        SubjectCase{"atlantic-cities", "Atlantic Futures application", "unsorted", "none"},
        SubjectCase{"atlantic-cities", "Re: Annual general assembly in Brest – registration",
                    "unsorted", "none"},
        SubjectCase{"atlantic-cities", "Option for the roster?", "unsorted", "none"},
        SubjectCase{"atlantic-cities", "Stage", "unsorted", "none"}));

TEST(RouteSubjectLength, OnlyTheFirstTwoKilobytesOfASubjectAreRead) {
    // A stranger's megabyte subject would cost minutes of matching: what lies past
    // any real subject's length is not read, so this one names nothing.
    const std::string filler(3000, 'x');
    RouteDecision d = route("Hello " + filler + " Policy Internship", "", org("cemr"));
    EXPECT_EQ(d.posting_id, "unsorted");
    RouteDecision near = route("Policy Internship " + filler, "", org("cemr"));
    EXPECT_EQ(near.posting_id, "policy-internship");
}

TEST(RouteBody, IsReadWhenTheSubjectNamesNothing) {
    RouteDecision d = route("Application",
                            "Dear HR,\nplease find attached my application for the "
                            "Policy Internship starting in September.\n",
                            org("cemr"));
    EXPECT_EQ(d.posting_id, "policy-internship");
    EXPECT_EQ(d.by, "body");
    EXPECT_EQ(d.alias, "Policy Internship");
    EXPECT_EQ(d.distance, 0);
}

TEST(RouteBody, IsNotReadWhenTheSubjectMatches) {
    RouteDecision d =
        route("Project Lead", "I would also like the Policy Internship.", org("cemr"));
    EXPECT_EQ(d.posting_id, "project-lead");
    EXPECT_EQ(d.by, "subject");
}

TEST(RouteBody, SeveralPostingsAreAmbiguous) {
    RouteDecision d =
        route("My application", "I apply for the Policy Internship or the PLATFORMA Internship.",
              org("cemr"));
    EXPECT_EQ(d.posting_id, "unsorted");
    EXPECT_EQ(d.by, "none");
}

TEST(RouteBody, TheSamePostingNamedTwiceIsNotAmbiguous) {
    RouteDecision d =
        route("Hello", "Policy Intern application. I want the policy internship.", org("cemr"));
    EXPECT_EQ(d.posting_id, "policy-internship");
    EXPECT_EQ(d.alias, "Policy Internship");  // the longest phrase found
}

TEST(RouteBody, ASpecificPostingBeatsTheCatchAll) {
    RouteDecision d = route(
        "Hello", "This is my internship application for the PLATFORMA Intern role.", org("cemr"));
    EXPECT_EQ(d.posting_id, "platforma-internship");
}

TEST(RouteBody, NeedsExactWords) {
    EXPECT_EQ(route("Hello", "about the Policy Intenship", org("cemr")).posting_id, "unsorted");
}

TEST(RouteBody, SingleWordAliasesAreNotUsed) {
    RouteDecision d = route("Bonjour", "Je souhaite faire une PMSMP.", org("atlantic-cities"));
    EXPECT_EQ(d.posting_id, "unsorted");
}

TEST(RouteBody, AutomaticRepliesAreNotRoutedByTheirQuotedText) {
    RouteDecision d = route("Automatic reply: Your application",
                            "Thank you for your application for Policy Internship.", org("cemr"));
    EXPECT_EQ(d.posting_id, "unsorted");
}

TEST(RouteBody, OnlyTheStartOfAHugeBodyIsRead) {
    std::string body(70 * 1024, 'x');
    body += " Policy Internship";
    EXPECT_EQ(route("Hello", body, org("cemr")).posting_id, "unsorted");
}

// The daemon makes one Router per organisation and routes every mail of a
// group with it: mail after mail, it decides as a router made for each one.
TEST(RouteRouter, MadeOnceDecidesEachMailAsARouterMadeForIt) {
    const Router cemr(org("cemr"));
    const std::pair<const char*, const char*> mails[] = {
        {"Projects & Programmes Intership", ""},
        {"Hello", "Policy Intern application. I want the policy internship."},
        {"Automatic reply: Your application", "Thank you for your application for Policy."},
        {"Chargé de projet Citoyenneté/Égalité – candidature", ""},
        {"My application", "I apply for the Policy Internship or the PLATFORMA Internship."},
        {"Project Lead – Joana Pires", ""},
        {"Application", "for the PLATFORMA Intern role, my internship application."}};
    std::vector<std::string> postings;
    for (const auto& [subject, body] : mails) {
        const RouteDecision once = route(subject, body, org("cemr"));
        const RouteDecision reused = cemr.route(subject, body);
        EXPECT_EQ(reused.posting_id, once.posting_id) << subject;
        EXPECT_EQ(reused.by, once.by) << subject;
        EXPECT_EQ(reused.alias, once.alias) << subject;
        EXPECT_EQ(reused.distance, once.distance) << subject;
        postings.push_back(reused.posting_id);
    }
    EXPECT_EQ(postings,
              (std::vector<std::string>{"projects-programmes-internship", "policy-internship",
                                        "unsorted", "charge-projet-citoyennete-egalite", "unsorted",
                                        "project-lead", "platforma-internship"}));
}

TEST(RouteNormaliseSubject, StripsPrefixesFoldsAndDropsPunctuation) {
    EXPECT_EQ(normalise_subject("TR: Chargé de projet – Égalité"), "charge de projet egalite");
    EXPECT_EQ(normalise_subject("RE : Re: Fwd:  Projects & Programmes Internship"),
              "projects programmes internship");
    EXPECT_EQ(normalise_subject("[EXTERNAL] Fw: Assistant, Logistics & Administration"),
              "assistant logistics administration");
    EXPECT_EQ(normalise_subject("Automatic reply: Re: Your message to CEMR"),
              "your message to cemr");
    EXPECT_EQ(normalise_subject("Réponse automatique : absent"), "absent");
    EXPECT_EQ(normalise_subject("PMSMP – demande d’immersion d'un mois"),
              "pmsmp demande d immersion d un mois");
    EXPECT_EQ(normalise_subject("Modelling EU affairs (D.3) – “one-week” immersion"),
              "modelling eu affairs d 3 one week immersion");
    EXPECT_EQ(normalise_subject("Fatura FT 2025/118"), "fatura ft 2025 118");
    EXPECT_EQ(normalise_subject("   "), "");
}

TEST(RouteNormaliseSubject, KeepsWordsThatOnlyLookLikePrefixes) {
    EXPECT_EQ(normalise_subject("Candidature : stage"), "candidature stage");
    EXPECT_EQ(normalise_subject("Regarding: Project Lead"), "regarding project lead");
    EXPECT_EQ(normalise_subject("[Policy Internship] Anna Berg"), "policy internship anna berg");
    EXPECT_EQ(normalise_subject("Trainee"), "trainee");
}

TEST(RouteEditDistance, CountsInsertionsDeletionsSubstitutionsAndTranspositions) {
    auto d = [](const char32_t* a, const char32_t* b) { return edit_distance(a, b, 10); };
    EXPECT_EQ(d(U"internship", U"internship"), 0);
    EXPECT_EQ(d(U"intership", U"internship"), 1);
    EXPECT_EQ(d(U"intenrship", U"internship"), 1);
    EXPECT_EQ(d(U"internshop", U"internship"), 1);
    EXPECT_EQ(d(U"", U"abc"), 3);
    EXPECT_EQ(d(U"ca", U"abc"), 3);
    EXPECT_EQ(edit_distance(U"kitten", U"sitting", 1), 2);  // over the limit: limit + 1
}

TEST(RouteAllowedTypos, GrowWithTheLength) {
    EXPECT_EQ(allowed_typos(3), 0);
    EXPECT_EQ(allowed_typos(4), 1);
    EXPECT_EQ(allowed_typos(7), 1);
    EXPECT_EQ(allowed_typos(8), 2);
}

}  // namespace
}  // namespace intake::route
