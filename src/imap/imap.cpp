// MailboxClient: the mailbox operations of imap.h as IMAP commands over one
// Session. Folder names arrive in our "/" notation and are translated once per
// command with the server's separator, learnt from LIST "" "" on first use.
#include "imap/imap.h"

#include <algorithm>
#include <cctype>

#include "base/errors.h"
#include "imap/imap_command.h"
#include "imap/imap_response.h"
#include "imap/imap_session.h"

namespace intake::imap {

namespace {

bool contains_ignoring_case(const std::vector<std::string>& words, std::string_view wanted) {
    return std::any_of(words.begin(), words.end(), [&](const std::string& word) {
        return std::equal(
            word.begin(), word.end(), wanted.begin(), wanted.end(),
            [](unsigned char a, unsigned char b) { return std::toupper(a) == std::toupper(b); });
    });
}

}  // namespace

struct MailboxClient::Impl {
    explicit Impl(const ServerSettings& settings) : session(settings) {}

    /// Post-login capabilities, asked once per connection that has not failed.
    const std::vector<std::string>& capabilities() {
        if (!capabilities_ || known_at_ != session.failures()) refresh_capabilities();
        return *capabilities_;
    }

    void refresh_capabilities() {
        capabilities_ = parse_capabilities(session.command("", "CAPABILITY"));
        known_at_ = session.failures();
    }

    /// The folder's name on the server. The separator is asked for once: LIST with an
    /// empty pattern returns just the hierarchy delimiter (RFC 3501 §6.3.8).
    std::string name(const std::string& folder) {
        if (!separator_known_) {
            const std::vector<ListEntry> root = parse_list(session.command("", "LIST \"\" \"\""));
            separator_ = root.empty() ? std::optional<char>('/') : root.front().separator;
            separator_known_ = true;
        }
        return server_folder_name(folder, separator_);
    }

    bool exists(const std::string& server_name) {
        const std::vector<ListEntry> entries =
            parse_list(session.command("", "LIST \"\" " + quoted_string(server_name)));
        return std::any_of(entries.begin(), entries.end(),
                           [&](const ListEntry& entry) { return entry.name == server_name; });
    }

    void create(const std::string& server_name) {
        if (exists(server_name)) return;
        std::string untagged;
        if (session.try_command("", "CREATE " + quoted_string(server_name), untagged)) return;
        // Another client may have created it meanwhile: RFC 5530 servers say so with
        // ALREADYEXISTS, older ones only show it in a new LIST.
        const std::string reply = session.last_reply();
        if (has_response_code(reply, "ALREADYEXISTS") || exists(server_name)) return;
        throw TransientError("IMAP server " + session.url() + " refused to create folder " +
                                 quoted_string(server_name) + ": " + reply,
                             "check the folder names in the mailbox settings and the "
                             "account's rights on the server");
    }

    /// Clears \Seen on one message (a silent STORE: no untagged FETCH back).
    void mark_unseen(const std::string& server_name, Uid uid) {
        session.command(server_name,
                        "UID STORE " + std::to_string(uid.value) + " -FLAGS.SILENT (\\Seen)");
    }

    Session session;

private:
    std::optional<std::vector<std::string>> capabilities_;
    std::uint64_t known_at_ = 0;
    bool separator_known_ = false;
    std::optional<char> separator_;
};

MailboxClient::MailboxClient(ServerSettings settings) : impl_(std::make_unique<Impl>(settings)) {}

MailboxClient::~MailboxClient() = default;

void MailboxClient::verify_login() { impl_->refresh_capabilities(); }

FolderStatus MailboxClient::select(const std::string& folder) {
    const std::string box = impl_->name(folder);
    // The URL names the same mailbox, so libcurl and the server agree on what is selected.
    const std::string response = impl_->session.command(box, "SELECT " + quoted_string(box));
    const std::optional<UidValidity> validity = parse_uid_validity(response);
    if (!validity) {
        throw TransientError("IMAP server " + impl_->session.url() + " sent no UIDVALIDITY for " +
                                 quoted_string(box),
                             "intake cannot track messages in this folder safely; check the "
                             "server");
    }
    return FolderStatus{*validity, parse_exists(response).value_or(0)};
}

std::vector<Uid> MailboxClient::list_uids(const std::string& folder) {
    const std::string box = impl_->name(folder);
    // A selected mailbox's view only takes in new mail between commands: Dovecot
    // answers a SEARCH from the old view and announces "* 3 EXISTS" after it. NOOP
    // (RFC 3501 §6.1.2, the polling command) brings the view up to date first.
    impl_->session.command(box, "NOOP");
    return parse_search(impl_->session.command(box, "UID SEARCH ALL"));
}

std::string MailboxClient::fetch(const std::string& folder, Uid uid) {
    const std::string box = impl_->name(folder);
    const std::string uid_text = std::to_string(uid.value);
    // libcurl's URL fetch sends FETCH BODY[], which sets \Seen (RFC 3501 §6.4.5), and
    // neither BODY.PEEK nor a custom UID FETCH (which loses the literal) is available.
    // So note the flags first and take \Seen away again if the message did not have it.
    const std::string flags_command = "UID FETCH " + uid_text + " (FLAGS)";
    std::optional<std::vector<std::string>> flags =
        parse_fetch_flags(impl_->session.command(box, flags_command), uid);
    if (!flags) {
        // Perhaps delivered after our view of the mailbox was last brought up to date.
        impl_->session.command(box, "NOOP");
        flags = parse_fetch_flags(impl_->session.command(box, flags_command), uid);
    }
    if (!flags) {
        throw TransientError("IMAP folder " + quoted_string(box) + " on " + impl_->session.url() +
                                 " has no message with UID " + uid_text,
                             "it was moved or deleted by another client; the next poll "
                             "no longer lists it");
    }
    std::string raw = impl_->session.fetch(box, uid);
    if (!contains_ignoring_case(*flags, "\\Seen")) impl_->mark_unseen(box, uid);
    return raw;
}

std::vector<MessageSize> MailboxClient::list_sizes(const std::string& folder) {
    const std::string box = impl_->name(folder);
    // "1:*" names every message, and the last one even when the mailbox is empty
    // (RFC 3501 §6.4.8: then the server answers OK with nothing), so one command does.
    return parse_fetch_sizes(impl_->session.command(box, "UID FETCH 1:* (RFC822.SIZE)"));
}

std::string MailboxClient::fetch_header(const std::string& folder, Uid uid) {
    const std::string box = impl_->name(folder);
    const std::string flags_command = "UID FETCH " + std::to_string(uid.value) + " (FLAGS)";
    const std::optional<std::vector<std::string>> flags =
        parse_fetch_flags(impl_->session.command(box, flags_command), uid);
    std::string header = impl_->session.fetch_section(box, uid, "HEADER");
    // As fetch(): libcurl's BODY[HEADER] sets \Seen, so take it away again.
    if (flags && !contains_ignoring_case(*flags, "\\Seen")) impl_->mark_unseen(box, uid);
    return header;
}

void MailboxClient::ensure_folder(const std::string& folder) {
    // Each level in turn ("Intake", then "Intake/Processed"): RFC 3501 only says a
    // server SHOULD create missing parents.
    for (size_t slash = folder.find('/');; slash = folder.find('/', slash + 1)) {
        const std::string level = folder.substr(0, slash);
        if (!level.empty()) impl_->create(impl_->name(level));
        if (slash == std::string::npos) break;
    }
}

void MailboxClient::move(const std::string& from_folder, Uid uid, const std::string& to_folder) {
    const std::string from = impl_->name(from_folder);
    const std::string to = quoted_string(impl_->name(to_folder));
    const std::string uid_text = std::to_string(uid.value);
    const std::vector<std::string>& capabilities = impl_->capabilities();
    if (contains_ignoring_case(capabilities, "MOVE")) {
        impl_->session.command(from, "UID MOVE " + uid_text + " " + to);  // RFC 6851
        return;
    }
    impl_->session.command(from, "UID COPY " + uid_text + " " + to);
    impl_->session.command(from, "UID STORE " + uid_text + " +FLAGS.SILENT (\\Deleted)");
    // UID EXPUNGE (UIDPLUS) removes just this message; a plain EXPUNGE also removes
    // whatever else a user had flagged \Deleted, as their own client would.
    impl_->session.command(from, contains_ignoring_case(capabilities, "UIDPLUS")
                                     ? "UID EXPUNGE " + uid_text
                                     : std::string("EXPUNGE"));
}

void MailboxClient::append(const std::string& folder, const std::string& raw) {
    const std::string box = impl_->name(folder);
    const std::string reply = impl_->session.append(box, raw);
    // libcurl 7.88 always appends with the \Seen flag. Clear it (the server names the
    // new UID when it has UIDPLUS) so an appended message looks freshly delivered.
    if (const std::optional<Uid> uid = parse_append_uid(reply)) impl_->mark_unseen(box, *uid);
}

}  // namespace intake::imap
