#include "imap/idle_protocol.h"

#include <algorithm>
#include <cctype>

#include "base/errors.h"

namespace intake::imap {

namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

/// The size of the literal announced at the end of `line` ("{12}" or "{12+}").
std::optional<std::size_t> literal_size(std::string_view line) {
    if (line.empty() || line.back() != '}') return std::nullopt;
    const std::size_t open = line.rfind('{');
    if (open == std::string_view::npos) return std::nullopt;
    std::string_view digits = line.substr(open + 1, line.size() - open - 2);
    if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
    if (!all_digits(digits) || digits.size() > 9) return std::nullopt;
    return static_cast<std::size_t>(std::stoul(std::string(digits)));
}

std::pair<std::string_view, std::string_view> next_word(std::string_view s) {
    const std::size_t space = s.find(' ');
    if (space == std::string_view::npos) return {s, {}};
    return {s.substr(0, space), s.substr(space + 1)};
}

}  // namespace

void ResponseBuffer::append(std::string_view bytes) { data_.append(bytes); }

std::optional<std::string> ResponseBuffer::next() {
    // Walk line by line; a line ending in a literal marker swallows that many bytes
    // and the response goes on with the following line.
    std::size_t at = 0;
    for (;;) {
        const std::size_t end = data_.find("\r\n", at);
        if (end == std::string::npos) break;
        const std::optional<std::size_t> literal =
            literal_size(std::string_view(data_).substr(at, end - at));
        if (!literal) {
            std::string response = data_.substr(0, end);
            data_.erase(0, end + 2);
            return response;
        }
        at = end + 2 + *literal;
        if (at > data_.size() || at > max_response_) break;
    }
    if (data_.size() > max_response_) {
        throw TransientError("IMAP server sent a response of more than " +
                                 std::to_string(max_response_) + " bytes while idling",
                             "intake reconnects; if it persists, check the server");
    }
    return std::nullopt;
}

IdleEvent classify_response(std::string_view line) {
    IdleEvent event;
    const auto [first, rest] = next_word(line);
    if (first == "+") {
        event.kind = IdleEvent::Kind::continuation;
        return event;
    }
    if (first == "*") {
        const auto [second, after] = next_word(rest);
        const std::string keyword = upper(next_word(after).first);
        // EXISTS grows with new mail (expunges shrink the count implicitly, RFC 3501
        // §7.4.1); a non-zero RECENT says the same. "* 0 RECENT" after our own
        // moves is no news.
        if (all_digits(second) &&
            (keyword == "EXISTS" ||
             (keyword == "RECENT" && second.find_first_not_of('0') != std::string_view::npos))) {
            event.kind = IdleEvent::Kind::new_mail;
        } else if (upper(second) == "BYE") {
            event.kind = IdleEvent::Kind::bye;
        }
        return event;
    }
    const std::string status = upper(next_word(rest).first);
    if (!first.empty() && (status == "OK" || status == "NO" || status == "BAD")) {
        event.kind = IdleEvent::Kind::tagged;
        event.tag = std::string(first);
        event.status = status;
    }
    return event;
}

}  // namespace intake::imap
