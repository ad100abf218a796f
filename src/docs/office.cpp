// DOCX and ODT text through libzip and pugixml, and what an Office file's
// container says about it (macros, encryption). Run only inside the contained
// child. Expansion is bounded (spec §9): the declared uncompressed sizes of all
// entries, and the bytes actually inflated, must stay under max_archive_bytes,
// so a zip bomb is refused before and while it is read, not unpacked.
#include <zip.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <pugixml.hpp>
#include <vector>

#include "base/text.h"
#include "docs/formats.h"

namespace intake::docs {
namespace {

constexpr zip_int64_t kMaxEntries = 5000;

struct ZipDeleter {
    void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileDeleter {
    void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using Zip = std::unique_ptr<zip_t, ZipDeleter>;
using ZipFile = std::unique_ptr<zip_file_t, ZipFileDeleter>;

struct Archive {
    Zip zip;
    std::vector<std::string> names;
    std::size_t budget = 0;  ///< bytes still allowed to be inflated
};

/// Reads one entry, counting the bytes really inflated against the budget
/// (a declared size may lie). nullopt when absent, damaged or over budget.
std::optional<std::string> read_entry(Archive& archive, const std::string& name, bool& over) {
    const zip_int64_t index = zip_name_locate(archive.zip.get(), name.c_str(), 0);
    if (index < 0) return std::nullopt;
    ZipFile file(zip_fopen_index(archive.zip.get(), static_cast<zip_uint64_t>(index), 0));
    if (!file) return std::nullopt;
    std::string out;
    char buffer[65536];
    for (;;) {
        const zip_int64_t n = zip_fread(file.get(), buffer, sizeof buffer);
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        if (static_cast<std::size_t>(n) > archive.budget) {
            over = true;
            return std::nullopt;
        }
        archive.budget -= static_cast<std::size_t>(n);
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

std::string local_name(const char* name) {
    const char* colon = std::strchr(name, ':');
    return colon ? colon + 1 : name;
}

/// The text of a WordprocessingML or OpenDocument body: runs of text, tabs,
/// breaks, and one line per paragraph. Walked without recursion, so deeply
/// nested hostile XML cannot exhaust the stack.
std::string xml_text(const pugi::xml_document& doc, bool odf) {
    std::string out;
    pugi::xml_node node = doc.first_child();
    auto start = [&](const pugi::xml_node& n) {
        if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
            const std::string parent = local_name(n.parent().name());
            if (odf || parent == "t") out += n.value();
            return;
        }
        const std::string name = local_name(n.name());
        if (name == "tab") out += '\t';
        if (name == "br" || name == "cr" || name == "line-break") out += '\n';
        if (odf && name == "s")
            out += std::string(std::min(n.attribute("text:c").as_uint(1), 80u), ' ');
    };
    auto end = [&](const pugi::xml_node& n) {
        const std::string name = local_name(n.name());
        if (name == "p" || name == "h" || (odf && name == "list-item")) out += '\n';
    };
    while (node) {
        start(node);
        if (node.first_child()) {
            node = node.first_child();
            continue;
        }
        end(node);
        while (node && !node.next_sibling()) {
            node = node.parent();
            if (node && node.type() != pugi::node_document) end(node);
            if (node.type() == pugi::node_document) node = pugi::xml_node();
        }
        if (node) node = node.next_sibling();
    }
    return out;
}

bool has_entry(const Archive& a, std::string_view name) {
    return std::find(a.names.begin(), a.names.end(), name) != a.names.end();
}

bool has_macros(const Archive& a, std::string_view file_name) {
    const std::string lower = text::ascii_lower(file_name);
    for (const char* ext : {".docm", ".dotm", ".xlsm", ".xltm", ".pptm", ".potm"}) {
        if (lower.ends_with(ext)) return true;
    }
    return std::any_of(a.names.begin(), a.names.end(), [](const std::string& n) {
        if (n.ends_with("vbaProject.bin")) return true;
        // OpenDocument keeps Basic macros under Basic/<library>/; the two index
        // files alone are written by LibreOffice for every document.
        return (n.starts_with("Basic/") && n != "Basic/script-lc.xml" &&
                !n.ends_with("/script-lb.xml") && n.ends_with(".xml")) ||
               n.starts_with("Scripts/");
    });
}

}  // namespace

Text read_office_zip(std::string_view bytes, std::string_view file_name,
                     const ExtractLimits& limits) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!source) return failed(TextStatus::unreadable, "the zip container cannot be opened");
    Archive archive;
    archive.zip.reset(zip_open_from_source(source, ZIP_RDONLY, &error));
    zip_error_fini(&error);
    if (!archive.zip) {
        zip_source_free(source);  // still ours when the open failed
        return failed(TextStatus::unreadable, "the zip container is damaged");
    }
    const zip_int64_t entries = zip_get_num_entries(archive.zip.get(), 0);
    if (entries < 0 || entries > kMaxEntries) {
        return failed(TextStatus::unreadable, "the zip container has too many entries");
    }
    std::size_t declared = 0;
    bool encrypted_entry = false;
    for (zip_int64_t i = 0; i < entries; ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(archive.zip.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0) continue;
        if ((st.valid & ZIP_STAT_NAME) && st.name) archive.names.emplace_back(st.name);
        if ((st.valid & ZIP_STAT_SIZE) &&
            st.size > limits.max_archive_bytes - std::min(declared, limits.max_archive_bytes)) {
            return failed(TextStatus::unreadable, "refused: it would expand to more than " +
                                                      std::to_string(limits.max_archive_bytes) +
                                                      " bytes (a zip bomb?)");
        }
        if (st.valid & ZIP_STAT_SIZE) declared += st.size;
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
            encrypted_entry = true;
        }
    }
    if (encrypted_entry) return failed(TextStatus::encrypted, "the zip entries are encrypted");
    archive.budget = limits.max_archive_bytes;
    const bool macros = has_macros(archive, file_name);

    bool over = false;
    std::optional<std::string> body;
    bool odf = false;
    if (has_entry(archive, "word/document.xml")) {
        body = read_entry(archive, "word/document.xml", over);
    } else if (has_entry(archive, "content.xml") && has_entry(archive, "mimetype")) {
        odf = true;
        const auto manifest = read_entry(archive, "META-INF/manifest.xml", over);
        if (manifest && manifest->find("encryption-data") != std::string::npos) {
            return failed(TextStatus::encrypted, "the OpenDocument file is password-protected");
        }
        const auto mimetype = read_entry(archive, "mimetype", over);
        if (mimetype && mimetype->find("opendocument.text") != std::string::npos) {
            body = read_entry(archive, "content.xml", over);
        }
    }
    if (over) {
        return failed(TextStatus::unreadable, "refused: it expanded past " +
                                                  std::to_string(limits.max_archive_bytes) +
                                                  " bytes (a zip bomb?)");
    }
    if (!body) {
        if (macros) return failed(TextStatus::macro, "a macro-enabled Office file");
        return failed(TextStatus::format, "a zip file that is neither DOCX nor ODT text");
    }
    pugi::xml_document doc;
    if (!doc.load_buffer(body->data(), body->size(), pugi::parse_default)) {
        return failed(TextStatus::unreadable, "the document's XML is damaged");
    }
    Text t;
    t.text = xml_text(doc, odf);
    t.method = TextMethod::embedded;
    t.status = macros ? TextStatus::macro : TextStatus::ok;
    if (macros) t.detail = "a macro-enabled Office file";
    return t;
}

Text read_compound_file(std::string_view bytes) {
    // Directory entry names of a Compound File are UTF-16LE; finding them in the
    // raw bytes is enough to tell what the container holds.
    auto has_stream = [&](std::string_view ascii) {
        std::string utf16;
        for (char c : ascii) {
            utf16 += c;
            utf16 += '\0';
        }
        return bytes.find(utf16) != std::string_view::npos;
    };
    if (has_stream("EncryptionInfo") || has_stream("EncryptedPackage")) {
        return failed(TextStatus::encrypted, "the Office file is password-protected");
    }
    if (has_stream("_VBA_PROJECT") || has_stream("Macros")) {
        return failed(TextStatus::macro, "a legacy Office file with macros");
    }
    if (has_stream("WordDocument")) {
        return failed(TextStatus::format, "a legacy Word .doc: its text is not read");
    }
    return failed(TextStatus::format, "a legacy Office file: its text is not read");
}

}  // namespace intake::docs
