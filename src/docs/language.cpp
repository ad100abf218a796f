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
// A page of text names its language as surely as ten, and cld2's time grows
// with the length: a CV's first pages decide (cut where a character starts).
constexpr std::size_t kMaxBytes = 6 * 1024;

std::string_view first_part(std::string_view text) {
    if (text.size() <= kMaxBytes) return text;
    std::size_t end = kMaxBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}
}  // namespace

std::optional<std::string> detect_language(std::string_view whole_text) {
    if (whole_text.size() < kMinBytes) return std::nullopt;
    const std::string_view text = first_part(whole_text);
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
