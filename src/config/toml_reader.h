#pragma once
// Private to src/config: typed, checked reads from one TOML table. Every error it
// throws is a ConfigError naming the file, the key path ("mailbox[1].url"), the line
// and what was expected, so the loaders above it read as a list of keys and defaults.
// Unknown keys are refused as soon as a table is opened: a misspelt key is the most
// likely cause of any later "missing key" error, so it is reported first.
#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace intake::config {

/// Errors name the file as the user wrote it, so messages read
/// "config/postings/cemr.toml: …" from a checkout and "/etc/intake/…" in production.
std::string display_name(const std::filesystem::path& file);

/// A relative path resolved against the folder of the file that holds it.
std::filesystem::path resolve_path(const std::filesystem::path& file,
                                   const std::filesystem::path& value);

/// Parses a TOML file, turning toml++'s parse_error (and a missing file) into ConfigError.
toml::table parse_toml_file(const std::filesystem::path& file, std::string_view what);

class TableReader {
public:
    /// Opens `table` found at `path` ("" for the root) of `file`; throws on any key
    /// not in `allowed`.
    TableReader(const toml::table& table, std::filesystem::path file, std::string path,
                const std::vector<std::string>& allowed);
    TableReader(const toml::table& table, std::filesystem::path file, std::string path,
                std::initializer_list<std::string_view> allowed);

    bool has(std::string_view key) const;
    std::optional<std::string> string(std::string_view key) const;
    std::string required_string(std::string_view key, std::string_view hint = {}) const;
    std::optional<bool> boolean(std::string_view key) const;
    /// An integer >= minimum (1 unless told), else "expected a positive integer".
    std::optional<std::int64_t> integer(std::string_view key, std::int64_t minimum = 1) const;
    std::optional<std::vector<std::string>> string_list(std::string_view key) const;
    std::optional<std::filesystem::path> path(std::string_view key) const;
    std::optional<toml::date_time> date_time(std::string_view key) const;
    /// A sub-table: absent gives nullopt; present but not a table is an error.
    std::optional<TableReader> table(std::string_view key,
                                     const std::vector<std::string>& allowed) const;
    /// The tables of an array of tables ([[key]]), each opened with `allowed`.
    std::vector<TableReader> table_array(std::string_view key,
                                         const std::vector<std::string>& allowed) const;
    /// Every key of this table, sorted (for free-form tables such as titles).
    std::vector<std::string> keys() const;

    /// "file: 'path.key' at line N: problem"; for values that are well typed but wrong.
    [[noreturn]] void fail(std::string_view key, const std::string& problem,
                           std::string hint = {}) const;
    /// "file: the [table] at line N: problem"; for rules spanning several keys.
    [[noreturn]] void fail_table(const std::string& problem, std::string hint = {}) const;

    std::string key_path(std::string_view key) const;
    const std::filesystem::path& file() const { return file_; }
    const std::string& path() const { return path_; }
    const toml::table& raw() const { return *table_; }

private:
    void refuse_unknown_keys(const std::vector<std::string>& allowed) const;
    const toml::node* node(std::string_view key) const;
    [[noreturn]] void wrong_type(std::string_view key, std::string_view expected) const;

    const toml::table* table_;
    std::filesystem::path file_;
    std::string path_;
};

/// "a string", "an integer", … for "expected X, got Y" messages.
std::string_view describe_type(const toml::node& node);

}  // namespace intake::config
