#pragma once
// Data protection (spec §3): `intake forget EMAIL`, `intake purge --older-than
// DAYS` and the daemon's daily purge by the retention rules (storage.retention_days,
// a posting's retain_months_after_close). Each first plans what goes (read only,
// so --dry-run is the same plan printed), then carries the plan out: application
// folders, their rows in applications.csv, their state (record, replies queued or
// not, Message-ID key) and the _failed/ entries that came from that address.
// Logs carry counts and short ids, never names or addresses.
#include <spdlog/logger.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "state/state.h"

namespace intake::daemon {

struct ErasurePlan {
    std::vector<state::ApplicationRef> applications;
    std::vector<std::filesystem::path> failed_entries;  ///< <root>/<organisation>/_failed/<id>
    bool empty() const { return applications.empty() && failed_entries.empty(); }
};

struct ErasureReport {
    ErasurePlan erased;
    state::ErasedRows rows;
    std::vector<std::filesystem::path> indexes;  ///< applications.csv files rewritten
};

/// The retention rules in force at `now`; pure, so a test can move the clock.
struct RetentionRules {
    /// storage.retention_days: applications received before this go.
    std::optional<state::Clock::time_point> received_before;
    /// (organisation, posting) whose deadline is retain_months_after_close months past.
    std::vector<std::pair<std::string, std::string>> closed_postings;
    bool empty() const { return !received_before && closed_postings.empty(); }
};
RetentionRules retention_rules(const config::Config& config, state::Clock::time_point now);

/// The deadline plus retain_months_after_close calendar months (the last day of the
/// month when that day does not exist); nullopt when the posting has no such rule.
std::optional<state::Clock::time_point> erase_after(const config::Posting& posting);

/// Every application from that address (case-insensitive) and the _failed/ entries
/// whose From is that address.
ErasurePlan plan_forget(const config::Config& config, state::StateDb& db, std::string_view email);
/// Applications received before `cutoff`, and _failed/ entries set aside before its day.
ErasurePlan plan_purge(const config::Config& config, state::StateDb& db,
                       state::Clock::time_point cutoff);
ErasurePlan plan_retention(const config::Config& config, state::StateDb& db,
                           const RetentionRules& rules);

/// Erases everything in the plan; safe to run again after a crash (see erasure.cpp).
ErasureReport carry_out(const config::Config& config, state::StateDb& db, const ErasurePlan& plan);

/// For the admin's terminal: ids and folder paths, then the counts.
std::string describe_plan(const config::Config& config, const ErasurePlan& plan);
std::string describe_report(const config::Config& config, const ErasureReport& report);

/// For the log: counts and short ids only ("7f3a9c"), never names or addresses.
std::string log_summary(const ErasureReport& report);

/// The daemon's daily purge: erases what the retention rules say at `now`.
void purge_by_rules(const config::Config& config, state::StateDb& db, spdlog::logger& log,
                    state::Clock::time_point now);

}  // namespace intake::daemon
