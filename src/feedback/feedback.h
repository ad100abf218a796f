#pragma once
// What HR and (for organisations that promise it) the applicant learn about an
// application: the deadline status, checks as stable codes (documents present,
// their languages and readability, languages claimed with levels, years of EU
// projects and abroad, internship terms), and Atlantic Cities' strengths and
// weaknesses with a sentence each in the reply language. Word lists and
// thresholds come from rules.toml. Runs after document classification and
// before the reply is rendered. Pure: no I/O.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "docs/docs.h"
#include "record/application.h"

namespace intake::feedback {

struct Assessment {
    record::DeadlineCheck deadline;
    std::vector<record::Check> checks;
    std::optional<record::Feedback> feedback;
};

struct Evidence {
    std::chrono::sys_seconds received_at;  ///< when the application arrived
    std::string_view mail_text;            ///< the mail body as text
    const std::vector<docs::Document>* documents = nullptr;
    const config::Rules* rules = nullptr;
};

/// on_time / late against the posting's deadline; none without one.
record::DeadlineCheck check_deadline(const config::Posting& posting,
                                     std::chrono::sys_seconds received_at);

/// Strength codes: a check with one of these codes and ok = true is a strength.
const std::vector<std::string>& strength_codes();
/// Weakness codes an applicant may be told about: a failed check with one of these.
const std::vector<std::string>& weakness_codes();

Assessment assess(const Evidence& evidence, const config::Posting& posting,
                  const config::Organisation& organisation, const std::string& reply_language);

}  // namespace intake::feedback
