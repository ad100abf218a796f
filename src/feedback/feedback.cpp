#include "feedback/feedback.h"

#include <algorithm>
#include <array>

#include "base/text.h"

namespace intake::feedback {
namespace {

using docs::Role;

// Phrases (folded) that show the applicant speaks of the agreement their school
// signs; the seeds ask for it in English and French, applicants write in four.
constexpr std::array kAgreementPhrases = {
    "internship agreement",   "learning agreement",     "convention de stage",
    "traineeship agreement",  "accord pedagogique",     "contrat pedagogique",
    "acordo de estagio",      "acordo de aprendizagem", "convenio de practicas",
    "acuerdo de aprendizaje", "convenio de aprendizaje"};

// Codes a reply may tell the applicant; other checks are for HR only.
constexpr std::array kApplicantWeaknesses = {"missing_cv",
                                             "missing_cover_letter",
                                             "cover_letter_not_in_english",
                                             "fewer_than_two_atlantic_languages",
                                             "learning_agreement_not_mentioned",
                                             "cv_unreadable"};

bool has_role(const std::vector<docs::Document>& documents, Role role) {
    return std::any_of(documents.begin(), documents.end(),
                       [role](const docs::Document& d) { return d.role == role; });
}

bool mentions_agreement(std::string_view mail_text, const std::vector<docs::Document>& documents) {
    std::string text = text::fold(mail_text);
    for (const auto& d : documents) {
        if (d.source == "body") text += text::fold(d.content);
    }
    return std::any_of(kAgreementPhrases.begin(), kAgreementPhrases.end(),
                       [&](const char* phrase) { return text.find(phrase) != std::string::npos; });
}

bool has_requirement(const config::Posting& posting, std::string_view requirement) {
    return std::find(posting.requirements.begin(), posting.requirements.end(), requirement) !=
           posting.requirements.end();
}

std::vector<record::Check> run_checks(const Evidence& evidence, const config::Posting& posting) {
    const auto& documents = *evidence.documents;
    std::vector<record::Check> checks;
    if (posting.kind == "unsorted") return checks;  // nothing to check against
    checks.push_back({"missing_cv", has_role(documents, Role::cv)});
    checks.push_back({"missing_cover_letter", has_role(documents, Role::cover_letter)});
    if (has_requirement(posting, "internship_agreement")) {
        checks.push_back({"internship_agreement_not_mentioned",
                          mentions_agreement(evidence.mail_text, documents)});
    }
    if (has_requirement(posting, "learning_agreement")) {
        checks.push_back({"learning_agreement_not_mentioned",
                          mentions_agreement(evidence.mail_text, documents)});
    }
    if (has_requirement(posting, "english_cover_letter")) {
        // Only a letter whose language could be read is judged; an unread
        // document is not held against the applicant.
        for (const auto& d : documents) {
            if (d.role == Role::cover_letter && d.language) {
                checks.push_back({"cover_letter_not_in_english", *d.language == "en"});
                break;
            }
        }
    }
    return checks;
}

record::Feedback build_feedback(const std::vector<record::Check>& checks,
                                const config::Organisation& organisation,
                                const std::string& language) {
    record::Feedback feedback;
    const auto phrases = organisation.phrases.find(language);
    auto sentence = [&](const std::string& code) {
        if (phrases == organisation.phrases.end()) return std::string{};
        const auto it = phrases->second.find(code);
        return it == phrases->second.end() ? std::string{} : it->second;
    };
    for (const auto& check : checks) {
        const bool applicant_facing =
            std::find(kApplicantWeaknesses.begin(), kApplicantWeaknesses.end(), check.code) !=
            kApplicantWeaknesses.end();
        if (!check.ok && applicant_facing) {
            feedback.weaknesses.push_back({check.code, sentence(check.code)});
        }
    }
    return feedback;
}

}  // namespace

record::DeadlineCheck check_deadline(const config::Posting& posting,
                                     std::chrono::sys_seconds received_at) {
    if (!posting.deadline) return {"none", std::nullopt};
    const bool late = received_at > posting.deadline->at;
    return {late ? "late" : "on_time", posting.deadline->text};
}

Assessment assess(const Evidence& evidence, const config::Posting& posting,
                  const config::Organisation& organisation, const std::string& reply_language) {
    Assessment result;
    result.deadline = check_deadline(posting, evidence.received_at);
    result.checks = run_checks(evidence, posting);
    if (organisation.feedback) {
        result.feedback = build_feedback(result.checks, organisation, reply_language);
    }
    return result;
}

}  // namespace intake::feedback
