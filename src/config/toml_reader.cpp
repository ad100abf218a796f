#include "config/toml_reader.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "base/errors.h"

namespace intake::config {
namespace {

constexpr const char* kDefaultHint =
    "correct the value; the shipped config/intake.toml documents every key, its default and "
    "what it accepts";

std::string line_of(const toml::node* node) {
    if (node == nullptr || !node->source().begin) return {};
    return " at line " + std::to_string(node->source().begin.line);
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
    return out;
}

}  // namespace

std::string display_name(const std::filesystem::path& file) {
    return file.lexically_normal().string();
}

std::filesystem::path resolve_path(const std::filesystem::path& file,
                                   const std::filesystem::path& value) {
    if (value.is_absolute()) return value.lexically_normal();
    return (file.parent_path() / value).lexically_normal();
}

toml::table parse_toml_file(const std::filesystem::path& file, std::string_view what) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        throw ConfigError(display_name(file) + ": " + std::string(what) + " not found",
                          "create it, or correct the path that names it");
    }
    try {
        return toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        const auto& begin = e.source().begin;
        throw ConfigError(display_name(file) + ":" + std::to_string(begin.line) + ":" +
                              std::to_string(begin.column) +
                              ": not valid TOML: " + std::string(e.description()),
                          "fix the TOML syntax at that line and column");
    }
}

std::string_view describe_type(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        default:
            return "nothing";
    }
}

TableReader::TableReader(const toml::table& table, std::filesystem::path file, std::string path,
                         const std::vector<std::string>& allowed)
    : table_(&table), file_(std::move(file)), path_(std::move(path)) {
    refuse_unknown_keys(allowed);
}

TableReader::TableReader(const toml::table& table, std::filesystem::path file, std::string path,
                         std::initializer_list<std::string_view> allowed)
    : TableReader(table, std::move(file), std::move(path),
                  std::vector<std::string>(allowed.begin(), allowed.end())) {}

void TableReader::refuse_unknown_keys(const std::vector<std::string>& allowed) const {
    for (const auto& [key, value] : *table_) {
        if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
        throw ConfigError(
            display_name(file_) + ": unknown key '" + key_path(key.str()) + "'" + line_of(&value),
            allowed.empty()
                ? "this table takes no keys; remove it"
                : "allowed keys here: " + join(allowed) + "; correct the spelling or remove it");
    }
}

std::string TableReader::key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const toml::node* TableReader::node(std::string_view key) const { return table_->get(key); }

bool TableReader::has(std::string_view key) const { return node(key) != nullptr; }

void TableReader::fail(std::string_view key, const std::string& problem, std::string hint) const {
    if (hint.empty()) hint = kDefaultHint;
    throw ConfigError(
        display_name(file_) + ": '" + key_path(key) + "'" + line_of(node(key)) + ": " + problem,
        std::move(hint));
}

void TableReader::fail_table(const std::string& problem, std::string hint) const {
    if (hint.empty()) hint = kDefaultHint;
    std::string where = path_.empty() ? "" : " [" + path_ + "]" + line_of(table_) + ":";
    throw ConfigError(display_name(file_) + ":" + where + " " + problem, std::move(hint));
}

void TableReader::wrong_type(std::string_view key, std::string_view expected) const {
    fail(key,
         "expected " + std::string(expected) + ", got " + std::string(describe_type(*node(key))));
}

std::optional<std::string> TableReader::string(std::string_view key) const {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_string()) wrong_type(key, "a string");
    return n->as_string()->get();
}

std::string TableReader::required_string(std::string_view key, std::string_view hint) const {
    auto value = string(key);
    if (!value) {
        std::string where = path_.empty() ? "" : " (in the [" + path_ + "]" + line_of(table_) + ")";
        throw ConfigError(
            display_name(file_) + ": missing key '" + key_path(key) + "'" + where,
            hint.empty() ? "add " + std::string(key) + " = \"…\"" : std::string(hint));
    }
    if (value->empty()) fail(key, "expected a non-empty string");
    return *value;
}

std::optional<bool> TableReader::boolean(std::string_view key) const {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_boolean()) wrong_type(key, "true or false");
    return n->as_boolean()->get();
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t minimum) const {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    std::string_view expected = minimum == 1   ? "a positive integer"
                                : minimum == 0 ? "an integer >= 0"
                                               : "an integer";
    if (!n->is_integer()) wrong_type(key, expected);
    std::int64_t value = n->as_integer()->get();
    if (value < minimum)
        fail(key, "expected " + std::string(expected) + ", got " + std::to_string(value));
    return value;
}

std::optional<std::vector<std::string>> TableReader::string_list(std::string_view key) const {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_array()) wrong_type(key, "a list of strings");
    std::vector<std::string> out;
    for (const toml::node& item : *n->as_array()) {
        if (!item.is_string()) {
            fail(key, "expected a list of strings, found " + std::string(describe_type(item)) +
                          " in it");
        }
        out.push_back(item.as_string()->get());
    }
    return out;
}

std::optional<std::filesystem::path> TableReader::path(std::string_view key) const {
    auto value = string(key);
    if (!value) return std::nullopt;
    if (value->empty()) fail(key, "expected a path, got an empty string");
    return resolve_path(file_, *value);
}

std::optional<toml::date_time> TableReader::date_time(std::string_view key) const {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_date_time()) {
        fail(key, "expected a date-time with offset, got " + std::string(describe_type(*n)),
             "write the date, the time and the UTC offset, without quotes, e.g. "
             "deadline = 2025-03-14T23:59:59+01:00");
    }
    return n->as_date_time()->get();
}

std::optional<TableReader> TableReader::table(std::string_view key,
                                              const std::vector<std::string>& allowed) const {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_table()) wrong_type(key, "a table");
    return TableReader(*n->as_table(), file_, key_path(key), allowed);
}

std::vector<TableReader> TableReader::table_array(std::string_view key,
                                                  const std::vector<std::string>& allowed) const {
    const toml::node* n = node(key);
    if (n == nullptr) return {};
    if (!n->is_array_of_tables()) {
        fail(key, "expected an array of tables, got " + std::string(describe_type(*n)),
             "write each entry as [[" + std::string(key) + "]]");
    }
    std::vector<TableReader> out;
    std::size_t index = 0;
    for (const toml::node& item : *n->as_array()) {
        out.emplace_back(*item.as_table(), file_,
                         key_path(key) + "[" + std::to_string(index++) + "]", allowed);
    }
    return out;
}

std::vector<std::string> TableReader::keys() const {
    std::vector<std::string> out;
    for (const auto& [key, value] : *table_) out.emplace_back(key.str());
    return out;
}

}  // namespace intake::config
