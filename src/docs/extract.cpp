// Document text: which format a file is in, and the contained call into the
// readers of formats.h. The child sends its result back through a pipe as a
// short header line and raw bytes, so no text needs escaping.
#include <algorithm>
#include <charconv>
#include <cstring>

#include "base/text.h"
#include "docs/formats.h"

namespace intake::docs {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

std::string extension(std::string_view file_name) {
    const auto dot = file_name.rfind('.');
    if (dot == std::string_view::npos) return {};
    return text::ascii_lower(file_name.substr(dot + 1));
}

// "<status> <method> <detail bytes>\n<detail><text>"
std::string encode(const Text& t) {
    return std::to_string(static_cast<int>(t.status)) + " " +
           std::to_string(static_cast<int>(t.method)) + " " + std::to_string(t.detail.size()) +
           "\n" + t.detail + t.text;
}

/// `job` in a contained child: one of `service` when there is one, else of this process.
std::optional<std::string> contained(Job job, std::string_view bytes, std::string_view file_name,
                                     std::string_view media_type, const ExtractLimits& limits,
                                     std::size_t max_output, std::string& failure,
                                     const ReaderService* service) {
    if (service != nullptr) {
        return service->run(job, bytes, file_name, media_type, limits, max_output, failure);
    }
    return run_contained([&] { return perform(job, bytes, file_name, media_type, limits); }, limits,
                         max_output, failure);
}

std::optional<Text> decode(std::string_view in) {
    std::size_t v[3];
    if (!read_numbers(in, v, 3) || v[0] > static_cast<int>(TextStatus::format) ||
        v[1] > static_cast<int>(TextMethod::ocr) || v[2] > in.size()) {
        return std::nullopt;
    }
    Text t;
    t.status = static_cast<TextStatus>(v[0]);
    t.method = static_cast<TextMethod>(v[1]);
    t.detail = std::string(in.substr(0, v[2]));
    t.text = std::string(in.substr(v[2]));
    return t;
}

/// The Text a contained child's answer holds, or why there is none.
Text text_of(const std::optional<std::string>& output, const std::string& failure) {
    if (!output) return failed(TextStatus::unreadable, failure);
    if (auto t = decode(*output)) return *t;
    return failed(TextStatus::unreadable, "the document reader's answer was garbled");
}

/// Whether reading the text takes a parser, and so a contained child.
bool needs_reader(Format format) {
    return format == Format::pdf || format == Format::zip || format == Format::cfb ||
           format == Format::plain;
}

std::size_t max_output(const ExtractLimits& limits) { return limits.max_text_bytes + 4096; }

}  // namespace

bool read_numbers(std::string_view& in, std::size_t* values, std::size_t count) {
    const auto end = in.find('\n');
    if (end == std::string_view::npos) return false;
    const char* p = in.data();
    const char* last = in.data() + end;
    for (std::size_t i = 0; i < count; ++i) {
        while (p < last && *p == ' ') ++p;
        const auto [next, ec] = std::from_chars(p, last, values[i]);
        if (ec != std::errc()) return false;
        p = next;
    }
    in.remove_prefix(end + 1);
    return true;
}

std::string frame_header(const FramedFile& file) {
    return std::to_string(file.name.size()) + " " + std::to_string(file.media_type.size()) + " " +
           std::to_string(file.content.size()) + "\n";
}

bool take_framed_file(std::string_view& in, FramedFile& file) {
    std::string_view rest = in;
    std::size_t v[3];
    if (!read_numbers(rest, v, 3) || v[0] + v[1] + v[2] > rest.size()) return false;
    file = {rest.substr(0, v[0]), rest.substr(v[0], v[1]), rest.substr(v[0] + v[1], v[2])};
    in = rest.substr(v[0] + v[1] + v[2]);
    return true;
}

std::string_view to_string(TextMethod method) {
    switch (method) {
        case TextMethod::embedded:
            return "embedded";
        case TextMethod::ocr:
            return "ocr";
        case TextMethod::none:
            break;
    }
    return "none";
}

std::string_view to_string(TextStatus status) {
    switch (status) {
        case TextStatus::ok:
            return "ok";
        case TextStatus::encrypted:
            return "encrypted";
        case TextStatus::scanned:
            return "scanned";
        case TextStatus::macro:
            return "macro";
        case TextStatus::unreadable:
            return "unreadable";
        case TextStatus::format:
            break;
    }
    return "format";
}

Format sniff(std::string_view bytes, std::string_view file_name, std::string_view media_type) {
    // Magic numbers first: a name or a declared type is whatever the sender says.
    if (bytes.substr(0, 1024).find("%PDF-") != std::string_view::npos) return Format::pdf;
    if (starts_with(bytes, "PK\x03\x04")) return Format::zip;
    if (starts_with(bytes, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return Format::cfb;
    if (starts_with(bytes, "{\\rtf")) return Format::rtf;
    if (starts_with(bytes, "\x78\x9F\x3E\x22")) return Format::tnef;
    if (starts_with(bytes, "\x89PNG") || starts_with(bytes, "\xFF\xD8\xFF") ||
        starts_with(bytes, "GIF8") || starts_with(bytes, "II*\0") || starts_with(bytes, "MM\0*")) {
        return Format::image;
    }
    const std::string ext = extension(file_name);
    const std::string type = text::ascii_lower(media_type);
    const bool texty = type.starts_with("text/") || ext == "txt" || ext == "text" || ext == "md";
    // Text has no magic number: believe the name or type only for bytes without NULs.
    if (texty && bytes.find('\0') == std::string_view::npos) return Format::plain;
    return Format::other;
}

Text read_text_here(std::string_view bytes, std::string_view file_name, std::string_view media_type,
                    const ExtractLimits& limits) {
    Text t;
    switch (sniff(bytes, file_name, media_type)) {
        case Format::pdf:
            t = read_pdf(bytes);
            break;
        case Format::zip:
            t = read_office_zip(bytes, file_name, limits);
            break;
        case Format::cfb:
            t = read_compound_file(bytes);
            break;
        case Format::plain:
            t = read_plain(bytes);
            break;
        case Format::rtf:
            // No Debian library reads RTF text without running an external program.
            t = failed(TextStatus::format, "RTF text is not read");
            break;
        case Format::image:
            t = failed(TextStatus::format, "an image: its text is not read");
            break;
        case Format::tnef:
        case Format::other:
            t = failed(TextStatus::format, "a format whose text is not read");
            break;
    }
    if (t.text.size() > limits.max_text_bytes) {
        // Cut on a character boundary, so the text stays valid UTF-8.
        std::size_t cut = limits.max_text_bytes;
        while (cut > 0 && (static_cast<unsigned char>(t.text[cut]) & 0xC0) == 0x80) --cut;
        t.text.resize(cut);
    }
    if (!t.text.empty() && t.method == TextMethod::none) t.method = TextMethod::embedded;
    return t;
}

Text read_text(std::string_view bytes, std::string_view file_name, std::string_view media_type,
               const ExtractLimits& limits, const ReaderService* service) {
    if (!needs_reader(sniff(bytes, file_name, media_type))) {
        // Nothing to parse: no need for a child.
        return read_text_here(bytes, file_name, media_type, limits);
    }
    std::string failure;
    const auto output = contained(Job::read_text, bytes, file_name, media_type, limits,
                                  max_output(limits), failure, service);
    return text_of(output, failure);
}

std::vector<Text> read_texts(const std::vector<const mime::Attachment*>& documents,
                             const ExtractLimits& limits, const ReaderService* service) {
    std::vector<Text> texts(documents.size());
    std::vector<ReaderService::Input> to_read;
    std::vector<std::size_t> read_into;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        const mime::Attachment& a = *documents[i];
        if (service != nullptr && needs_reader(sniff(a.content, a.file_name, a.media_type))) {
            to_read.push_back({a.content, a.file_name, a.media_type});
            read_into.push_back(i);
        } else {
            texts[i] = read_text(a.content, a.file_name, a.media_type, limits, service);
        }
    }
    if (to_read.empty()) return texts;
    const auto outcomes = service->run_each(Job::read_text, to_read, limits, max_output(limits));
    for (std::size_t k = 0; k < outcomes.size(); ++k) {
        texts[read_into[k]] = text_of(outcomes[k].output, outcomes[k].failure);
    }
    return texts;
}

bool is_tnef(const mime::Attachment& a) {
    const std::string type = text::ascii_lower(a.media_type);
    return starts_with(a.content, "\x78\x9F\x3E\x22") &&
           (type == "application/ms-tnef" || type == "application/vnd.ms-tnef" ||
            text::ascii_lower(a.file_name) == "winmail.dat" || type == "application/octet-stream");
}

std::string perform(Job job, std::string_view bytes, std::string_view file_name,
                    std::string_view media_type, const ExtractLimits& limits) {
    if (job == Job::read_text) return encode(read_text_here(bytes, file_name, media_type, limits));
    std::string out;
    for (const auto& a : read_tnef(bytes, limits)) {
        out += frame_header({a.file_name, a.media_type, a.content}) + a.file_name + a.media_type +
               a.content;
    }
    return out;
}

std::optional<std::vector<mime::Attachment>> unpack_tnef(std::string_view bytes,
                                                         const ExtractLimits& limits,
                                                         const ReaderService* service) {
    std::string failure;
    const auto output = contained(Job::unpack_tnef, bytes, {}, {}, limits, limits.max_archive_bytes,
                                  failure, service);
    if (!output) return std::nullopt;
    std::vector<mime::Attachment> files;
    std::string_view in = *output;
    while (!in.empty()) {
        FramedFile file;
        if (!take_framed_file(in, file)) return std::nullopt;
        mime::Attachment a;
        a.file_name = text::valid_utf8(file.name);
        a.media_type = std::string(file.media_type);
        a.content = std::string(file.content);
        files.push_back(std::move(a));
    }
    return files;
}

}  // namespace intake::docs
