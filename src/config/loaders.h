#pragma once
// Private to src/config: one loader per part of the configuration. load_config()
// (config.cpp) calls them in file order and then checks the references between parts.
#include <filesystem>
#include <vector>

#include "config/config.h"
#include "config/toml_reader.h"

namespace intake::config {

Storage read_storage(const TableReader& root);
Limits read_limits(const TableReader& root);
Replies read_replies(const TableReader& root);
std::string read_log_level(const TableReader& root);
/// [documents] rules = "…" (default rules.toml beside the main file), loaded.
Rules read_rules(const TableReader& root);
std::vector<Mailbox> read_mailboxes(const TableReader& root);
std::vector<SmtpServer> read_smtp_servers(const TableReader& root);

/// The [[organisation]] tables, each with its postings file and templates folder loaded.
std::vector<Organisation> read_organisations(const TableReader& root);

/// Reads a postings file for `org` (whose languages are known) and appends "unsorted".
std::vector<Posting> load_postings(const std::filesystem::path& file, const Organisation& org);

/// Fills org.templates and org.phrases from the folder <lang>/<case>.txt, <lang>/phrases.toml.
void load_templates(const std::filesystem::path& folder, Organisation& org);

/// True for ids made of [a-z0-9-] (posting and organisation ids become folder names).
bool is_valid_id(std::string_view id);

}  // namespace intake::config
