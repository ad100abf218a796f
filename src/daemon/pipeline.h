#pragma once
// A group of messages' journey, top to bottom (pipeline.cpp).
#include <spdlog/logger.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "docs/docs.h"
#include "imap/imap.h"
#include "route/route.h"
#include "state/state.h"
#include "store/store.h"

namespace intake::daemon {

enum class MessageOutcome { filed, duplicate, set_aside, seen_before };

struct MailboxContext {
    const config::Config& config;
    const config::Mailbox& mailbox;
    const config::Organisation& organisation;
    state::StateDb& db;
    imap::MailboxClient& client;
    store::Filer& filer;
    spdlog::logger& log;
    const docs::ReaderService& reader;
    const route::Router& router;  // of `organisation`
};

/// How many messages of a group ended how.
struct GroupReport {
    int handled = 0;
    int set_aside = 0;
};

/// At most this many messages share one commit: what a group keeps in memory
/// until then (records, queued replies) stays small whatever the batch size.
constexpr std::size_t kMaxGroupMessages = 100;
/// The last group of a batch that is cut: its replies are the ones left to send
/// after the drain.
constexpr std::size_t kLastGroupMessages = 16;

/// How a batch of `messages` is cut into groups, in order. A group's replies
/// leave once it is committed, while the next group is drained, at the SMTP
/// server's pace (a few times faster than messages are drained); the last
/// group's leave after the drain, with nothing else to do. So the groups shrink
/// towards the end: the last has kLastGroupMessages, each one before it at most
/// two and a half times the one after it (time enough to send its replies), none
/// more than `max_group`. A batch of up to twice kLastGroupMessages stays whole,
/// and no group is left with fewer than half of kLastGroupMessages.
std::vector<std::size_t> group_sizes(std::size_t messages,
                                     std::size_t max_group = kMaxGroupMessages);

/// Handles a batch of messages of the mailbox (see pipeline.cpp), cut into
/// groups by group_sizes(): every message is decided and filed, and each group
/// is made durable, committed and moved as soon as its last message is filed,
/// while the next messages are already being fetched and decided. Stops between
/// messages when `stop_requested` says so; what was handled until then is
/// committed. Throws TransientError when the rest must be tried again later
/// (server or disk trouble), after committing what it could. Adds the messages
/// it committed to `report`.
/// A message over limits.max_message_bytes (known by the size listed with the
/// UIDs) is never fetched whole: see set_aside_oversized().
void handle_batch(const MailboxContext& ctx, imap::UidValidity validity,
                  const std::vector<imap::MessageSize>& messages,
                  const std::function<bool()>& stop_requested, GroupReport& report);

/// A message over limits.max_message_bytes, known by its size before any download
/// (oversized.cpp): only its header is fetched and kept under _failed/ with the
/// reason, it is moved to the failed folder, and the sender is told once per
/// ack_interval_days, in their language, the limit and how to send again.
MessageOutcome set_aside_oversized(const MailboxContext& ctx, const state::MessageRef& ref,
                                   imap::MessageSize message);

struct Decision;

/// The application whose acknowledgement this message reports as undeliverable
/// (bounce.cpp): a bounce that quotes our reply's Message-ID. Else nullopt.
std::optional<std::string> bounced_acknowledgement(const MailboxContext& ctx, const Decision& d,
                                                   std::string_view raw);
/// Notes the bounce on that application (ack_status "bounced", its record and CSV
/// row), records the message as handled and moves it; nothing is filed or sent.
MessageOutcome record_bounce(const MailboxContext& ctx, const state::MessageRef& ref, imap::Uid uid,
                             const std::string& application_id, std::string_view raw);

/// Was this address answered within replies.sender_quiet_minutes, whatever the
/// posting? Then it gets no other reply for now.
bool sender_answered_lately(const MailboxContext& ctx, const std::string& to,
                            state::Clock::time_point now);

/// The IMAP client's settings for that mailbox, its password read now.
imap::ServerSettings imap_settings(const config::Mailbox& mailbox);

/// A posting's applications straight from the state database, one at a time
/// (store::EachRow), for its CSV.
store::EachRow rows_in(state::StateDb& db, const std::string& organisation,
                       const std::string& posting);

/// Rewrites a posting's applications.csv from the database.
void refresh_index(const config::Config& config, state::StateDb& db,
                   const std::string& organisation, const std::string& posting);

}  // namespace intake::daemon
