// [[organisation]] tables and the postings file each one names. The loader appends
// the organisation's "unsorted" posting itself (kind "unsorted", built-in titles that
// an optional [unsorted] table in the postings file may override), so routing always
// has somewhere to put a mail and no admin can forget it.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "base/errors.h"
#include "config/loaders.h"

namespace intake::config {
namespace {

const std::vector<std::string> kOrganisationKeys = {
    "id",       "name", "address",  "own_addresses", "languages",
    "feedback", "smtp", "postings", "templates"};
const std::vector<std::string> kPostingsFileKeys = {"posting", "unsorted"};
const std::vector<std::string> kPostingKeys = {
    "id",       "titles",       "aliases",
    "deadline", "rolling",      "catch_all",
    "kind",     "requirements", "retain_months_after_close"};
const std::vector<std::string> kKinds = {"internship", "job", "speculative", "programme"};

// Used when the postings file has no [unsorted] table; a language not listed here
// falls back to English through Posting::title().
const std::map<std::string, std::string> kUnsortedTitles = {
    {"en", "Unsorted applications"},
    {"fr", "Candidatures non classées"},
    {"pt", "Candidaturas não classificadas"},
    {"es", "Candidaturas sin clasificar"},
    {"de", "Nicht zugeordnete Bewerbungen"}};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
    return out;
}

bool is_language_code(const std::string& code) {
    return code.size() >= 2 && code.size() <= 3 &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// The spec's fallback reply language is English, so every organisation must offer it.
std::vector<std::string> read_languages(const TableReader& table) {
    auto languages = table.string_list("languages").value_or(std::vector<std::string>{"en"});
    std::set<std::string> seen;
    for (const auto& code : languages) {
        if (!is_language_code(code)) {
            table.fail("languages",
                       "expected ISO 639-1 codes such as \"en\", got \"" + code + "\"");
        }
        if (!seen.insert(code).second) table.fail("languages", "\"" + code + "\" is listed twice");
    }
    if (!seen.count("en")) {
        table.fail("languages", "expected \"en\" among the languages",
                   "English is the reply language when the applicant's is not offered; add \"en\"");
    }
    return languages;
}

// Replies come from `address`, and a mail from it must never be acknowledged, so it is
// always one of the own addresses; lower case because addresses are compared that way.
std::vector<std::string> read_own_addresses(const TableReader& table, const std::string& address) {
    std::vector<std::string> out;
    for (const auto& a : table.string_list("own_addresses").value_or(std::vector<std::string>{})) {
        if (a.find('@') == std::string::npos) {
            table.fail("own_addresses", "expected e-mail addresses, got \"" + a + "\"");
        }
        out.push_back(lower(a));
    }
    if (std::find(out.begin(), out.end(), lower(address)) == out.end())
        out.push_back(lower(address));
    return out;
}

Organisation read_organisation(const TableReader& table) {
    Organisation org;
    org.id = table.required_string("id", "add id = \"…\" (lower-case letters, digits, '-')");
    if (!is_valid_id(org.id)) {
        table.fail("id", "expected lower-case letters, digits and '-', got '" + org.id + "'",
                   "the id becomes a folder name under storage.root");
    }
    org.name = table.required_string("name", "add the name shown to applicants: name = \"…\"");
    org.address = table.required_string("address", "add the address replies come from");
    if (org.address.find('@') == std::string::npos) {
        table.fail("address", "expected an e-mail address, got \"" + org.address + "\"");
    }
    org.own_addresses = read_own_addresses(table, org.address);
    org.languages = read_languages(table);
    org.feedback = table.boolean("feedback").value_or(false);
    org.smtp = table.required_string("smtp", "add smtp = \"<name of an [[smtp]]>\"");
    auto postings =
        table.path("postings").value_or(resolve_path(table.file(), "postings/" + org.id + ".toml"));
    auto templates =
        table.path("templates").value_or(resolve_path(table.file(), "templates/" + org.id));
    org.postings = load_postings(postings, org);
    load_templates(templates, org);
    return org;
}

Deadline read_deadline(const TableReader& table) {
    auto dt = *table.date_time("deadline");
    if (!dt.offset) {
        table.fail("deadline", "expected a date-time with an offset, got one without",
                   "add the offset of the local time, e.g. 2025-03-14T23:59:59+01:00");
    }
    using namespace std::chrono;
    const sys_days date{year{dt.date.year} / month{dt.date.month} / day{dt.date.day}};
    Deadline deadline;
    deadline.at = date + hours{dt.time.hour} + minutes{dt.time.minute} + seconds{dt.time.second} -
                  minutes{dt.offset->minutes};
    const int offset = dt.offset->minutes;
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
                  static_cast<int>(dt.date.year), static_cast<int>(dt.date.month),
                  static_cast<int>(dt.date.day), static_cast<int>(dt.time.hour),
                  static_cast<int>(dt.time.minute), static_cast<int>(dt.time.second),
                  offset < 0 ? '-' : '+', std::abs(offset) / 60, std::abs(offset) % 60);
    deadline.text = text;
    return deadline;
}

std::vector<std::string> read_aliases(const TableReader& table) {
    auto aliases = table.string_list("aliases").value_or(std::vector<std::string>{});
    for (const auto& alias : aliases) {
        bool has_word = std::any_of(alias.begin(), alias.end(),
                                    [](unsigned char c) { return std::isalnum(c) || c >= 0x80; });
        if (!has_word) table.fail("aliases", "expected words, got \"" + alias + "\"");
    }
    return aliases;
}

std::vector<std::string> read_requirements(const TableReader& table) {
    auto codes = table.string_list("requirements").value_or(std::vector<std::string>{});
    const auto& known = requirement_codes();
    for (const auto& code : codes) {
        if (std::find(known.begin(), known.end(), code) == known.end()) {
            table.fail("requirements", "unknown requirement '" + code + "'",
                       "expected one of " + join(known));
        }
    }
    return codes;
}

// Titles are keyed by language; only the organisation's languages are accepted, so a
// misspelt code is reported instead of silently never being used.
std::map<std::string, std::string> read_titles(const TableReader& titles) {
    std::map<std::string, std::string> out;
    for (const auto& language : titles.keys()) {
        auto title = titles.string(language);
        if (title->empty()) titles.fail(language, "expected a non-empty title");
        out[language] = *title;
    }
    return out;
}

Posting read_posting(const TableReader& table, const Organisation& org) {
    Posting p;
    p.id = table.required_string("id", "add id = \"…\" (lower-case letters, digits, '-')");
    if (!is_valid_id(p.id) || p.id == kUnsorted) {
        table.fail(
            "id",
            "expected lower-case letters, digits and '-', other than 'unsorted', got '" + p.id +
                "'",
            "the id becomes a folder name; 'unsorted' and names starting with '_' are reserved");
    }
    auto titles = table.table("titles", org.languages);
    if (!titles)
        table.fail_table("posting '" + p.id + "' has no titles", "add titles = { en = \"…\" }");
    p.titles = read_titles(*titles);
    if (!p.titles.count("en")) titles->fail_table("no English title", "add en = \"…\"");
    p.aliases = read_aliases(table);
    if (table.has("deadline")) p.deadline = read_deadline(table);
    p.rolling = table.boolean("rolling").value_or(false);
    p.catch_all = table.boolean("catch_all").value_or(false);
    p.kind = table.string("kind").value_or("job");
    if (std::find(kKinds.begin(), kKinds.end(), p.kind) == kKinds.end()) {
        table.fail("kind", "expected one of " + join(kKinds) + ", got '" + p.kind + "'");
    }
    p.requirements = read_requirements(table);
    if (auto months = table.integer("retain_months_after_close", 0)) {
        // The rule counts from the deadline; without one it could never apply, which
        // an admin who wrote it would not expect.
        if (!p.deadline) {
            table.fail("retain_months_after_close", "a posting without a deadline never closes",
                       "add a deadline, or use storage.retention_days for such postings");
        }
        if (*months > 1200) table.fail("retain_months_after_close", "expected at most 1200");
        p.retain_months_after_close = static_cast<int>(*months);
    }
    return p;
}

Posting unsorted_posting(const TableReader& file, const Organisation& org) {
    Posting p;
    p.id = std::string(kUnsorted);
    p.kind = "unsorted";
    for (const auto& language : org.languages) {
        if (auto it = kUnsortedTitles.find(language); it != kUnsortedTitles.end()) {
            p.titles[language] = it->second;
        }
    }
    if (auto table = file.table("unsorted", {"titles"})) {
        if (auto titles = table->table("titles", org.languages)) {
            for (auto& [language, title] : read_titles(*titles)) p.titles[language] = title;
        }
    }
    return p;
}

}  // namespace

bool is_valid_id(std::string_view id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

std::vector<Organisation> read_organisations(const TableReader& root) {
    std::vector<Organisation> out;
    for (const auto& table : root.table_array("organisation", kOrganisationKeys)) {
        out.push_back(read_organisation(table));
    }
    return out;
}

std::vector<Posting> load_postings(const std::filesystem::path& file, const Organisation& org) {
    toml::table document = parse_toml_file(file, "postings file of organisation '" + org.id + "'");
    TableReader root(document, file, "", kPostingsFileKeys);
    std::vector<Posting> postings;
    std::set<std::string> ids;
    for (const auto& table : root.table_array("posting", kPostingKeys)) {
        Posting posting = read_posting(table, org);
        if (!ids.insert(posting.id).second) {
            table.fail("id", "posting id '" + posting.id + "' is used twice in this file",
                       "give each [[posting]] its own id");
        }
        postings.push_back(std::move(posting));
    }
    postings.push_back(unsorted_posting(root, org));
    return postings;
}

}  // namespace intake::config
