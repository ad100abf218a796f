#include <string>

#include "store/store.h"

namespace intake::store {
namespace {

/// RFC 4180 field. A value that a spreadsheet would run as a formula (a subject
/// "=HYPERLINK(…)" mailed in by anyone) is prefixed with an apostrophe.
std::string field(std::string_view value, char delimiter) {
    std::string v(value);
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' ||
                       v[0] == '\r')) {
        v.insert(v.begin(), '\'');
    }
    const bool quote =
        v.find_first_of(std::string("\"\r\n") + delimiter) != std::string::npos || v != value;
    if (!quote) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string files_of_role(const record::Application& app, std::string_view role) {
    std::string out;
    for (const auto& d : app.documents) {
        if (d.role != role) continue;
        if (!out.empty()) out += "; ";
        out += d.file;
    }
    return out;
}

/// What the checks found, for HR: every problem by its code, and what was read
/// ("cv_language=es", "languages_claimed=en:C2 fr:C1") where there is a value.
std::string checks_summary(const record::Application& app) {
    std::string out;
    for (const auto& c : app.checks) {
        std::string item;
        if (!c.ok) item = c.code;
        if (c.value && !c.value->empty()) item = (item.empty() ? c.code : item) + "=" + *c.value;
        if (item.empty()) continue;
        if (!out.empty()) out += "; ";
        out += item;
    }
    return out;
}

}  // namespace

namespace {

void add_line(std::string& out, const std::vector<std::string>& values, char delimiter) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += delimiter;
        out += field(values[i], delimiter);
    }
    out += "\r\n";
}

void add_row(std::string& out, const record::Application& app, char delimiter) {
    add_line(out,
             {app.id, app.received_at, app.applicant.name, app.applicant.email, app.subject,
              files_of_role(app, "cv"), files_of_role(app, "cover_letter"),
              files_of_role(app, "other"), app.deadline.status, checks_summary(app), app.routing.by,
              app.acknowledgement.status, app.duplicate_of.value_or(""), app.id},
             delimiter);
}

}  // namespace

std::string index_csv_rows(const std::vector<record::Application>& rows, char delimiter) {
    std::string out;
    for (const auto& app : rows) add_row(out, app, delimiter);
    return out;
}

EachRow each_of(const std::vector<record::Application>& rows) {
    return [&rows](const std::function<void(const record::Application&)>& visit) {
        for (const auto& app : rows) visit(app);
    };
}

std::string index_csv(const EachRow& rows, char delimiter) {
    // The BOM makes Excel read the file as UTF-8, so accents survive.
    std::string out = "\xEF\xBB\xBF";
    add_line(out,
             {"id", "received_at", "applicant_name", "applicant_email", "subject", "cv",
              "cover_letter", "other_documents", "deadline_status", "checks", "routing",
              "acknowledgement", "duplicate_of", "folder"},
             delimiter);
    rows([&](const record::Application& app) { add_row(out, app, delimiter); });
    return out;
}

std::string index_csv(const std::vector<record::Application>& rows, char delimiter) {
    return index_csv(each_of(rows), delimiter);
}

}  // namespace intake::store
