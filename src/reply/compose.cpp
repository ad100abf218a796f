#include <array>
#include <ctime>
#include <sstream>

#include "base/errors.h"
#include "base/text.h"
#include "reply/reply.h"

namespace intake::reply {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool is_ascii(std::string_view s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

/// RFC 2047 B-encoding of UTF-8 text, in words short enough for 76-column lines,
/// never splitting a UTF-8 sequence.
std::string encode_word(std::string_view value) {
    if (is_ascii(value)) return std::string(value);
    static constexpr char kB64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    auto base64 = [](std::string_view chunk) {
        std::string out;
        for (std::size_t i = 0; i < chunk.size(); i += 3) {
            unsigned n = static_cast<unsigned char>(chunk[i]) << 16;
            if (i + 1 < chunk.size()) n |= static_cast<unsigned char>(chunk[i + 1]) << 8;
            if (i + 2 < chunk.size()) n |= static_cast<unsigned char>(chunk[i + 2]);
            out += kB64[(n >> 18) & 63];
            out += kB64[(n >> 12) & 63];
            out += i + 1 < chunk.size() ? kB64[(n >> 6) & 63] : '=';
            out += i + 2 < chunk.size() ? kB64[n & 63] : '=';
        }
        return out;
    };
    std::string out;
    constexpr std::size_t kChunk = 39;  // 52 base64 characters + 12 of framing
    std::size_t start = 0;
    while (start < value.size()) {
        std::size_t end = std::min(start + kChunk, value.size());
        while (end < value.size() && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(value.substr(start, end - start)) + "?=";
        start = end;
    }
    return out;
}

/// Quoted-printable (RFC 2045 §6.7) of UTF-8 text with CRLF line ends.
std::string quoted_printable(std::string_view body) {
    std::string out;
    std::size_t column = 0;
    auto emit = [&](std::string_view piece) {
        if (column + piece.size() > 75) {
            out += "=\r\n";
            column = 0;
        }
        out += piece;
        column += piece.size();
    };
    for (std::size_t i = 0; i < body.size(); ++i) {
        const auto c = static_cast<unsigned char>(body[i]);
        if (c == '\r') continue;
        if (c == '\n') {
            out += kCrlf;
            column = 0;
            continue;
        }
        const bool line_end = i + 1 == body.size() || body[i + 1] == '\n' || body[i + 1] == '\r';
        const bool literal =
            (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end);
        // A line starting with "." or "From " survives every relay when encoded.
        const bool risky_start =
            column == 0 && (c == '.' || (c == 'F' && body.substr(i, 5) == "From "));
        if (literal && !risky_start) {
            emit(std::string_view(&body[i], 1));
        } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            const char escaped[] = {'=', kHex[c >> 4], kHex[c & 15]};
            emit(std::string_view(escaped, 3));
        }
    }
    return out;
}

std::string rfc5322_date(std::chrono::system_clock::time_point now) {
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 64> buffer{};
    std::strftime(buffer.data(), buffer.size(), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buffer.data();
}

std::string domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string("localhost")
                                        : std::string(address.substr(at + 1));
}

std::string mailbox_header(std::string_view name, std::string_view address) {
    if (name.empty()) return std::string(address);
    std::string display = is_ascii(name) ? "\"" + std::string(name) + "\"" : encode_word(name);
    return display + " <" + std::string(address) + ">";
}

/// Header values come from mail and config: a CR or LF would start a new header.
std::string one_line(std::string_view value) {
    std::string out(value);
    for (char& c : out) {
        if (c == '\r' || c == '\n') c = ' ';
    }
    return out;
}

std::string feedback_text(const record::Application& app, const config::Organisation& org) {
    if (!app.feedback) return {};
    const auto phrases = org.phrases.find(app.acknowledgement.language);
    auto phrase = [&](const std::string& code) {
        if (phrases == org.phrases.end()) return std::string{};
        const auto it = phrases->second.find(code);
        return it == phrases->second.end() ? std::string{} : it->second;
    };
    std::string out;
    auto section = [&](const char* heading, const std::vector<record::FeedbackItem>& items) {
        if (items.empty()) return;
        out += phrase(heading) + "\n";
        for (const auto& item : items) out += "- " + item.text + "\n";
        out += "\n";
    };
    section("strengths_heading", app.feedback->strengths);
    section("weaknesses_heading", app.feedback->weaknesses);
    if (out.empty()) out = phrase("no_feedback") + "\n";
    return text::trim(out);
}

std::string fill(std::string_view pattern, const std::map<std::string, std::string>& values) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {
            out += c;  // "{{" and "}}" are literal braces
            ++i;
            continue;
        }
        if (c == '{') {
            const auto close = pattern.find('}', i);
            if (close != std::string_view::npos) {
                const auto it = values.find(std::string(pattern.substr(i + 1, close - i - 1)));
                if (it != values.end()) {
                    out += it->second;
                    i = close;
                    continue;
                }
            }
        }
        out += c;
    }
    return out;
}

}  // namespace

config::ReplyCase reply_case(const record::Application& application) {
    if (application.posting == config::kUnsorted) return config::ReplyCase::unsorted;
    if (application.deadline.status == "late") return config::ReplyCase::late;
    return config::ReplyCase::received;
}

Text render(const record::Application& app, const config::Organisation& org,
            const config::Posting& posting) {
    const auto key = std::make_pair(app.acknowledgement.language, reply_case(app));
    const auto it = org.templates.find(key);
    if (it == org.templates.end()) {
        throw InternalError("no " + std::string(config::to_string(key.second)) + " template in '" +
                            key.first + "' for " + org.id);
    }
    const std::map<std::string, std::string> values = {
        {"applicant_name", app.applicant.name},
        {"posting_title", posting.title(app.acknowledgement.language)},
        {"organisation_name", org.name},
        {"deadline", posting.deadline ? posting.deadline->text.substr(0, 10) : std::string{}},
        {"feedback", feedback_text(app, org)},
        {"received_date", app.received_at.substr(0, 10)},
    };
    return {one_line(fill(it->second.subject, values)), fill(it->second.body, values)};
}

Text render_too_large(const config::Organisation& org, const std::string& language,
                      std::string_view applicant_name, std::string_view received_date,
                      std::uint64_t limit_bytes) {
    const auto it = org.templates.find({language, config::ReplyCase::too_large});
    if (it == org.templates.end())
        throw InternalError("no too_large template in '" + language + "' for " + org.id);
    const std::map<std::string, std::string> values = {
        {"applicant_name", std::string(applicant_name)},
        {"organisation_name", org.name},
        {"received_date", std::string(received_date.substr(0, 10))},
        {"size_limit", human_size(limit_bytes)},
        {"posting_title", ""},
        {"deadline", ""},
        {"feedback", ""},
    };
    return {one_line(fill(it->second.subject, values)), fill(it->second.body, values)};
}

std::string human_size(std::uint64_t bytes) {
    constexpr std::uint64_t kKilo = 1024, kMega = kKilo * 1024;
    if (bytes < kMega) return std::to_string((bytes + kKilo - 1) / kKilo) + " KB";
    // One decimal, dropped when it is zero: 50 MB, 1.5 MB.
    const std::uint64_t tenths = (bytes * 10 + kMega / 2) / kMega;
    std::string text = std::to_string(tenths / 10);
    if (tenths % 10 != 0) text += "." + std::to_string(tenths % 10);
    return text + " MB";
}

std::string reply_message_id(std::string_view application_id, const config::Organisation& org) {
    return "<ack." + std::string(application_id) + "@" + domain_of(org.address) + ">";
}

std::vector<std::string> acknowledgement_ids(std::string_view text,
                                             const config::Organisation& organisation) {
    const std::string domain = text::ascii_lower(domain_of(organisation.address));
    const std::string suffix = "@" + domain + ">";
    std::vector<std::string> ids;
    const std::string lower = text::ascii_lower(text);
    for (std::size_t at = lower.find("<ack."); at != std::string::npos;
         at = lower.find("<ack.", at + 1)) {
        const std::size_t end = lower.find('>', at);
        if (end == std::string::npos) break;
        const std::string_view candidate = std::string_view(lower).substr(at, end + 1 - at);
        if (!candidate.ends_with(suffix) || candidate.size() <= 5 + suffix.size()) continue;
        // Original case: application ids are lower case, but take what was sent.
        ids.emplace_back(text.substr(at + 5, end + 1 - at - 5 - suffix.size()));
    }
    return ids;
}

std::string compose(const Text& text, const config::Organisation& org, const std::string& to,
                    const ThreadInfo& thread, std::string_view reply_id,
                    std::chrono::system_clock::time_point now) {
    std::ostringstream mail;
    mail << "From: " << mailbox_header(one_line(org.name), org.address) << kCrlf;
    mail << "To: " << one_line(to) << kCrlf;
    mail << "Subject: " << encode_word(one_line(text.subject)) << kCrlf;
    mail << "Date: " << rfc5322_date(now) << kCrlf;
    mail << "Message-ID: " << reply_id << kCrlf;
    if (!thread.message_id.empty()) {
        // RFC 5322 §3.6.4: References is the parent's References plus its Message-ID.
        const std::string parent = one_line(thread.message_id);
        const std::string refs = one_line(thread.references);
        mail << "In-Reply-To: " << parent << kCrlf;
        mail << "References: " << (refs.empty() ? parent : refs + "\r\n " + parent) << kCrlf;
    }
    mail << "Auto-Submitted: auto-replied" << kCrlf;   // RFC 3834 §5
    mail << "X-Auto-Response-Suppress: All" << kCrlf;  // Exchange: no out-of-office back
    mail << "MIME-Version: 1.0" << kCrlf;
    mail << "Content-Type: text/plain; charset=UTF-8" << kCrlf;
    mail << "Content-Transfer-Encoding: quoted-printable" << kCrlf;
    mail << kCrlf << quoted_printable(text.body);
    std::string out = mail.str();
    if (!out.ends_with(kCrlf)) out += kCrlf;
    return out;
}

}  // namespace intake::reply
