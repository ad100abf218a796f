// cld2's header uses FILE without including <cstdio>, so the order matters.
// clang-format off
#include <cstdio>
#include <cld2/public/compact_lang_det.h>
// clang-format on
#include "docs/docs.h"

namespace intake::docs {
namespace {
// Below this many bytes cld2's guess is noise ("Bonjour, CV attached").
constexpr std::size_t kMinBytes = 40;
}  // namespace

std::optional<std::string> detect_language(std::string_view text) {
    if (text.size() < kMinBytes) return std::nullopt;
    bool reliable = false;
    CLD2::Language top3[3];
    int percent3[3];
    int text_bytes = 0;
    const CLD2::Language language =
        CLD2::DetectLanguageSummary(text.data(), static_cast<int>(text.size()),
                                    /*is_plain_text=*/true, top3, percent3, &text_bytes, &reliable);
    if (language == CLD2::UNKNOWN_LANGUAGE || percent3[0] < 40) return std::nullopt;
    return std::string(CLD2::LanguageCode(language));
}

}  // namespace intake::docs
