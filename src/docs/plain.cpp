// Plain text in whatever charset the sender's editor used: valid UTF-8 is taken
// as it is; anything else is guessed by uchardet and converted with ICU.
#include <uchardet/uchardet.h>

#include <memory>

#include "base/text.h"
#include "docs/formats.h"

namespace intake::docs {
namespace {

struct UchardetDeleter {
    void operator()(uchardet_t u) const { uchardet_delete(u); }
};

bool is_utf8(std::string_view bytes) { return text::valid_utf8(bytes) == bytes; }

}  // namespace

Text read_plain(std::string_view bytes) {
    Text t;
    t.status = TextStatus::ok;
    t.method = TextMethod::embedded;
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    if (is_utf8(bytes)) {
        t.text = std::string(bytes);
        return t;
    }
    std::unique_ptr<std::remove_pointer_t<uchardet_t>, UchardetDeleter> detector(uchardet_new());
    std::string charset;
    if (detector && uchardet_handle_data(detector.get(), bytes.data(), bytes.size()) == 0) {
        uchardet_data_end(detector.get());
        charset = uchardet_get_charset(detector.get());
    }
    // An empty guess reads as Windows-1252, the usual charset of unlabelled mail text.
    t.text = text::to_utf8(bytes, charset.empty() ? "windows-1252" : charset);
    return t;
}

}  // namespace intake::docs
