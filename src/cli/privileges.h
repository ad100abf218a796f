#pragma once
// Admins run `intake status`, `forget`, `purge` and `once` as root beside the
// running service. Whatever such a command creates or rewrites (the database's
// WAL and SHM files, applications.csv, folders) must stay writable by the
// service's own user, so as root the command first becomes the owner of the
// state directory, the way `sudo -u intake` would.
#include <spdlog/logger.h>

#include "config/config.h"

namespace intake::cli {

/// When running as root and storage.state_dir exists and belongs to another user,
/// switches the whole process to that user for good: its groups (from the
/// passwd entry; storage.group added), its primary group, then its uid. Does
/// nothing otherwise. Throws ConfigError when the switch fails. Call it before
/// opening the database or touching a file; secrets needed afterwards are read
/// ahead (read_secrets_ahead).
void act_as_state_owner(const config::Storage& storage, spdlog::logger& log);

/// Reads every mailbox's and SMTP server's password now, into the config, so
/// that `intake once` can still log in after act_as_state_owner(): the secrets
/// folder is root's alone (only systemd hands them to the service).
void read_secrets_ahead(config::Config& config);
}  // namespace intake::cli
