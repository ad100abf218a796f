// The main file's plain sections: [storage], [limits], [replies], [log], and the
// [[mailbox]] and [[smtp]] servers with their password sources. A key left out keeps
// the default of its struct in config.h (the storage paths' defaults are set below).
#include <algorithm>
#include <cctype>
#include <fstream>

#include "base/errors.h"
#include "config/loaders.h"

namespace intake::config {
namespace {

const std::vector<std::string> kStorageKeys = {"root", "state_dir", "group", "csv_delimiter",
                                               "retention_days"};
const std::vector<std::string> kLimitKeys = {"max_message_bytes", "max_parts",
                                             "max_depth",         "max_attachment_bytes",
                                             "max_archive_bytes", "max_messages_per_pass",
                                             "max_text_bytes",    "extract_cpu_seconds",
                                             "extract_seconds",   "extract_memory_bytes"};
const std::vector<std::string> kReplyKeys = {"ack_interval_days", "sender_quiet_minutes",
                                             "outbox_max_age_hours", "retry_after_seconds"};
const std::vector<std::string> kLogKeys = {"level"};
const std::vector<std::string> kLogLevels = {"trace", "debug", "info", "warn", "error"};
const std::vector<std::string> kMailboxKeys = {
    "name",          "organisation",          "url",        "user",
    "password_file", "password_credential",   "folder",     "processed_folder",
    "failed_folder", "poll_interval_seconds", "tls_verify", "ca_file"};
const std::vector<std::string> kSmtpKeys = {
    "name", "url", "user", "password_file", "password_credential", "tls_verify", "ca_file"};

void set_size(const TableReader& table, std::string_view key, std::size_t& target) {
    if (auto value = table.integer(key)) target = static_cast<std::size_t>(*value);
}

void set_int(const TableReader& table, std::string_view key, int& target,
             std::int64_t minimum = 1) {
    auto value = table.integer(key, minimum);
    if (!value) return;
    if (*value > 1'000'000) table.fail(key, "expected at most 1000000");
    target = static_cast<int>(*value);
}

// A password written into the main file would end up in backups, diffs and bug
// reports; the file is meant to be world-readable documentation of the setup. Checked
// before the unknown-key check so the admin gets this advice, not a list of keys.
void refuse_inline_passwords(const TableReader& root, std::string_view key,
                             std::vector<std::string> allowed) {
    const toml::array* items = root.raw()[key].as_array();
    if (items == nullptr) return;
    allowed.push_back("password");
    for (std::size_t i = 0; i < items->size(); ++i) {
        const toml::table* item = (*items)[i].as_table();
        if (item == nullptr || !item->contains("password")) continue;
        TableReader probe(*item, root.file(), root.key_path(key) + "[" + std::to_string(i) + "]",
                          allowed);
        probe.fail("password", "passwords are not accepted in the configuration file",
                   "put the password in a file readable only by intake and set password_file = "
                   "\"/etc/intake/secrets/…\", or pass it with systemd's LoadCredential= and "
                   "set password_credential = \"name\"");
    }
}

SecretSource read_password_source(const TableReader& table) {
    SecretSource source;
    if (auto file = table.path("password_file")) source.file = *file;
    if (auto name = table.string("password_credential")) {
        if (name->empty() || name->find('/') != std::string::npos) {
            table.fail("password_credential", "expected a credential name without '/'");
        }
        source.credential = *name;
        // Where the packaged unit's LoadCredential= takes it from.
        source.credential_folder = table.file().parent_path() / "secrets";
    }
    if (!source.file.empty() && !source.credential.empty()) {
        table.fail("password_credential", "both password_file and password_credential are set",
                   "keep only one of them");
    }
    return source;
}

// "imaps://host[:port]": the folder is a key of its own, so a path here is a mistake.
std::string read_url(const TableReader& table, const std::vector<std::string>& schemes) {
    std::string url = table.required_string("url", "add url = \"" + schemes[0] + "host\"");
    std::string lower = url;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string expected = "expected one of " + schemes[0] + ", " + schemes[1];
    auto scheme = std::find_if(schemes.begin(), schemes.end(),
                               [&](const std::string& s) { return lower.rfind(s, 0) == 0; });
    if (scheme == schemes.end()) table.fail("url", expected + ", got '" + url + "'");
    std::string rest = url.substr(scheme->size());
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    if (rest.empty() || rest.find('/') != std::string::npos ||
        rest.find('@') != std::string::npos) {
        table.fail("url",
                   "expected " + *scheme + "host or " + *scheme + "host:port, got '" + url + "'",
                   "put the user in user = \"…\" and the folder in folder = \"…\"");
    }
    return url;
}

// The CA certificates (PEM) that the server's certificate must chain to, for a
// server with a certificate from a private CA. Checked now, so that a typo stops
// `intake check` and the start with the key's name, not every connection later with
// a TLS error. Only a first look: OpenSSL reads the certificates at connect time.
std::filesystem::path read_ca_file(const TableReader& table) {
    const auto file = table.path("ca_file");
    if (!file) return {};
    const std::string hint =
        "set ca_file to a PEM file holding the certificate of the CA that signed the "
        "server's certificate, or remove it to use the system's CA store";
    std::error_code ec;
    if (!std::filesystem::exists(*file, ec)) {
        table.fail("ca_file", "file '" + file->string() + "' does not exist", hint);
    }
    if (!std::filesystem::is_regular_file(*file, ec)) {
        table.fail("ca_file", "'" + file->string() + "' is not a file", hint);
    }
    std::ifstream in(*file, std::ios::binary);
    std::string text;
    // A CA bundle is at most a few hundred KiB; the marker is what matters.
    constexpr std::size_t max_bytes = 16 * 1024 * 1024;
    if (in) {
        text.resize(max_bytes);
        in.read(text.data(), static_cast<std::streamsize>(max_bytes));
        text.resize(static_cast<std::size_t>(in.gcount()));
    }
    if (!in && !in.eof()) {
        table.fail("ca_file", "cannot read '" + file->string() + "'",
                   "make it readable by the user intake runs as");
    }
    if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
        table.fail("ca_file", "'" + file->string() + "' holds no PEM certificate", hint);
    }
    return *file;
}

Mailbox read_mailbox(const TableReader& table) {
    Mailbox m;
    m.name = table.required_string("name", "add name = \"…\"; --mailbox NAME refers to it");
    m.organisation = table.required_string("organisation", "add organisation = \"<id>\"");
    m.url = read_url(table, {"imaps://", "imap://"});
    m.user = table.required_string("user", "add the IMAP login name: user = \"…\"");
    m.password = read_password_source(table);
    if (m.password.empty()) {
        table.fail_table("mailbox '" + m.name + "' has a user but no password source",
                         "add password_file = \"/etc/intake/secrets/…\" or "
                         "password_credential = \"…\"");
    }
    m.folder = table.string("folder").value_or(m.folder);
    m.processed_folder = table.string("processed_folder").value_or(m.processed_folder);
    m.failed_folder = table.string("failed_folder").value_or(m.failed_folder);
    if (auto seconds = table.integer("poll_interval_seconds"))
        m.poll_interval = std::chrono::seconds(*seconds);
    m.tls_verify = table.boolean("tls_verify").value_or(true);
    m.ca_file = read_ca_file(table);
    return m;
}

SmtpServer read_smtp(const TableReader& table) {
    SmtpServer s;
    s.name = table.required_string("name", "add name = \"…\"; organisations refer to it");
    s.url = read_url(table, {"smtps://", "smtp://"});
    s.user = table.string("user").value_or("");
    s.password = read_password_source(table);
    // With a user, AUTH is required (spec §4), and AUTH needs a password; a password
    // without a user would silently be ignored.
    if (!s.user.empty() && s.password.empty()) {
        table.fail_table("smtp server '" + s.name + "' has a user but no password source",
                         "add password_file = \"…\" or password_credential = \"…\", or remove "
                         "user to send without AUTH through a local relay");
    }
    if (s.user.empty() && !s.password.empty()) {
        table.fail_table("smtp server '" + s.name + "' has a password source but no user",
                         "add user = \"…\"");
    }
    s.tls_verify = table.boolean("tls_verify").value_or(true);
    s.ca_file = read_ca_file(table);
    return s;
}

}  // namespace

Storage read_storage(const TableReader& root) {
    Storage storage;
    storage.root = "/srv/intake";
    storage.state_dir = "/var/lib/intake";
    auto table = root.table("storage", kStorageKeys);
    if (!table) return storage;
    storage.root = table->path("root").value_or(storage.root);
    storage.state_dir = table->path("state_dir").value_or(storage.state_dir);
    storage.group = table->string("group").value_or("");
    if (auto delimiter = table->string("csv_delimiter")) {
        if (*delimiter != "," && *delimiter != ";") {
            table->fail("csv_delimiter", "expected one of \",\", \";\", got \"" + *delimiter + "\"",
                        "use \";\" for French, Portuguese and Spanish Excel");
        }
        storage.csv_delimiter = (*delimiter)[0];
    }
    set_int(*table, "retention_days", storage.retention_days, 0);
    return storage;
}

Limits read_limits(const TableReader& root) {
    Limits limits;
    auto table = root.table("limits", kLimitKeys);
    if (!table) return limits;
    set_size(*table, "max_message_bytes", limits.max_message_bytes);
    set_size(*table, "max_parts", limits.max_parts);
    set_size(*table, "max_depth", limits.max_depth);
    set_size(*table, "max_attachment_bytes", limits.max_attachment_bytes);
    set_size(*table, "max_archive_bytes", limits.max_archive_bytes);
    set_size(*table, "max_messages_per_pass", limits.max_messages_per_pass);
    set_size(*table, "max_text_bytes", limits.max_text_bytes);
    set_size(*table, "extract_cpu_seconds", limits.extract_cpu_seconds);
    set_size(*table, "extract_seconds", limits.extract_seconds);
    set_size(*table, "extract_memory_bytes", limits.extract_memory_bytes);
    return limits;
}

Replies read_replies(const TableReader& root) {
    Replies replies;
    auto table = root.table("replies", kReplyKeys);
    if (!table) return replies;
    set_int(*table, "ack_interval_days", replies.ack_interval_days);
    set_int(*table, "sender_quiet_minutes", replies.sender_quiet_minutes, 0);
    set_int(*table, "outbox_max_age_hours", replies.outbox_max_age_hours);
    set_int(*table, "retry_after_seconds", replies.retry_after_seconds);
    return replies;
}

std::string read_log_level(const TableReader& root) {
    auto table = root.table("log", kLogKeys);
    if (!table) return "info";
    std::string level = table->string("level").value_or("info");
    if (std::find(kLogLevels.begin(), kLogLevels.end(), level) == kLogLevels.end()) {
        table->fail("level",
                    "expected one of trace, debug, info, warn, error, got '" + level + "'");
    }
    return level;
}

std::vector<Mailbox> read_mailboxes(const TableReader& root) {
    refuse_inline_passwords(root, "mailbox", kMailboxKeys);
    std::vector<Mailbox> out;
    for (const auto& table : root.table_array("mailbox", kMailboxKeys))
        out.push_back(read_mailbox(table));
    return out;
}

std::vector<SmtpServer> read_smtp_servers(const TableReader& root) {
    refuse_inline_passwords(root, "smtp", kSmtpKeys);
    std::vector<SmtpServer> out;
    for (const auto& table : root.table_array("smtp", kSmtpKeys)) out.push_back(read_smtp(table));
    return out;
}

}  // namespace intake::config
