// A raw mail through the same decide() the daemon's pipeline calls: MIME parsing,
// TNEF unpacking, routing, document classification and text reading, feedback and
// the reply. The configuration is the shipped one (config/intake.toml) with two
// changes: the document reader gets 2 s of CPU and 3 s of wall-clock time instead
// of 10 s / 15 s, so that a document that makes the contained child (docs/sandbox.cpp,
// forked per document exactly as in production) run to its limit costs less than
// libFuzzer's -timeout. The mailbox alternates with the input's length so that both
// organisations (one with feedback, one without) are exercised.
#include <chrono>
#include <string_view>

#include "base/errors.h"
#include "daemon/decide.h"
#include "fuzz_targets.h"
#include "record/application.h"

namespace intake::fuzz {
namespace {

const config::Config& fuzz_config_value() {
    static const config::Config config = [] {
        config::Config c = config::load_config(INTAKE_SOURCE_DIR "/config/intake.toml");
        c.limits.extract_cpu_seconds = 2;
        c.limits.extract_seconds = 3;
        return c;
    }();
    return config;
}

}  // namespace

int fuzz_decide(const std::uint8_t* data, std::size_t size) {
    const config::Config& config = fuzz_config_value();
    const config::Mailbox& mailbox = config.mailboxes.at(size % config.mailboxes.size());
    const config::Organisation* org = config.find_organisation(mailbox.organisation);
    // A fixed "now" keeps every run of an input the same (deadlines, late replies).
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1741600000));
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    try {
        const auto decision = daemon::decide(raw, {config, mailbox, *org, now});
        // What filing and the state database then write (application.json, the
        // record): nlohmann::json refuses invalid UTF-8, so every text must be valid.
        (void)record::to_json(decision->application, /*with_reply_text=*/true).dump(2);
    } catch (const PermanentError&) {
        // A message over a limit or unreadable: the daemon sets it aside (spec §9)
        // in a folder named by failed_id().
    }
    (void)daemon::failed_id(raw);
    return 0;
}

}  // namespace intake::fuzz
