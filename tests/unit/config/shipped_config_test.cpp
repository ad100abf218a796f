// The configuration shipped in config/ loads, and encodes the postings, deadlines and
// promises of the job pages (spec §2, seeds/).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "config/config.h"

namespace intake::config {
namespace {

const Config& shipped() {
    static const Config config = load_config(INTAKE_SOURCE_DIR "/config/intake.toml");
    return config;
}

std::vector<std::string> ids_of(const Organisation& org) {
    std::vector<std::string> ids;
    for (const auto& p : org.postings) ids.push_back(p.id);
    return ids;
}

std::chrono::sys_seconds utc(int y, unsigned m, unsigned d, int h, int min, int s) {
    using namespace std::chrono;
    return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s};
}

TEST(ShippedConfig, HasBothOrganisationsWithTheirAddressesAndLanguages) {
    const Organisation* cemr = shipped().find_organisation("cemr");
    const Organisation* ac = shipped().find_organisation("atlantic-cities");
    ASSERT_NE(cemr, nullptr);
    ASSERT_NE(ac, nullptr);
    EXPECT_EQ(cemr->address, "application@ccre-cemr.org");
    EXPECT_EQ(ac->address, "rh@atlanticcities.eu");
    EXPECT_EQ(cemr->languages, (std::vector<std::string>{"en", "fr"}));
    EXPECT_EQ(ac->languages, (std::vector<std::string>{"en", "fr", "pt", "es"}));
    EXPECT_FALSE(cemr->feedback);
    EXPECT_TRUE(ac->feedback);
    EXPECT_TRUE(ac->offers_language("pt"));
    EXPECT_FALSE(cemr->offers_language("pt"));
}

TEST(ShippedConfig, MailboxesAreNamedAfterTheOrganisations) {
    for (const char* name : {"cemr", "atlantic-cities"}) {
        const Mailbox* mailbox = shipped().find_mailbox(name);
        ASSERT_NE(mailbox, nullptr) << name;
        EXPECT_EQ(mailbox->organisation, name);
        EXPECT_EQ(mailbox->url.rfind("imaps://", 0), 0u);
        EXPECT_FALSE(mailbox->password.empty());
        EXPECT_EQ(mailbox->folder, "INBOX");
        EXPECT_NE(shipped().find_smtp(shipped().find_organisation(name)->smtp), nullptr);
    }
}

TEST(ShippedConfig, StorageAndDefaults) {
    EXPECT_EQ(shipped().storage.root, "/srv/intake");
    EXPECT_EQ(shipped().storage.state_dir, "/var/lib/intake");
    EXPECT_EQ(shipped().storage.group, "intake-hr");
    EXPECT_EQ(shipped().replies.ack_interval_days, 7);
    EXPECT_EQ(shipped().replies.outbox_max_age_hours, 72);
    EXPECT_EQ(shipped().log_level, "info");
}

TEST(ShippedConfig, CemrPostingsAreThoseOfTheSpec) {
    EXPECT_EQ(ids_of(*shipped().find_organisation("cemr")),
              (std::vector<std::string>{"policy-internship", "projects-programmes-internship",
                                        "platforma-internship", "internship-any", "project-lead",
                                        "assistant-logistics-administration",
                                        "charge-projet-citoyennete-egalite", "unsorted"}));
}

TEST(ShippedConfig, AtlanticCitiesPostingsAreThoseOfTheSpec) {
    EXPECT_EQ(
        ids_of(*shipped().find_organisation("atlantic-cities")),
        (std::vector<std::string>{
            "speculative", "futures-a-university-internship", "futures-b-european-mobility",
            "futures-c-pmsmp", "futures-d1-vocational-training", "futures-d2-professional-training",
            "futures-d3-modelling-eu-affairs", "futures-d4-training-contract",
            "futures-d5-high-school-internship", "unsorted"}));
}

TEST(ShippedConfig, ProjectLeadClosesAtMidnightBrusselsWinterTime) {
    const Posting* lead = shipped().find_organisation("cemr")->find_posting("project-lead");
    ASSERT_NE(lead, nullptr);
    ASSERT_TRUE(lead->deadline);
    EXPECT_EQ(lead->deadline->text, "2025-03-14T23:59:59+01:00");
    EXPECT_EQ(lead->deadline->at, utc(2025, 3, 14, 22, 59, 59));
    EXPECT_FALSE(lead->rolling);
}

TEST(ShippedConfig, AssistantClosesAtMidnightBrusselsSummerTimeOnARollingBasis) {
    const Posting* assistant =
        shipped().find_organisation("cemr")->find_posting("assistant-logistics-administration");
    ASSERT_NE(assistant, nullptr);
    ASSERT_TRUE(assistant->deadline);
    EXPECT_EQ(assistant->deadline->text, "2025-05-15T23:59:59+02:00");
    EXPECT_EQ(assistant->deadline->at, utc(2025, 5, 15, 21, 59, 59));
    EXPECT_TRUE(assistant->rolling);
}

TEST(ShippedConfig, OnlyTheTwoCemrJobsHaveDeadlines) {
    std::set<std::string> with_deadline;
    for (const auto& org : shipped().organisations) {
        for (const auto& p : org.postings) {
            if (p.deadline) with_deadline.insert(p.id);
        }
    }
    EXPECT_EQ(with_deadline,
              (std::set<std::string>{"project-lead", "assistant-logistics-administration"}));
}

TEST(ShippedConfig, EveryPostingHasATitleInEveryLanguageOfItsOrganisation) {
    for (const auto& org : shipped().organisations) {
        for (const auto& p : org.postings) {
            for (const auto& language : org.languages) {
                EXPECT_TRUE(p.titles.count(language)) << org.id << "/" << p.id << "/" << language;
            }
        }
    }
}

TEST(ShippedConfig, OnlyInternshipAnyIsACatchAll) {
    for (const auto& org : shipped().organisations) {
        for (const auto& p : org.postings) EXPECT_EQ(p.catch_all, p.id == "internship-any") << p.id;
    }
}

TEST(ShippedConfig, RequirementsFollowTheJobPages) {
    const auto& cemr = *shipped().find_organisation("cemr");
    const auto& ac = *shipped().find_organisation("atlantic-cities");
    const std::vector<std::string> internship = {"enrolled_student", "internship_agreement"};
    EXPECT_EQ(cemr.find_posting("policy-internship")->requirements, internship);
    EXPECT_EQ(cemr.find_posting("internship-any")->requirements, internship);
    EXPECT_TRUE(cemr.find_posting("project-lead")->requirements.empty());
    EXPECT_EQ(ac.find_posting("futures-a-university-internship")->requirements,
              (std::vector<std::string>{"atlantic_languages", "learning_agreement",
                                        "english_cover_letter"}));
    for (const char* id : {"futures-b-european-mobility", "futures-d2-professional-training",
                           "futures-d3-modelling-eu-affairs"}) {
        EXPECT_EQ(ac.find_posting(id)->requirements,
                  (std::vector<std::string>{"atlantic_languages", "english_cover_letter"}))
            << id;
    }
    EXPECT_EQ(ac.find_posting("futures-c-pmsmp")->requirements,
              (std::vector<std::string>{"english_cover_letter"}));
}

TEST(ShippedConfig, UnsortedPostingIsAppendedWithTitles) {
    const auto& org = *shipped().find_organisation("atlantic-cities");
    const Posting& last = org.postings.back();
    EXPECT_EQ(last.id, "unsorted");
    EXPECT_EQ(last.kind, "unsorted");
    EXPECT_FALSE(last.title("pt").empty());
    EXPECT_NE(last.title("pt"), last.title("en"));
}

TEST(ShippedConfig, EveryLanguageHasEveryTemplate) {
    for (const auto& org : shipped().organisations) {
        for (const auto& language : org.languages) {
            for (ReplyCase c : {ReplyCase::received, ReplyCase::late, ReplyCase::unsorted}) {
                auto it = org.templates.find({language, c});
                ASSERT_NE(it, org.templates.end())
                    << org.id << "/" << language << "/" << to_string(c);
                EXPECT_FALSE(it->second.subject.empty());
                EXPECT_NE(it->second.body.find("{organisation_name}"), std::string::npos);
            }
        }
    }
}

TEST(ShippedConfig, CemrTextsPromiseOnlyShortlistedAnswersAndRecallInternshipConditions) {
    const auto& cemr = *shipped().find_organisation("cemr");
    const std::string& en = cemr.templates.at({"en", ReplyCase::received}).body;
    EXPECT_NE(en.find("shortlisted"), std::string::npos);
    EXPECT_NE(en.find("Convention de stage"), std::string::npos);
    EXPECT_NE(en.find("enrolled"), std::string::npos);
    const std::string& fr = cemr.templates.at({"fr", ReplyCase::received}).body;
    EXPECT_NE(fr.find("présélectionnés"), std::string::npos);
    EXPECT_NE(fr.find("convention de stage"), std::string::npos);
    EXPECT_NE(cemr.templates.at({"en", ReplyCase::late}).body.find("{deadline}"),
              std::string::npos);
}

TEST(ShippedConfig, AtlanticCitiesTextsGiveFeedbackAndNextSteps) {
    const auto& ac = *shipped().find_organisation("atlantic-cities");
    for (const auto& language : ac.languages) {
        const std::string& body = ac.templates.at({language, ReplyCase::received}).body;
        EXPECT_NE(body.find("{feedback}"), std::string::npos) << language;
        EXPECT_NE(body.find("{applicant_name}"), std::string::npos) << language;
    }
    EXPECT_NE(ac.templates.at({"en", ReplyCase::received}).body.find("questionnaire"),
              std::string::npos);
    EXPECT_NE(ac.templates.at({"en", ReplyCase::received}).body.find("video call"),
              std::string::npos);
}

TEST(ShippedConfig, AtlanticCitiesHasEveryPhraseInEveryLanguage) {
    const auto& ac = *shipped().find_organisation("atlantic-cities");
    for (const auto& language : ac.languages) {
        for (const auto& code : phrase_codes()) {
            EXPECT_FALSE(ac.phrases.at(language).at(code).empty()) << language << "/" << code;
        }
    }
}

TEST(ConfigPostingTitle, FallsBackToEnglishThenToTheId) {
    Posting p;
    p.id = "x";
    EXPECT_EQ(p.title("fr"), "x");
    p.titles["en"] = "English";
    EXPECT_EQ(p.title("fr"), "English");
    p.titles["fr"] = "Français";
    EXPECT_EQ(p.title("fr"), "Français");
}

TEST(ConfigReplyCaseNames, AreTheTemplateFileStems) {
    EXPECT_EQ(to_string(ReplyCase::received), "received");
    EXPECT_EQ(to_string(ReplyCase::late), "late");
    EXPECT_EQ(to_string(ReplyCase::unsorted), "unsorted");
}

}  // namespace
}  // namespace intake::config
