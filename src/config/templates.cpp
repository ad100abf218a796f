// Reply templates and feedback phrases: <folder>/<lang>/{received,late,unsorted,too_large}.txt
// and <folder>/<lang>/phrases.toml. A template is "Subject: …", a blank line, then the
// body; {name} is a placeholder, "{{" and "}}" are literal braces. Everything is
// checked at load time (every file present, every placeholder known) so that a typo
// shows up in `intake check`, not in a mail an applicant receives.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/errors.h"
#include "config/loaders.h"

namespace intake::config {
namespace {

constexpr ReplyCase kCases[] = {ReplyCase::received, ReplyCase::late, ReplyCase::unsorted,
                                ReplyCase::too_large};

bool is_placeholder_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(),
                                        [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

// Calls on_placeholder(name) for each {name} of one line and returns "" or the
// problem with the first bad brace. The reading must stay the one of
// reply/compose.cpp's fill(): "{{" and "}}" are literal braces, {name} a placeholder.
template <typename OnPlaceholder>
std::string scan(std::string_view line, OnPlaceholder on_placeholder) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c != '{' && c != '}') continue;
        if (i + 1 < line.size() && line[i + 1] == c) {  // "{{" or "}}"
            ++i;
            continue;
        }
        if (c == '}') return "a lone '}' (write }} for a literal brace)";
        const std::size_t close = line.find('}', i + 1);
        if (close == std::string_view::npos ||
            !is_placeholder_name(line.substr(i + 1, close - i - 1))) {
            return "a '{' that starts no {placeholder} (write {{ for a literal brace)";
        }
        on_placeholder(line.substr(i + 1, close - i - 1));
        i = close;
    }
    return {};
}

std::string allowed_placeholders() {
    std::string out;
    for (const auto& name : template_placeholders())
        out += (out.empty() ? "{" : ", {") + name + "}";
    return out;
}

void check_line(const std::filesystem::path& file, std::size_t line_number, std::string_view line) {
    const auto& known = template_placeholders();
    std::string unknown;
    std::string problem = scan(line, [&](std::string_view name) {
        if (unknown.empty() && std::find(known.begin(), known.end(), name) == known.end()) {
            unknown = std::string(name);
        }
    });
    std::string where = display_name(file) + ": line " + std::to_string(line_number) + ": ";
    if (!unknown.empty()) {
        throw ConfigError(where + "unknown placeholder {" + unknown + "}",
                          "allowed placeholders: " + allowed_placeholders());
    }
    if (!problem.empty())
        throw ConfigError(where + problem, "allowed placeholders: " + allowed_placeholders());
}

std::string read_file(const std::filesystem::path& file, const std::string& missing_hint) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError(display_name(file) + ": template file not found", missing_hint);
    std::ostringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    if (content.rfind("\xEF\xBB\xBF", 0) == 0) content.erase(0, 3);  // editors' UTF-8 BOM
    return content;
}

std::vector<std::string> split_lines(const std::string& content) {
    std::vector<std::string> lines;
    std::istringstream in(content);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
    }
    return lines;
}

Template parse_template(const std::filesystem::path& file, const std::string& missing_hint) {
    std::vector<std::string> lines = split_lines(read_file(file, missing_hint));
    const std::string format_hint =
        "write \"Subject: …\" on the first line, then a blank line, then the body";
    if (lines.empty() || lines[0].rfind("Subject:", 0) != 0) {
        throw ConfigError(display_name(file) + ": line 1: expected \"Subject: …\"", format_hint);
    }
    Template t;
    t.file = file;
    t.subject = lines[0].substr(8);
    t.subject.erase(0, t.subject.find_first_not_of(" \t"));
    while (!t.subject.empty() && (t.subject.back() == ' ' || t.subject.back() == '\t'))
        t.subject.pop_back();
    if (t.subject.empty())
        throw ConfigError(display_name(file) + ": line 1: the subject is empty", format_hint);
    if (lines.size() < 2 || !lines[1].empty()) {
        throw ConfigError(display_name(file) + ": line 2: expected a blank line after the subject",
                          format_hint);
    }
    while (lines.size() > 2 && lines.back().find_first_not_of(" \t") == std::string::npos)
        lines.pop_back();
    if (lines.size() < 3)
        throw ConfigError(display_name(file) + ": the body is empty", format_hint);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        check_line(file, i + 1, lines[i]);
        if (i >= 2) t.body += lines[i] + "\n";
    }
    return t;
}

// Feedback sentences are shown to applicants, so an organisation that promises
// feedback must have every one of them in every reply language.
std::map<std::string, std::string> load_phrases(const std::filesystem::path& file, bool required) {
    toml::table document = parse_toml_file(file, "phrases file");
    TableReader table(document, file, "", phrase_codes());
    std::map<std::string, std::string> phrases;
    for (const auto& code : phrase_codes()) {
        if (!table.has(code)) {
            if (!required) continue;
            throw ConfigError(display_name(file) + ": missing key '" + code + "'",
                              "an organisation with feedback = true needs a sentence for every "
                              "code in every language: add " +
                                  code + " = \"…\"");
        }
        phrases[code] = table.required_string(code);
    }
    return phrases;
}

}  // namespace

void load_templates(const std::filesystem::path& folder, Organisation& org) {
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) {
        throw ConfigError(
            display_name(folder) + ": templates folder of organisation '" + org.id + "' not found",
            "create it with <lang>/received.txt, late.txt, unsorted.txt and too_large.txt for "
            "each language, or correct templates = \"…\"");
    }
    for (const auto& language : org.languages) {
        const std::string hint =
            "organisation '" + org.id +
            "' needs received.txt, late.txt, unsorted.txt and too_large.txt for each of its "
            "languages, in " +
            display_name(folder / language);
        for (ReplyCase c : kCases) {
            auto file = folder / language / (std::string(to_string(c)) + ".txt");
            org.templates[{language, c}] = parse_template(file, hint);
        }
        auto phrases = folder / language / "phrases.toml";
        if (org.feedback || std::filesystem::exists(phrases, ec)) {
            if (org.feedback && !std::filesystem::exists(phrases, ec)) {
                throw ConfigError(display_name(phrases) + ": phrases file not found",
                                  "organisation '" + org.id +
                                      "' gives feedback, so each language needs "
                                      "phrases.toml with a sentence per feedback code");
            }
            org.phrases[language] = load_phrases(phrases, org.feedback);
        }
    }
}

}  // namespace intake::config
