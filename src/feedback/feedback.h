#pragma once
// What HR and (for organisations that promise it) the applicant learn about an
// application: the deadline status, the posting's checks as stable codes, and
// Atlantic Cities' strengths/weaknesses feedback with a sentence each in the
// reply language. Runs after document classification and before the reply is
// rendered. Pure: no I/O. What it can judge today comes from the mail and the
// documents' names and the body letter; document text feeds it later.
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
};

/// on_time / late against the posting's deadline; none without one.
record::DeadlineCheck check_deadline(const config::Posting& posting,
                                     std::chrono::sys_seconds received_at);

Assessment assess(const Evidence& evidence, const config::Posting& posting,
                  const config::Organisation& organisation, const std::string& reply_language);

}  // namespace intake::feedback
