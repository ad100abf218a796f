#pragma once
// Which parts of a message are the applicant's documents, what each one is (a
// CV, a cover letter or something else), what it says and in which language.
// Roles come from file names in EN/FR/PT/ES/DE, and from the text inside when
// names say nothing. A cover letter written in the mail body counts as one when
// it has a letter's form. Text is read from PDF, DOCX, ODT and plain text in a
// child process with CPU, memory and output limits (sandbox.cpp), because the
// parsers below it (poppler, libzip, pugixml, uchardet, libytnef) meet hostile
// bytes; everything else here is pure.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "mime/mime.h"

namespace intake::docs {

enum class Role { cv, cover_letter, other };
std::string_view to_string(Role role);

/// How a document's text was obtained; the roadmap adds OCR for scans.
enum class TextMethod { none, embedded, ocr };
std::string_view to_string(TextMethod method);

/// What reading a document's text found.
enum class TextStatus {
    ok,          ///< text read
    encrypted,   ///< password-protected PDF or Office file
    scanned,     ///< a PDF of images only: no text without OCR
    macro,       ///< a macro-enabled Office file (its text is still read)
    unreadable,  ///< damaged, over a limit, or the extractor failed or ran out of time
    format,      ///< a format whose text intake does not read (images, legacy .doc, RTF…)
};
std::string_view to_string(TextStatus status);

struct Text {
    std::string text;  ///< UTF-8; empty unless read
    TextMethod method = TextMethod::none;
    TextStatus status = TextStatus::format;
    std::string detail;  ///< why it could not be read, for logs and HR
};

/// Bounds on one extraction (spec §9); the config's [limits] fill them.
struct ExtractLimits {
    std::size_t max_archive_bytes = 100u << 20;  ///< bytes unpacked from one DOCX/ODT
    std::size_t max_text_bytes = 2u << 20;       ///< text kept from one document
    std::chrono::seconds cpu{10};                ///< CPU time to read one document
    std::size_t memory_bytes = 1u << 30;         ///< address space of the child
    std::chrono::milliseconds wall{20000};       ///< wall-clock time to read one document
};

/// The reader service's loop on its control socket: what the program
/// intake-reader runs, with the socket as its descriptor 3. Never returns.
[[noreturn]] void serve_reader_jobs(int control);

/// The program intake-reader that belongs to the intake at `executable`: beside
/// it (the build tree), else in ../lib/intake/ (installed: /usr/bin/intake and
/// /usr/lib/intake/intake-reader); std::nullopt when neither is executable.
std::optional<std::filesystem::path> reader_program_beside(const std::filesystem::path& executable);
/// The same for the running program (/proc/self/exe).
std::optional<std::filesystem::path> installed_reader_program();

/// What a contained child does with a document's bytes.
enum class Job : unsigned char { read_text, unpack_tnef };

/// The document readers' own small process. The daemon forks it once, while it is
/// still small, and it forks the contained children from there: forking the grown
/// daemon for every document copied its page tables and left every page of its
/// heap to be copied again on its next write. One child reads the documents of
/// one message, one after another, each with the limits of a document read alone;
/// nothing is shared between messages, so what one sender mails can reach no
/// other applicant's documents. Safe to call from several threads: each call has
/// its own socket.
class ReaderService {
public:
    struct Input {
        std::string_view bytes;
        std::string_view file_name;
        std::string_view media_type;
    };
    struct Outcome {
        std::optional<std::string> output;  ///< the child's answer, if it gave one
        std::string failure;                ///< else why not
    };

    /// Starts the service: the program intake-reader when given
    /// (installed_reader_program()), else a fork of this process, which must then
    /// be single-threaded. Throws TransientError when it cannot.
    explicit ReaderService(std::optional<std::filesystem::path> program = std::nullopt);
    ~ReaderService();
    ReaderService(const ReaderService&) = delete;
    ReaderService& operator=(const ReaderService&) = delete;

    /// run_contained()'s contract for one job. Throws TransientError when the
    /// service itself is gone (killed, out of memory), which says nothing of the
    /// document: the message is tried again, never filed as unreadable.
    std::optional<std::string> run(Job job, std::string_view bytes, std::string_view file_name,
                                   std::string_view media_type, const ExtractLimits& limits,
                                   std::size_t max_output, std::string& failure) const;

    /// `job` for each input, in order, in one child. Each input has `limits` to
    /// itself (wall clock, CPU, at most `max_output` bytes of answer); when one
    /// crashes or outlasts them, those before it keep their answers and those
    /// after it go to a new child. Throws TransientError as run() does.
    std::vector<Outcome> run_each(Job job, const std::vector<Input>& inputs,
                                  const ExtractLimits& limits, std::size_t max_output) const;

    /// Starts a new service if this one has stopped; from one thread, between runs.
    void ensure_running();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Reads a document's text in a contained child process: a child of `service`,
/// else of this process. Never throws for what the document does: a crash, a hang
/// or a limit gives TextStatus::unreadable.
Text read_text(std::string_view bytes, std::string_view file_name, std::string_view media_type,
               const ExtractLimits& limits, const ReaderService* service = nullptr);

/// read_text() for each of a message's documents, in order; with `service`, one
/// child of it reads them all (ReaderService::run_each).
std::vector<Text> read_texts(const std::vector<const mime::Attachment*>& documents,
                             const ExtractLimits& limits, const ReaderService* service = nullptr);

/// The same, in this process: what the child runs. For tests of the formats only.
Text read_text_here(std::string_view bytes, std::string_view file_name, std::string_view media_type,
                    const ExtractLimits& limits);

/// True for a TNEF stream (winmail.dat, application/ms-tnef).
bool is_tnef(const mime::Attachment& attachment);

/// The files inside a TNEF winmail.dat, unpacked in a contained child process (of
/// `service` when given); nullopt when it cannot be unpacked (it is then kept as it came).
std::optional<std::vector<mime::Attachment>> unpack_tnef(std::string_view bytes,
                                                         const ExtractLimits& limits,
                                                         const ReaderService* service = nullptr);

struct Document {
    Role role = Role::other;
    std::string source;         ///< "attachment" or "body"
    std::string original_name;  ///< as the sender wrote it; empty for the body
    std::string media_type;
    std::string_view content;  ///< decoded bytes, owned by the ParsedMessage (or the body text)
    std::optional<std::string> language;  ///< ISO 639-1, when the text could be read
    Text text;                            ///< what could be read of it
};

/// The role a file name suggests ("Joana Pires - Curriculum Vitae.pdf" -> cv).
Role role_from_name(std::string_view file_name);

/// The applicant's own words in a body: quoted replies, forwarded headers and
/// signatures after "-- " are cut off.
std::string own_words(std::string_view body_text);

/// ISO 639-1 code of the text's main language, nullopt when too short or unclear.
std::optional<std::string> detect_language(std::string_view text);

/// Reads the texts of a message's documents, in order (read_texts with the
/// config's limits, or a fake in tests).
using TextReader = std::function<std::vector<Text>(const std::vector<const mime::Attachment*>&)>;

/// Every document of the message, in order; the body letter (if any) last. Roles
/// come from names, else from the text (rules.toml [roles]). The returned views
/// point into `message`, which must outlive them.
std::vector<Document> classify(const mime::ParsedMessage& message, const TextReader& read,
                               const config::Rules& rules);

// --- Reading text (content.cpp); texts compared folded, by whole words ---------------

/// Whether `phrase` (folded) occurs in `folded_text` as whole words.
bool has_phrase(std::string_view folded_text, std::string_view phrase);

/// The whole words of a folded text, read once so that of many phrases only
/// those whose first word the text holds are looked for (has_phrase). It points
/// into the text, which must outlive it.
class WordsPresent {
public:
    explicit WordsPresent(std::string_view folded_text);
    /// False when `phrase` cannot occur in the text as whole words: its first
    /// word does not.
    bool may_hold(std::string_view phrase) const;

private:
    std::unordered_set<std::string_view> words_;
};

/// Whether `phrase`, found at `at` in `folded_text`, stands there as whole words:
/// no letter or digit glued before it, nor after it unless it ends in punctuation.
bool whole_words_at(std::string_view folded_text, std::size_t at, std::string_view phrase);

/// "Maria Lopez Garcia": two to five capitalised words, no digits.
bool looks_like_name(std::string_view line);

/// Whether a folded line holds a date range ("2019 - 2022", "03/2021 – present"),
/// then in `found` (groups: from month, from year, to month, to year, "present").
bool find_date_range(const std::string& line, std::smatch& found);

/// Lines of a folded text holding a date range (find_date_range).
int date_ranges(std::string_view folded_text);

/// Whether a line holds a year from 1900 to 2099: every date range does, and the
/// test is a hundred times cheaper than the date-range pattern it spares most lines.
bool has_year(std::string_view line);

struct LetterForm {
    bool salutation = false;               ///< "Dear …", "Madame, Monsieur," near the top
    bool closing = false;                  ///< "Kind regards", "Bien cordialement" near the end
    std::size_t body_words = 0;            ///< words between the two
    std::optional<std::string> signature;  ///< a name on a line after the closing
};
LetterForm letter_form(std::string_view text, const config::Rules& rules);

struct RoleScore {
    int cv = 0;
    int letter = 0;
};
RoleScore score_roles(std::string_view text, const config::Rules& rules);

/// The applicant's name as the documents give it: a letter's signature, else the
/// name at the top of the CV.
std::optional<std::string> name_in_documents(const std::vector<Document>& documents,
                                             const config::Rules& rules);

}  // namespace intake::docs
