#pragma once
// Private to src/docs: one reader per document format, each run inside the
// contained child (sandbox.cpp) and never in the daemon itself. Each takes the
// document's bytes and returns what it could read; none throws for a damaged file.
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "docs/docs.h"

namespace poppler {
class document;
}

namespace intake::docs {

enum class Format { pdf, zip, cfb, rtf, plain, tnef, image, other };

/// The format the bytes are in, by their magic number first, then by name and type.
Format sniff(std::string_view bytes, std::string_view file_name, std::string_view media_type);

Text read_pdf(std::string_view bytes);

/// poppler builds its global tables (fonts, encodings, the maps under
/// /usr/share/poppler) when a process opens its first PDF, and frees them when
/// its last one closes. Held open by the reader service, one PDF of ours keeps
/// them built there once, for every child to inherit, instead of built and freed
/// again for each PDF in each child: a third of the time a child took to read a
/// PDF of the bench corpus. `pdf` must outlive this.
class PdfTablesHeld {
public:
    explicit PdfTablesHeld(std::string_view pdf);
    ~PdfTablesHeld();
    PdfTablesHeld(const PdfTablesHeld&) = delete;
    PdfTablesHeld& operator=(const PdfTablesHeld&) = delete;

private:
    std::unique_ptr<poppler::document> open_;
};

/// DOCX, ODT (and macro detection in other Office zip files), with bounded expansion.
Text read_office_zip(std::string_view bytes, std::string_view file_name,
                     const ExtractLimits& limits);
/// A Compound File (legacy .doc/.xls, or an encrypted OOXML file wrapped in one).
Text read_compound_file(std::string_view bytes);
/// Plain text in any charset: UTF-8 as is, else uchardet's guess converted with ICU.
Text read_plain(std::string_view bytes);
std::vector<mime::Attachment> read_tnef(std::string_view bytes, const ExtractLimits& limits);

/// Text with the reason it could not be read.
inline Text failed(TextStatus status, std::string detail) {
    Text t;
    t.status = status;
    t.detail = std::move(detail);
    return t;
}

/// What the contained child runs for a job: its answer, as read_text and
/// unpack_tnef decode it.
std::string perform(Job job, std::string_view bytes, std::string_view file_name,
                    std::string_view media_type, const ExtractLimits& limits);

/// Reads the `count` numbers of a header line "a b c\n" from `in` and advances it
/// past the line; false when the line is missing or malformed.
bool read_numbers(std::string_view& in, std::size_t* values, std::size_t count);

/// A file as the reader service's jobs and the TNEF job pass it along:
/// "<name bytes> <type bytes> <content bytes>\n", then the three.
struct FramedFile {
    std::string_view name;
    std::string_view media_type;
    std::string_view content;
};

/// The first line of a file's frame.
std::string frame_header(const FramedFile& file);

/// Takes the next whole framed file off the front of `in`; false when there is none.
bool take_framed_file(std::string_view& in, FramedFile& file);

/// What the reader service reads once at start, one document of each kind a child
/// reads ({bytes, file name}), so that every child inherits warmed parsers.
std::span<const std::pair<std::string_view, std::string_view>> warm_up_documents();

/// Runs `job` in a forked child with the limits; returns its output, or nullopt and
/// sets `failure` when it crashed, ran out of time or memory, or said too much.
std::optional<std::string> run_contained(const std::function<std::string()>& job,
                                         const ExtractLimits& limits, std::size_t max_output,
                                         std::string& failure);

}  // namespace intake::docs
