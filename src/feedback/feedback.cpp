#include "feedback/feedback.h"

#include <algorithm>
#include <ctime>
#include <list>

#include "base/text.h"
#include "feedback/evidence.h"

namespace intake::feedback {
namespace {

using docs::Role;
using docs::TextStatus;

bool has_requirement(const config::Posting& posting, std::string_view requirement) {
    return std::find(posting.requirements.begin(), posting.requirements.end(), requirement) !=
           posting.requirements.end();
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

const docs::Document* first_of(const std::vector<docs::Document>& documents, Role role) {
    for (const auto& d : documents) {
        if (d.role == role) return &d;
    }
    return nullptr;
}

std::string_view text_of(const docs::Document* d) {
    return d != nullptr ? std::string_view(d->text.text) : std::string_view();
}

bool readable(const docs::Document* d) {
    return d != nullptr && !d->text.text.empty() &&
           (d->text.status == TextStatus::ok || d->text.status == TextStatus::macro);
}

bool mentions_any(const FoldedText& text, const std::vector<std::string>& phrases) {
    return std::any_of(phrases.begin(), phrases.end(),
                       [&](const std::string& p) { return text.mentions(p); });
}

/// Whether any of the texts holds any of the phrases: a phrase never spans two.
bool mentions_any(const std::vector<const FoldedText*>& texts,
                  const std::vector<std::string>& phrases) {
    return std::any_of(texts.begin(), texts.end(),
                       [&](const FoldedText* text) { return mentions_any(*text, phrases); });
}

std::string extension(std::string_view name) {
    const auto dot = name.rfind('.');
    return dot == std::string_view::npos ? std::string() : text::ascii_lower(name.substr(dot + 1));
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

int year_of(std::chrono::sys_seconds t) {
    const std::time_t tt = t.time_since_epoch().count();
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return tm.tm_year + 1900;
}

std::string years_text(double years) {
    const int tenths = static_cast<int>(years * 10 + 0.5);
    return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "");
}

/// A check about a kind of file (readability): one per code, naming the files.
void file_check(std::vector<record::Check>& checks, const std::string& code,
                const std::vector<std::string>& files) {
    record::Check c{code, files.empty(), std::nullopt};
    if (!files.empty()) c.value = join(files);
    checks.push_back(std::move(c));
}

void readability_checks(const std::vector<docs::Document>& documents, const config::Rules& rules,
                        std::vector<record::Check>& checks) {
    std::vector<std::string> scanned, encrypted, macro, format, unreadable;
    for (const auto& d : documents) {
        if (d.source != "attachment") continue;
        const std::string name = text::valid_utf8(d.original_name);
        if (d.role == Role::cv && d.text.status == TextStatus::scanned) scanned.push_back(name);
        if (d.text.status == TextStatus::encrypted) encrypted.push_back(name);
        if (d.text.status == TextStatus::macro) macro.push_back(name);
        if (d.text.status == TextStatus::unreadable) unreadable.push_back(name);
        if (!contains(rules.formats_hr_opens, extension(d.original_name))) format.push_back(name);
    }
    file_check(checks, "cv_scanned", scanned);
    file_check(checks, "document_encrypted", encrypted);
    file_check(checks, "document_macro", macro);
    file_check(checks, "document_format", format);
    file_check(checks, "document_unreadable", unreadable);
}

std::vector<record::Check> run_checks(const Evidence& evidence, const config::Posting& posting) {
    const auto& documents = *evidence.documents;
    const config::Rules& rules = *evidence.rules;
    std::vector<record::Check> checks;
    readability_checks(documents, rules, checks);
    if (posting.kind == "unsorted") return checks;  // nothing else to check against

    const docs::Document* cv = first_of(documents, Role::cv);
    const docs::Document* letter = first_of(documents, Role::cover_letter);
    checks.push_back({"missing_cv", cv != nullptr, std::nullopt});
    checks.push_back({"missing_cover_letter", letter != nullptr, std::nullopt});
    if (cv != nullptr) {
        const auto status = std::string(docs::to_string(cv->text.status));
        const bool unreadable = !readable(cv) && contains(rules.cv_unreadable_when, status);
        checks.push_back({"cv_unreadable", !unreadable,
                          unreadable ? std::optional<std::string>(status) : std::nullopt});
        checks.push_back({"cv_language", cv->language.has_value(), cv->language});
    }
    if (letter != nullptr) {
        checks.push_back({"cover_letter_language", letter->language.has_value(), letter->language});
    }
    if (has_requirement(posting, "english_cover_letter") && letter != nullptr && letter->language) {
        // Only a letter whose language could be read is judged; an unread
        // document is not held against the applicant.
        checks.push_back({"cover_letter_not_in_english", *letter->language == "en", std::nullopt});
    }

    // The CV and the letter are folded once, for every check that reads them.
    const FoldedText cv_text(text_of(cv));
    const FoldedText letter_text(text_of(letter));
    // Everything the applicant wrote, for the mentions below: the mail, and the
    // documents that are a CV or a letter (a list, so that none moves).
    const FoldedText mail_text(evidence.mail_text);
    std::list<FoldedText> other_texts;
    std::vector<const FoldedText*> all{&mail_text};
    for (const auto& d : documents) {
        if (d.role == Role::other || d.source != "attachment") continue;
        if (&d == cv) {
            all.push_back(&cv_text);
        } else if (&d == letter) {
            all.push_back(&letter_text);
        } else {
            all.push_back(&other_texts.emplace_back(d.text.text));
        }
    }

    if (readable(cv)) {
        const auto claims = claimed_languages(cv_text, rules);
        checks.push_back({"languages_claimed", !claims.empty(), describe_claims(claims)});
        int strong = 0, working = 0;
        const int strong_rank = config::level_rank(rules.strong_level);
        const int working_rank = config::level_rank(rules.working_level);
        for (const auto& code : rules.atlantic_languages) {
            const auto it = claims.find(code);
            const int rank = it == claims.end() ? 0 : it->second;
            // Writing the CV or the letter in a language shows a working command of it.
            const bool written = (cv->language == code) || (letter && letter->language == code);
            if (rank >= strong_rank) ++strong;
            if (rank >= working_rank || written) ++working;
        }
        checks.push_back({"three_atlantic_languages", strong >= 3, std::to_string(strong)});
        if (has_requirement(posting, "atlantic_languages")) {
            checks.push_back(
                {"fewer_than_two_atlantic_languages", working >= 2, std::to_string(working)});
        }
        const int year = year_of(evidence.received_at);
        Experience eu = experience_with(cv_text, rules.eu_projects, year, rules.cv_headings);
        const Experience eu_letter =
            experience_with(letter_text, rules.eu_projects, year, rules.cv_headings);
        eu.years = std::max(eu.years, eu_letter.years);
        checks.push_back({"eu_projects_experience", eu.years >= rules.eu_projects_min_years,
                          years_text(eu.years)});
        Experience abroad = experience_with(cv_text, rules.abroad, year, rules.cv_headings);
        const Experience abroad_letter =
            experience_with(letter_text, rules.abroad, year, rules.cv_headings);
        abroad.mentioned = abroad.mentioned || abroad_letter.mentioned;
        abroad.years = std::max(abroad.years, abroad_letter.years);
        // A mention without dates is taken at its word; with dates, they must add up.
        const bool abroad_ok =
            abroad.mentioned && (abroad.years == 0 || abroad.years >= rules.abroad_min_years);
        checks.push_back({"experience_abroad", abroad_ok, years_text(abroad.years)});
        // The CV only: a letter names the organisation it writes to anyway.
        checks.push_back(
            {"network_experience", mentions_any(cv_text, rules.network), std::nullopt});
    }
    if (cv != nullptr && letter != nullptr && cv->language && letter->language) {
        // "CV in mother tongue or Atlantic language 1 and cover letter in English".
        checks.push_back({"two_language_application",
                          *letter->language == "en" && *cv->language != "en",
                          *cv->language + "+" + *letter->language});
    }
    const bool agreement = mentions_any(all, rules.agreement);
    if (has_requirement(posting, "internship_agreement")) {
        checks.push_back({"internship_agreement_not_mentioned", agreement, std::nullopt});
    }
    if (has_requirement(posting, "learning_agreement")) {
        checks.push_back({"learning_agreement_not_mentioned", agreement, std::nullopt});
    }
    if (has_requirement(posting, "enrolled_student") || posting.kind == "internship") {
        checks.push_back(
            {"student_enrolment_not_mentioned", mentions_any(all, rules.enrolment), std::nullopt});
    }
    if (posting.deadline) {
        checks.push_back({"received_after_deadline", evidence.received_at <= posting.deadline->at,
                          posting.deadline->text});
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
    // Strengths and weaknesses in the order of the code lists, so every reply reads alike.
    for (const auto& code : strength_codes()) {
        for (const auto& check : checks) {
            if (check.code == code && check.ok)
                feedback.strengths.push_back({code, sentence(code)});
        }
    }
    for (const auto& code : weakness_codes()) {
        for (const auto& check : checks) {
            if (check.code == code && !check.ok) {
                feedback.weaknesses.push_back({code, sentence(code)});
            }
        }
    }
    return feedback;
}

}  // namespace

const std::vector<std::string>& strength_codes() {
    static const std::vector<std::string> codes = {
        "three_atlantic_languages", "two_language_application", "eu_projects_experience",
        "experience_abroad", "network_experience"};
    return codes;
}

const std::vector<std::string>& weakness_codes() {
    static const std::vector<std::string> codes = {"missing_cv",
                                                   "missing_cover_letter",
                                                   "cv_unreadable",
                                                   "cover_letter_not_in_english",
                                                   "fewer_than_two_atlantic_languages",
                                                   "learning_agreement_not_mentioned"};
    return codes;
}

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
