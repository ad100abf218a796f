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

template <typename Values>
void add_line(std::string& out, const Values& values, char delimiter) {
    bool first = true;
    for (const auto& value : values) {
        if (!first) out += delimiter;
        first = false;
        out += field(value, delimiter);
    }
    out += "\r\n";
}

}  // namespace

std::string index_csv_rows(const std::vector<record::Application>& rows, char delimiter) {
    std::string out;
    for (const auto& app : rows) add_line(out, record::index_row(app).values, delimiter);
    return out;
}

EachRow each_of(const std::vector<record::Application>& rows) {
    return [&rows](const std::function<void(const record::IndexRow&)>& visit) {
        for (const auto& app : rows) visit(record::index_row(app));
    };
}

std::string index_csv(const EachRow& rows, char delimiter) {
    // The BOM makes Excel read the file as UTF-8, so accents survive.
    std::string out = "\xEF\xBB\xBF";
    add_line(out, record::kIndexColumns, delimiter);
    rows([&](const record::IndexRow& row) { add_line(out, row.values, delimiter); });
    return out;
}

std::string index_csv(const std::vector<record::Application>& rows, char delimiter) {
    return index_csv(each_of(rows), delimiter);
}

}  // namespace intake::store
