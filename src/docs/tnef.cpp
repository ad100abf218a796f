// TNEF (Outlook's winmail.dat) unpacked into the files it carries, through
// libytnef. Run only inside the contained child. Embedded Outlook objects
// (a forwarded .msg inside the TNEF) are not unpacked further.
// ytnef's headers #define WORD, DWORD and friends, so they stay in this file.
// clang-format off
#include <cstddef>
#include <cstdio>
extern "C" {  // ytnef.h has no C++ guard
#include <ytnef.h>
}
// clang-format on

#include <memory>
#include <vector>

#include "base/text.h"
#include "docs/formats.h"

namespace intake::docs {
namespace {

struct TnefOwner {
    TNEFStruct tnef;
    TnefOwner() { TNEFInitialize(&tnef); }
    ~TnefOwner() { TNEFFree(&tnef); }
    TnefOwner(const TnefOwner&) = delete;
    TnefOwner& operator=(const TnefOwner&) = delete;
};

std::string as_string(const variableLength* v) {
    if (v == nullptr || v == MAPI_UNDEFINED || v->data == nullptr || v->size <= 0) return {};
    std::string s(reinterpret_cast<const char*>(v->data), static_cast<std::size_t>(v->size));
    while (!s.empty() && s.back() == '\0') s.pop_back();
    return s;
}

std::string file_name(Attachment* a) {
    // The long name is what the sender saw; the title is the 8.3 fallback.
    std::string name =
        as_string(MAPIFindProperty(&a->MAPI, PROP_TAG(PT_STRING8, PR_ATTACH_LONG_FILENAME)));
    if (name.empty()) {
        const std::string utf16 =
            as_string(MAPIFindProperty(&a->MAPI, PROP_TAG(PT_UNICODE, PR_ATTACH_LONG_FILENAME)));
        if (!utf16.empty()) name = text::to_utf8(utf16, "UTF-16LE");
        while (!name.empty() && name.back() == '\0') name.pop_back();
    }
    if (name.empty()) name = as_string(&a->Title);
    // TNEF's 8-bit strings are in the sender's ANSI code page, not UTF-8.
    return text::valid_utf8(name) == name ? name : text::to_utf8(name, "windows-1252");
}

std::string media_type(Attachment* a) {
    std::string type =
        as_string(MAPIFindProperty(&a->MAPI, PROP_TAG(PT_STRING8, PR_ATTACH_MIME_TAG)));
    return type.empty() ? "application/octet-stream" : text::ascii_lower(type);
}

}  // namespace

std::vector<mime::Attachment> read_tnef(std::string_view bytes, const ExtractLimits& limits) {
    std::vector<mime::Attachment> files;
    std::vector<BYTE> copy(bytes.begin(), bytes.end());  // libytnef wants a mutable buffer
    TnefOwner owner;
    owner.tnef.Debug = 0;
    if (TNEFParseMemory(copy.data(), static_cast<long>(copy.size()), &owner.tnef) != 0) {
        return files;
    }
    std::size_t total = 0;
    for (Attachment* a = owner.tnef.starting_attach.next; a != nullptr; a = a->next) {
        variableLength* data = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_OBJECT, PR_ATTACH_DATA_OBJ));
        if (data != MAPI_UNDEFINED) continue;  // an embedded Outlook object, not a file
        if (a->FileData.data == nullptr || a->FileData.size <= 0) continue;
        std::string content(reinterpret_cast<const char*>(a->FileData.data),
                            static_cast<std::size_t>(a->FileData.size));
        total += content.size();
        if (total > limits.max_archive_bytes) break;
        mime::Attachment file;
        file.file_name = file_name(a);
        file.media_type = media_type(a);
        file.content = std::move(content);
        files.push_back(std::move(file));
    }
    return files;
}

}  // namespace intake::docs
