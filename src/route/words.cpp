// Words and subject prefixes. Prefixes are recognised as words before a colon
// ("RE :", "Re[2]:", "Réf. :", "Delivery Status Notification (Failure):"), so the same
// folding that compares subjects also recognises them in every language and spacing.
#include "route/words.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <optional>

#include "base/text.h"
#include "route/route.h"

namespace intake::route {
namespace {

// Reply and forward markers of the common mail clients: English, French (TR, Réf),
// German (AW, WG), Spanish (RV), Portuguese (Enc, Res), Dutch (Antw, Doorst),
// Scandinavian (SV, VS, VL), Polish (Odp), Italian (Rif).
const std::vector<std::string> kReplyPrefixes = {"re", "fw",   "fwd",    "tr",  "aw",  "wg",
                                                 "rv", "enc",  "res",    "ref", "sv",  "vs",
                                                 "vl", "antw", "doorst", "odp", "rif", "wtr"};

// Out-of-office replies and delivery failures. They quote the mail they answer, so a
// posting's name in them says nothing about an application: they go to unsorted.
const std::vector<std::string> kAutomaticPrefixes = {"automatic reply",
                                                     "auto reply",
                                                     "autoreply",
                                                     "auto response",
                                                     "out of office",
                                                     "out of office reply",
                                                     "out of office autoreply",
                                                     "reponse automatique",
                                                     "respuesta automatica",
                                                     "resposta automatica",
                                                     "automatische antwort",
                                                     "abwesenheitsnotiz",
                                                     "automatisch antwoord",
                                                     "risposta automatica",
                                                     "undeliverable",
                                                     "undelivered mail returned to sender",
                                                     "undelivered mail",
                                                     "mail delivery failed",
                                                     "mail delivery failure",
                                                     "delivery failure",
                                                     "delivery status notification",
                                                     "delivery status notification failure",
                                                     "delivery status notification delay",
                                                     "returned mail",
                                                     "failure notice",
                                                     "non remis",
                                                     "non distribuable",
                                                     "unzustellbar",
                                                     "onbestelbaar",
                                                     "no se puede entregar",
                                                     "nao entregue",
                                                     "mensagem nao entregue",
                                                     "message not delivered"};

// "[EXTERNAL]"-style tags that mail gateways put in front of a subject. Only these
// words are stripped, so a subject like "[Policy Internship] Anna Berg" keeps its title.
const std::vector<std::string> kTagWords = {
    "external",   "ext",       "extern",     "externe", "externo", "spam",
    "possible",   "suspected", "suspicious", "caution", "warning", "phishing",
    "bulk",       "junk",      "email",      "mail",    "message", "sender",
    "unverified", "attention", "securise",   "secure"};

std::string joined(const std::vector<Word>& words, std::size_t from = 0) {
    std::string out;
    for (std::size_t i = from; i < words.size(); ++i)
        out += (out.empty() ? "" : " ") + words[i].text;
    return out;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

bool is_digits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The words before the first colon (ASCII or full-width), if the colon comes early
// enough to end a prefix rather than a sentence.
std::optional<std::size_t> prefix_colon(std::string_view text) {
    std::size_t colon = std::min(text.find(':'), text.find("\xEF\xBC\x9A"));
    if (colon == std::string_view::npos || colon > 60) return std::nullopt;
    return colon;
}

std::string_view after_colon(std::string_view text, std::size_t colon) {
    return text.substr(colon + (text[colon] == ':' ? 1 : 3));
}

// Strips one leading "[TAG]" or "Prefix:"; returns false when there is none.
bool strip_one_prefix(std::string_view& rest, bool& automatic) {
    std::size_t start = rest.find_first_not_of(" \t");
    if (start == std::string_view::npos) return false;
    rest.remove_prefix(start);
    if (rest.front() == '[') {
        std::size_t close = rest.find(']');
        if (close == std::string_view::npos || close > 40) return false;
        auto tag = words_of(rest.substr(1, close - 1));
        bool known = !tag.empty() && std::all_of(tag.begin(), tag.end(), [](const Word& w) {
            return contains(kTagWords, w.text);
        });
        if (known) rest.remove_prefix(close + 1);
        return known;
    }
    auto colon = prefix_colon(rest);
    if (!colon) return false;
    auto head = words_of(rest.substr(0, *colon));
    if (!head.empty() && is_digits(head.back().text)) head.pop_back();  // "Re[2]:"
    std::string phrase = joined(head);
    bool is_reply = contains(kReplyPrefixes, phrase);
    bool is_automatic = contains(kAutomaticPrefixes, phrase);
    if (!is_reply && !is_automatic) return false;
    automatic = automatic || is_automatic;
    rest = after_colon(rest, *colon);
    return true;
}

// A bounce or out-of-office subject without a colon ("Undelivered Mail Returned to
// Sender", "Delivery Status Notification (Failure)") is still automatic.
bool starts_automatic(const std::vector<Word>& words) {
    std::string text = joined(words);
    return std::any_of(
        kAutomaticPrefixes.begin(), kAutomaticPrefixes.end(), [&](const std::string& p) {
            return text.rfind(p, 0) == 0 && (text.size() == p.size() || text[p.size()] == ' ');
        });
}

}  // namespace

std::vector<Word> words_of(std::string_view text) {
    const std::string folded = text::fold(text);
    const auto* bytes = reinterpret_cast<const uint8_t*>(folded.data());
    const auto length = static_cast<int32_t>(folded.size());
    std::vector<Word> words;
    Word current;
    for (int32_t i = 0; i < length;) {
        const int32_t start = i;
        UChar32 c = 0;
        U8_NEXT(bytes, i, length, c);
        if (c >= 0 && u_isalnum(c)) {
            current.text.append(folded, static_cast<std::size_t>(start),
                                static_cast<std::size_t>(i - start));
            current.chars.push_back(static_cast<char32_t>(c));
        } else if (!current.text.empty()) {
            words.push_back(std::move(current));
            current = Word{};
        }
    }
    if (!current.text.empty()) words.push_back(std::move(current));
    return words;
}

SubjectWords subject_words(std::string_view subject) {
    SubjectWords out;
    std::string_view rest = subject;
    while (strip_one_prefix(rest, out.automatic)) {
    }
    out.words = words_of(rest);
    out.automatic = out.automatic || starts_automatic(out.words);
    return out;
}

int allowed_typos(std::size_t length) {
    if (length <= 3) return 0;
    if (length <= 7) return 1;
    return 2;
}

int edit_distance(const std::u32string& a, const std::u32string& b, int limit) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    const auto gap = n > m ? n - m : m - n;
    if (gap > static_cast<std::size_t>(limit)) return limit + 1;
    // Three rows of the dynamic programme: two back is needed for transpositions.
    std::vector<int> before(m + 1), previous(m + 1), row(m + 1);
    for (std::size_t j = 0; j <= m; ++j) previous[j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= n; ++i) {
        row[0] = static_cast<int>(i);
        int best = row[0];
        for (std::size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                row[j] = std::min(row[j], before[j - 2] + 1);
            }
            best = std::min(best, row[j]);
        }
        if (best > limit) return limit + 1;  // every later row is at least as far
        std::swap(before, previous);
        std::swap(previous, row);
    }
    return std::min(previous[m], limit + 1);
}

std::string normalise_subject(std::string_view subject) {
    return joined(subject_words(subject).words);
}

}  // namespace intake::route
