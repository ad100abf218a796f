// config/rules.toml: the word lists and thresholds with which document text is
// read (roles by content, languages and levels, experience, internship terms,
// readability). Kept out of the code so HR can tune them and reload. Every key
// is optional; an unknown key is an error like everywhere else. Words are
// folded here once, so an HR edit with accents or capitals still matches.
#include <algorithm>

#include "base/errors.h"
#include "base/text.h"
#include "config/loaders.h"

namespace intake::config {
namespace {

const std::vector<std::string> kRoleKeys = {"salutations",
                                            "closings",
                                            "letter_phrases",
                                            "cv_headings",
                                            "min_score",
                                            "letter_min_words",
                                            "letter_min_words_without_form"};
const std::vector<std::string> kLanguageKeys = {"atlantic", "strong_level", "working_level",
                                                "names", "levels"};
const std::vector<std::string> kExperienceKeys = {"eu_projects", "eu_projects_min_years", "abroad",
                                                  "abroad_min_years", "network"};
const std::vector<std::string> kInternshipKeys = {"agreement", "enrolment"};
const std::vector<std::string> kReadabilityKeys = {"formats_hr_opens", "cv_unreadable_when"};

void set_words(const TableReader& t, std::string_view key, std::vector<std::string>& out) {
    if (auto list = t.string_list(key)) {
        out.clear();
        for (const auto& w : *list) {
            const std::string folded = text::trim(text::fold(w));
            if (folded.empty()) t.fail(key, "an empty word", "remove the empty string");
            out.push_back(folded);
        }
    }
}

void set_int(const TableReader& t, std::string_view key, int& out, int minimum) {
    if (auto v = t.integer(key, minimum)) out = static_cast<int>(*v);
}

bool is_language_code(std::string_view code) {
    return code.size() == 2 &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

void set_level(const TableReader& t, std::string_view key, std::string& out) {
    if (auto v = t.string(key)) {
        if (level_rank(*v) == 0) {
            t.fail(key, "expected a level", "one of native, C2, C1, B2, B1, A2, A1");
        }
        out = *v;
    }
}

}  // namespace

const std::vector<std::string>& level_names() {
    static const std::vector<std::string> names = {"native", "C2", "C1", "B2", "B1", "A2", "A1"};
    return names;
}

int level_rank(std::string_view level) {
    const auto& names = level_names();
    const auto it = std::find(names.begin(), names.end(), level);
    return it == names.end() ? 0 : static_cast<int>(names.end() - it);
}

Rules read_rules(const TableReader& root) {
    std::filesystem::path file = resolve_path(root.file(), "rules.toml");
    if (auto table = root.table("documents", {"rules"})) {
        if (auto p = table->path("rules")) file = *p;
    }
    Rules rules;
    rules.file = file;
    const toml::table document = parse_toml_file(file, "rules file");
    const TableReader top(document, file, "",
                          {"roles", "languages", "experience", "internship", "readability"});
    if (auto t = top.table("roles", kRoleKeys)) {
        set_words(*t, "salutations", rules.salutations);
        set_words(*t, "closings", rules.closings);
        set_words(*t, "letter_phrases", rules.letter_phrases);
        set_words(*t, "cv_headings", rules.cv_headings);
        set_int(*t, "min_score", rules.min_role_score, 1);
        set_int(*t, "letter_min_words", rules.letter_min_words, 1);
        set_int(*t, "letter_min_words_without_form", rules.letter_min_words_without_form, 1);
    }
    if (auto t = top.table("languages", kLanguageKeys)) {
        if (auto list = t->string_list("atlantic")) rules.atlantic_languages = *list;
        set_level(*t, "strong_level", rules.strong_level);
        set_level(*t, "working_level", rules.working_level);
        std::vector<std::string> codes;
        if (const toml::table* raw = t->raw()["names"].as_table()) {
            for (const auto& [key, node] : *raw) codes.emplace_back(key.str());
        }
        if (auto names = t->table("names", codes)) {
            for (const auto& code : codes) {
                if (!is_language_code(code)) {
                    names->fail(code, "expected an ISO 639-1 language code",
                                "two lower-case letters, such as en or pt");
                }
                set_words(*names, code, rules.language_names[code]);
            }
        }
        if (auto levels = t->table("levels", level_names())) {
            for (const auto& level : level_names()) {
                set_words(*levels, level, rules.level_words[level]);
            }
        }
    }
    if (auto t = top.table("experience", kExperienceKeys)) {
        set_words(*t, "eu_projects", rules.eu_projects);
        set_words(*t, "abroad", rules.abroad);
        set_words(*t, "network", rules.network);
        set_int(*t, "eu_projects_min_years", rules.eu_projects_min_years, 0);
        set_int(*t, "abroad_min_years", rules.abroad_min_years, 0);
    }
    if (auto t = top.table("internship", kInternshipKeys)) {
        set_words(*t, "agreement", rules.agreement);
        set_words(*t, "enrolment", rules.enrolment);
    }
    if (auto t = top.table("readability", kReadabilityKeys)) {
        set_words(*t, "formats_hr_opens", rules.formats_hr_opens);
        if (auto list = t->string_list("cv_unreadable_when")) {
            for (const auto& s : *list) {
                if (s != "encrypted" && s != "scanned" && s != "unreadable" && s != "format") {
                    t->fail("cv_unreadable_when", "unknown status '" + s + "'",
                            "use encrypted, scanned, unreadable or format");
                }
            }
            rules.cv_unreadable_when = *list;
        }
    }
    return rules;
}

}  // namespace intake::config
