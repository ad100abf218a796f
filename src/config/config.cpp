// load_config() reads the main file, then each organisation's postings file and
// templates folder, then checks the references between the parts (a mailbox's
// organisation, an organisation's SMTP server, unique names). It stops at the first
// problem: an admin fixes one line at a time, and a second error caused by the first
// would only mislead.
#include "config/config.h"

#include <algorithm>
#include <set>

#include "base/errors.h"
#include "config/loaders.h"

namespace intake::config {
namespace {

const std::vector<std::string> kTopLevelKeys = {"storage",      "limits",  "replies", "log",
                                                "organisation", "mailbox", "smtp",    "documents"};

// Names are what other tables and the command line refer to, so a repeated one would
// make `--mailbox NAME` or `smtp = "…"` ambiguous.
template <typename Item, typename Name>
void require_unique(const std::vector<Item>& items, Name name_of, std::string_view what,
                    const std::filesystem::path& file) {
    std::set<std::string> seen;
    for (const auto& item : items) {
        if (!seen.insert(name_of(item)).second) {
            throw ConfigError(display_name(file) + ": two " + std::string(what) + " are named '" +
                                  name_of(item) + "'",
                              "give each one a different name");
        }
    }
}

std::string names_of_smtp(const Config& config) {
    std::string out;
    for (const auto& s : config.smtp_servers) out += (out.empty() ? "" : ", ") + s.name;
    return out.empty() ? "none defined" : out;
}

void check_references(const Config& config) {
    require_unique(
        config.organisations, [](const Organisation& o) { return o.id; }, "[[organisation]] tables",
        config.file);
    require_unique(
        config.mailboxes, [](const Mailbox& m) { return m.name; }, "[[mailbox]] tables",
        config.file);
    require_unique(
        config.smtp_servers, [](const SmtpServer& s) { return s.name; }, "[[smtp]] tables",
        config.file);
    for (const auto& org : config.organisations) {
        if (config.find_smtp(org.smtp) == nullptr) {
            throw ConfigError(display_name(config.file) + ": organisation '" + org.id +
                                  "' names smtp = '" + org.smtp + "', which is no [[smtp]] name",
                              "use one of: " + names_of_smtp(config));
        }
    }
    for (const auto& mailbox : config.mailboxes) {
        if (config.find_organisation(mailbox.organisation) == nullptr) {
            std::string ids;
            for (const auto& o : config.organisations) ids += (ids.empty() ? "" : ", ") + o.id;
            throw ConfigError(display_name(config.file) + ": mailbox '" + mailbox.name +
                                  "' names organisation = '" + mailbox.organisation +
                                  "', which is no [[organisation]] id",
                              "use one of: " + ids);
        }
    }
}

}  // namespace

std::string Posting::title(const std::string& language) const {
    if (auto it = titles.find(language); it != titles.end()) return it->second;
    if (auto it = titles.find("en"); it != titles.end()) return it->second;
    return id;
}

std::string_view to_string(ReplyCase c) {
    switch (c) {
        case ReplyCase::received:
            return "received";
        case ReplyCase::late:
            return "late";
        case ReplyCase::unsorted:
            return "unsorted";
        case ReplyCase::too_large:
            return "too_large";
    }
    return "received";
}

const Posting* Organisation::find_posting(std::string_view posting_id) const {
    auto it = std::find_if(postings.begin(), postings.end(),
                           [&](const Posting& p) { return p.id == posting_id; });
    return it == postings.end() ? nullptr : &*it;
}

bool Organisation::offers_language(std::string_view language) const {
    return std::find(languages.begin(), languages.end(), language) != languages.end();
}

const Mailbox* Config::find_mailbox(std::string_view name) const {
    auto it = std::find_if(mailboxes.begin(), mailboxes.end(),
                           [&](const Mailbox& m) { return m.name == name; });
    return it == mailboxes.end() ? nullptr : &*it;
}

const Organisation* Config::find_organisation(std::string_view id) const {
    auto it = std::find_if(organisations.begin(), organisations.end(),
                           [&](const Organisation& o) { return o.id == id; });
    return it == organisations.end() ? nullptr : &*it;
}

const SmtpServer* Config::find_smtp(std::string_view name) const {
    auto it = std::find_if(smtp_servers.begin(), smtp_servers.end(),
                           [&](const SmtpServer& s) { return s.name == name; });
    return it == smtp_servers.end() ? nullptr : &*it;
}

const std::vector<std::string>& template_placeholders() {
    static const std::vector<std::string> names = {
        "applicant_name", "posting_title", "organisation_name", "deadline",
        "feedback",       "received_date", "size_limit"};
    return names;
}

const std::vector<std::string>& requirement_codes() {
    // enrolled_student, internship_agreement: CEMR internships (a student with a
    // "Convention de stage"); atlantic_languages: two of EN/FR/PT/ES (Atlantic Futures
    // A, B, D.2, D.3); learning_agreement: option A; english_cover_letter: Atlantic
    // Cities asks for the cover letter in English.
    static const std::vector<std::string> codes = {"enrolled_student", "internship_agreement",
                                                   "atlantic_languages", "learning_agreement",
                                                   "english_cover_letter"};
    return codes;
}

const std::vector<std::string>& phrase_codes() {
    static const std::vector<std::string> codes = {
        "missing_cv",
        "missing_cover_letter",
        "cover_letter_not_in_english",
        "fewer_than_two_atlantic_languages",
        "learning_agreement_not_mentioned",
        "cv_unreadable",
        "three_atlantic_languages",
        "two_language_application",
        "eu_projects_experience",
        "experience_abroad",
        "network_experience",
        "strengths_heading",
        "weaknesses_heading",
        "no_feedback",
    };
    return codes;
}

Config load_config(const std::filesystem::path& main_file) {
    toml::table document = parse_toml_file(main_file, "configuration file");
    TableReader root(document, main_file, "", kTopLevelKeys);

    Config config;
    config.file = main_file;
    config.storage = read_storage(root);
    config.limits = read_limits(root);
    config.replies = read_replies(root);
    config.log_level = read_log_level(root);
    config.rules = read_rules(root);
    config.smtp_servers = read_smtp_servers(root);
    config.organisations = read_organisations(root);
    config.mailboxes = read_mailboxes(root);
    if (config.organisations.empty()) {
        throw ConfigError(display_name(main_file) + ": no [[organisation]] table",
                          "add one [[organisation]] per association whose mail intake handles");
    }
    if (config.mailboxes.empty()) {
        throw ConfigError(display_name(main_file) + ": no [[mailbox]] table",
                          "add one [[mailbox]] per IMAP mailbox to poll");
    }
    check_references(config);
    return config;
}

std::vector<std::string> secret_warnings(const Config& config) {
    std::vector<const SecretSource*> sources;
    for (const auto& m : config.mailboxes) sources.push_back(&m.password);
    for (const auto& s : config.smtp_servers) sources.push_back(&s.password);
    std::vector<std::string> warnings;
    std::set<std::filesystem::path> seen;  // a file shared by several servers: one warning
    for (const SecretSource* source : sources) {
        if (!seen.insert(source->file).second) continue;
        if (auto warning = exposure_warning(*source)) warnings.push_back(std::move(*warning));
    }
    return warnings;
}

}  // namespace intake::config
