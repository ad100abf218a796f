// Subject routing: the input's first line is the subject, the rest the body, routed
// against each shipped organisation (config/intake.toml). The chosen posting must
// be one of the organisation's: decide() treats anything else as a broken invariant.
#include <string_view>

#include "base/errors.h"
#include "config/config.h"
#include "fuzz_targets.h"
#include "route/route.h"

namespace intake::fuzz {

int fuzz_route(const std::uint8_t* data, std::size_t size) {
    static const config::Config config =
        config::load_config(INTAKE_SOURCE_DIR "/config/intake.toml");
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t cut = input.find('\n');
    const std::string_view subject = input.substr(0, cut);
    const std::string_view body =
        cut == std::string_view::npos ? std::string_view() : input.substr(cut + 1);
    (void)route::normalise_subject(subject);
    for (const config::Organisation& org : config.organisations) {
        const route::RouteDecision decision = route::route(subject, body, org);
        if (org.find_posting(decision.posting_id) == nullptr) {
            throw InternalError("route chose unknown posting " + decision.posting_id);
        }
    }
    return 0;
}

}  // namespace intake::fuzz
