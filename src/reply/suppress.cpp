#include <algorithm>
#include <array>

#include "base/text.h"
#include "reply/reply.h"

namespace intake::reply {
namespace {

bool plausible_address(std::string_view address) {
    const auto at = address.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= address.size()) return false;
    if (address.find('@', at + 1) != std::string_view::npos) return false;
    if (address.size() > 254) return false;
    // No white space, controls or characters that could break a header or an
    // SMTP command: this address goes into To: and RCPT TO.
    return std::none_of(address.begin(), address.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' ||
               c == '(' || c == ')' || c == '\\' || c == '[' || c == ']';
    });
}

std::string local_part(std::string_view address) {
    return text::ascii_lower(address.substr(0, address.find('@')));
}

bool is_robot_sender(std::string_view address) {
    const std::string local = local_part(address);
    return local == "mailer-daemon" || local == "postmaster";
}

bool is_no_reply(std::string_view address) {
    std::string local = local_part(address);
    std::erase_if(local, [](char c) { return c == '-' || c == '_' || c == '.'; });
    return local == "noreply" || local == "donotreply" || local == "nereplypas" ||
           local.starts_with("noreply") || local.starts_with("donotreply");
}

bool auto_submitted(const mime::ParsedMessage& message) {
    const auto value = message.header("Auto-Submitted");
    if (!value) return false;
    // RFC 3834 §5: anything but "no" (parameters after ';' do not count).
    std::string keyword = text::ascii_lower(text::trim(value->substr(0, value->find(';'))));
    return keyword != "no";
}

/// Vacation programs that predate RFC 3834 mark themselves in headers of their own.
bool autoresponder_headers(const mime::ParsedMessage& message) {
    constexpr std::array<std::string_view, 5> names = {"X-Auto-Response-Suppress", "X-Autoreply",
                                                       "X-Autorespond", "X-Autoresponder",
                                                       "X-Auto-Reply"};
    return std::any_of(names.begin(), names.end(),
                       [&](std::string_view name) { return message.header(name).has_value(); });
}

/// Out-of-office subjects of the common mail programs, in the organisations'
/// languages, for the responders that set no header at all.
bool autoreply_subject(const mime::ParsedMessage& message) {
    const std::string subject = text::ascii_lower(text::trim(message.subject));
    constexpr std::array<std::string_view, 8> prefixes = {
        "automatic reply:",    "auto:",
        "autoreply:",          "out of office",
        "réponse automatique", "respuesta automática",
        "resposta automática", "abwesenheitsnotiz"};
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](std::string_view prefix) { return subject.starts_with(prefix); });
}

/// A message that answers one of our acknowledgements: its In-Reply-To or
/// References names an id of ours ("<ack.…@organisation's domain>"). Answering it
/// would start a loop with whatever robot sent it.
bool answers_our_reply(const mime::ParsedMessage& message,
                       const config::Organisation& organisation) {
    for (const char* name : {"In-Reply-To", "References"}) {
        const auto value = message.header(name);
        if (value && !acknowledgement_ids(*value, organisation).empty()) return true;
    }
    return false;
}

bool is_own_address(std::string_view address, const config::Organisation& organisation) {
    const std::string lower = text::ascii_lower(text::trim(address));
    const auto& own = organisation.own_addresses;
    return !lower.empty() && (lower == text::ascii_lower(organisation.address) ||
                              std::find(own.begin(), own.end(), lower) != own.end());
}

bool bulk_precedence(const mime::ParsedMessage& message) {
    const auto value = message.header("Precedence");
    if (!value) return false;
    const std::string p = text::ascii_lower(text::trim(*value));
    return p == "bulk" || p == "junk" || p == "list";
}

bool null_return_path(const mime::ParsedMessage& message) {
    const auto value = message.header("Return-Path");
    if (!value) return false;
    std::string path = text::trim(*value);
    std::erase_if(path, [](char c) { return c == ' ' || c == '\t'; });
    return path == "<>" || path.empty();
}

}  // namespace

std::string reply_address(const mime::ParsedMessage& message) {
    const std::string& candidate = message.reply_to && !message.reply_to->address.empty()
                                       ? message.reply_to->address
                                       : message.from.address;
    const std::string address = text::trim(candidate);
    if (!plausible_address(address)) return {};
    const auto at = address.find('@');
    return address.substr(0, at + 1) + text::ascii_lower(address.substr(at + 1));
}

std::optional<std::string> suppression_reason(const mime::ParsedMessage& message,
                                              const config::Organisation& organisation) {
    const std::string to = reply_address(message);
    if (message.content_type == "multipart/report" || null_return_path(message) ||
        is_robot_sender(message.from.address)) {
        return std::string(reason::kBounce);
    }
    if (auto_submitted(message) || autoresponder_headers(message) || autoreply_subject(message) ||
        answers_our_reply(message, organisation)) {
        return std::string(reason::kAutoReply);
    }
    if (bulk_precedence(message) || message.header("List-Id") ||
        message.header("List-Unsubscribe") || message.header("List-Post")) {
        return std::string(reason::kMailingList);
    }
    if (to.empty()) return std::string(reason::kInvalidAddress);
    if (is_no_reply(to) || is_no_reply(message.from.address)) return std::string(reason::kNoReply);
    // Whichever of From and Reply-To claims to be us: a spoof, or our own mail
    // come back; answering it would mail ourselves.
    if (is_own_address(to, organisation) || is_own_address(message.from.address, organisation)) {
        return std::string(reason::kOwnAddress);
    }
    return std::nullopt;
}

std::string choose_language(const std::optional<std::string>& detected,
                            const config::Organisation& organisation) {
    if (detected && organisation.offers_language(*detected)) return *detected;
    return "en";
}

}  // namespace intake::reply
