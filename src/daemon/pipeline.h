#pragma once
// One message's journey, top to bottom (pipeline.cpp).
#include <spdlog/logger.h>

#include <chrono>
#include <string>

#include "config/config.h"
#include "imap/imap.h"
#include "state/state.h"

namespace intake::daemon {

enum class MessageOutcome { filed, duplicate, set_aside, seen_before };

struct MailboxContext {
    const config::Config& config;
    const config::Mailbox& mailbox;
    const config::Organisation& organisation;
    state::StateDb& db;
    imap::MailboxClient& client;
    spdlog::logger& log;
};

/// Handles the message with that UID; throws TransientError when it must be
/// tried again later (server or disk trouble), leaving it in the inbox.
MessageOutcome handle_message(const MailboxContext& ctx, imap::UidValidity validity, imap::Uid uid);

/// The IMAP client's settings for that mailbox, its password read now.
imap::ServerSettings imap_settings(const config::Mailbox& mailbox);

/// Rewrites a posting's applications.csv from the database.
void refresh_index(const config::Config& config, state::StateDb& db,
                   const std::string& organisation, const std::string& posting);

}  // namespace intake::daemon
