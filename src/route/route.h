#pragma once
// Routing: which of an organisation's postings a mail is for, from its subject, or
// from its body when the subject names none (spec §2, §5.3). Pure: no I/O, no state.
// Subjects are compared as word sequences after stripping reply/forward prefixes and
// folding case, accents and punctuation, with small typos allowed in long words. A
// mail that names nothing, names several postings in its body, or is an automatic
// reply or a bounce goes to the organisation's "unsorted" posting — an ordinary
// outcome, never an error.
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"

namespace intake::route {

struct RouteDecision {
    std::string posting_id;  ///< a posting of the organisation, or "unsorted"
    std::string by;          ///< "subject", "body" or "none" (then posting_id is "unsorted")
    std::string alias;       ///< the title or alias that matched, as written in the config
    int distance = 0;        ///< summed edit distance of the match (0 for "body" and "none")
};

/// Routes the mails of one organisation, whose postings' titles and aliases it
/// folds into words once, not for every mail. It points into `org`, which must
/// outlive it. Never changed once made, it routes on several threads at once.
class Router {
public:
    explicit Router(const config::Organisation& org);
    ~Router();
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;

    /// Decides the posting of one mail. body_text is the readable body (text/plain,
    /// or HTML reduced to text); only its first 64 KiB are read.
    RouteDecision route(std::string_view subject, std::string_view body_text) const;

private:
    struct Phrases;
    std::unique_ptr<const Phrases> phrases_;
};

/// Decides the posting of one mail of `org` (Router::route, for a single mail).
RouteDecision route(std::string_view subject, std::string_view body_text,
                    const config::Organisation& org);

/// The subject as routing sees it: reply/forward/auto-reply prefixes and "[EXTERNAL]"-style
/// tags stripped, case and accents folded, punctuation removed, words joined by single
/// spaces. "TR: Chargé de projet – Égalité" -> "charge de projet egalite".
std::string normalise_subject(std::string_view subject);

}  // namespace intake::route
