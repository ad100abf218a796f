// PDF text through poppler-cpp. Run only inside the contained child.
// A locked PDF (a user password) is "encrypted"; a PDF with pages but no text
// and with image objects is a scan ("scanned"), which only OCR could read.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <climits>
#include <memory>

#include "docs/formats.h"

namespace intake::docs {
namespace {

// CVs and letters are a few pages; a 500-page PDF is not read to its end.
constexpr int kMaxPages = 40;

void quiet(const std::string&, void*) {}  // poppler's complaints about broken files

bool has_text(const std::string& s) {
    std::size_t letters = 0;
    for (char c : s) {
        if (!std::isspace(static_cast<unsigned char>(c))) ++letters;
    }
    return letters >= 20;
}

}  // namespace

PdfTablesHeld::PdfTablesHeld(std::string_view pdf) {
    poppler::set_debug_error_function(quiet, nullptr);
    if (pdf.size() <= static_cast<std::size_t>(INT_MAX)) {
        // Not copied: poppler reads the bytes in place for as long as it is open.
        open_.reset(
            poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
    }
}

PdfTablesHeld::~PdfTablesHeld() = default;

Text read_pdf(std::string_view bytes) {
    poppler::set_debug_error_function(quiet, nullptr);
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        return failed(TextStatus::unreadable, "the PDF is too large");
    }
    std::unique_ptr<poppler::document> doc(
        poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
    if (!doc) return failed(TextStatus::unreadable, "the PDF is damaged");
    if (doc->is_locked()) return failed(TextStatus::encrypted, "the PDF asks for a password");
    Text t;
    const int pages = std::min(doc->pages(), kMaxPages);
    for (int i = 0; i < pages; ++i) {
        std::unique_ptr<poppler::page> page(doc->create_page(i));
        if (!page) continue;
        // The physical layout keeps a table's row on one line ("2019 - 2021",
        // a gap, "Project officer"), as CVs pair dates with roles; reading order
        // would give the column of dates, then the column of roles. A sidebar's
        // lines come beside the main column's, apart by a run of spaces.
        const auto utf8 = page->text(poppler::rectf(), poppler::page::physical_layout).to_utf8();
        t.text.append(utf8.begin(), utf8.end());
        t.text += '\n';
    }
    if (has_text(t.text)) {
        t.status = TextStatus::ok;
        t.method = TextMethod::embedded;
        return t;
    }
    // Image XObjects are streams, and a stream's dictionary is never compressed
    // into an object stream, so "/Image" is visible in the raw bytes.
    if (doc->pages() > 0 && bytes.find("/Image") != std::string_view::npos) {
        return failed(TextStatus::scanned, "a scanned PDF: pages of images, no text");
    }
    return failed(TextStatus::unreadable, "the PDF holds no text");
}

}  // namespace intake::docs
