#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

#include "base/text.h"
#include "store/store.h"

namespace intake::store {
namespace {

constexpr std::array kReservedWindowsNames = {
    "con",  "prn",  "aux",  "nul",  "com1", "com2", "com3", "com4", "com5", "com6", "com7",
    "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9"};

// Names the folder itself uses; a sender's attachment may not take them.
constexpr std::array kFolderOwnNames = {"message.eml", "application.json", "reason.txt"};

/// Cuts to at most max_bytes without splitting a UTF-8 sequence.
std::string utf8_prefix(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return std::string(s);
    std::size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    return std::string(s.substr(0, end));
}

/// "pdf" from "cv.PDF"; empty when the name has no sensible extension.
std::string extension_of(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot + 1 >= name.size()) return {};
    std::string ext = text::ascii_lower(name.substr(dot + 1));
    const bool plain = ext.size() <= 8 && std::all_of(ext.begin(), ext.end(), [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c));
                       });
    return plain ? ext : std::string{};
}

std::string extension_for(std::string_view media_type) {
    static const std::map<std::string, std::string, std::less<>> kByType = {
        {"application/pdf", "pdf"},
        {"application/msword", "doc"},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
        {"application/vnd.oasis.opendocument.text", "odt"},
        {"application/rtf", "rtf"},
        {"text/plain", "txt"},
        {"text/html", "html"},
        {"image/jpeg", "jpg"},
        {"image/png", "png"},
    };
    const auto it = kByType.find(media_type);
    return it == kByType.end() ? std::string("bin") : it->second;
}

std::string with_counter(const std::string& name, int n) {
    if (n == 1) return name;
    const auto dot = name.rfind('.');
    const std::string suffix = " (" + std::to_string(n) + ")";
    if (dot == std::string::npos || dot == 0) return name + suffix;
    return name.substr(0, dot) + suffix + name.substr(dot);
}

}  // namespace

std::string safe_name(std::string_view name, std::size_t max_bytes) {
    std::string cleaned = text::nfc(text::valid_utf8(name));
    // Separators and characters Windows shares refuse become '_'; controls go.
    std::string out;
    for (char c : cleaned) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) continue;
        const bool forbidden = c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' ||
                               c == '"' || c == '<' || c == '>' || c == '|';
        out += forbidden ? '_' : c;
    }
    // Leading dots would hide the file or climb ("..", ".ssh"); trailing dots and
    // spaces are dropped by Windows.
    const auto first = out.find_first_not_of(". ");
    out = first == std::string::npos ? std::string{} : out.substr(first);
    while (!out.empty() && (out.back() == '.' || out.back() == ' ')) out.pop_back();
    if (out.empty()) out = "attachment";
    const std::string stem = text::ascii_lower(out.substr(0, out.find('.')));
    if (std::find(kReservedWindowsNames.begin(), kReservedWindowsNames.end(), stem) !=
        kReservedWindowsNames.end()) {
        out = "_" + out;
    }
    if (out.size() > max_bytes) {
        // Keep the extension: HR opens files by it.
        const std::string ext = extension_of(out);
        const std::size_t keep = ext.empty() ? max_bytes : max_bytes - ext.size() - 1;
        out = utf8_prefix(out, keep) + (ext.empty() ? "" : "." + ext);
    }
    return out;
}

std::string slug(std::string_view name) {
    const std::string folded = text::fold(name);
    std::string out;
    for (char c : folded) {
        if (std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80) {
            out += c;
        } else if (!out.empty() && out.back() != '-') {
            out += '-';
        }
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    if (out.size() > 40) out.resize(40);
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.empty() ? std::string("applicant") : out;
}

std::string application_id(std::chrono::sys_seconds received_at, std::string_view applicant_name,
                           std::string_view short_id) {
    const auto day =
        std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(received_at));
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(day.year()),
                  static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
    return std::string(date) + "_" + slug(applicant_name) + "_" + std::string(short_id);
}

std::vector<std::string> document_file_names(const std::vector<DocumentToName>& documents,
                                             std::string_view applicant_name) {
    const std::string person =
        safe_name(applicant_name.empty() ? "Applicant" : applicant_name, 120);
    std::set<std::string> taken(kFolderOwnNames.begin(), kFolderOwnNames.end());
    std::vector<std::string> names;
    for (const auto& d : documents) {
        std::string ext = d.source == "body" ? "txt" : extension_of(d.original_name);
        if (ext.empty()) ext = extension_for(d.media_type);
        std::string base;
        if (d.role == "cv") {
            base = "CV - " + person + "." + ext;
        } else if (d.role == "cover_letter") {
            base = "Cover letter - " + person + "." + ext;
        } else {
            base = safe_name(d.original_name.empty() ? "attachment." + ext : d.original_name, 240);
        }
        std::string candidate = base;
        for (int n = 2; taken.contains(text::ascii_lower(candidate)); ++n) {
            candidate = with_counter(base, n);
        }
        taken.insert(text::ascii_lower(candidate));
        names.push_back(candidate);
    }
    return names;
}

}  // namespace intake::store
