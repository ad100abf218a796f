// Server bytes through every IMAP response parser: the whole input as the untagged
// lines of a custom command (imap_response.h), each line as a tagged reply, and the
// input cut into chunks (sizes from its own bytes) through the IDLE ResponseBuffer
// and classify_response() (idle_protocol.h), as IdleWatcher feeds what the socket gives.
#include <algorithm>
#include <string_view>

#include "base/errors.h"
#include "fuzz_targets.h"
#include "imap/idle_protocol.h"
#include "imap/imap_response.h"

namespace intake::fuzz {

int fuzz_imap(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    (void)imap::parse_uid_validity(input);
    (void)imap::parse_exists(input);
    const auto uids = imap::parse_search(input);
    (void)imap::parse_capabilities(input);
    (void)imap::parse_list(input);
    (void)imap::parse_fetch_flags(input, uids.empty() ? imap::Uid{1} : uids.front());
    for (std::string_view rest = input; !rest.empty();) {
        const std::size_t end = std::min(rest.find('\n'), rest.size());
        const std::string_view line = rest.substr(0, end);
        (void)imap::parse_append_uid(line);
        (void)imap::has_response_code(line, "ALREADYEXISTS");
        rest.remove_prefix(std::min(end + 1, rest.size()));
    }

    // A small bound so that the "response too long" path is reached too.
    imap::ResponseBuffer buffer(4096);
    try {
        std::size_t at = 0;
        while (at < size) {
            const std::size_t chunk = 1 + data[at] % 64;
            buffer.append(input.substr(at, chunk));
            at += chunk;
            while (auto response = buffer.next()) (void)imap::classify_response(*response);
        }
    } catch (const TransientError&) {
        // A response over the bound: the watcher drops the connection and reconnects.
    }
    return 0;
}

}  // namespace intake::fuzz
