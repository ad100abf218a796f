// MailboxClient: the mailbox operations of imap.h as IMAP commands over one
// Session. Folder names arrive in our "/" notation and are translated once per
// command with the server's separator, learnt from LIST "" "" on first use.
#include "imap/imap.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <map>
#include <optional>

#include "base/errors.h"
#include "imap/imap_command.h"
#include "imap/imap_response.h"
#include "imap/imap_session.h"

namespace intake::imap {

namespace {

// A batch is fetched in chunks of at most this many messages.
// 50: the flags-and-sizes command of a chunk has one response line per message, and
// libcurl's count of those lines grows with their square (see list_sizes).
constexpr std::size_t kChunkMessages = 50;
// libcurl 7.88 refuses a command whose response lines total more than 300 KiB
// (MAX_HTTP_RESP_HEADER_SIZE, also applied to IMAP), and a custom command's
// literals count as lines. So messages are fetched together, in one "UID FETCH
// <set> (BODY.PEEK[])", up to this many bytes (leaving room for the response
// lines and a login on a fresh connection); bigger messages one by one.
constexpr std::size_t kTogetherBytes = 240u * 1024;

/// `uids` cut in order into runs of at most `size`, each one command's UID set.
std::vector<std::vector<Uid>> chunks_of(const std::vector<Uid>& uids, std::size_t size) {
    std::vector<std::vector<Uid>> chunks;
    for (auto begin = uids.begin(); begin != uids.end();) {
        const auto end =
            begin + static_cast<std::ptrdiff_t>(std::min<std::size_t>(size, uids.end() - begin));
        chunks.emplace_back(begin, end);
        begin = end;
    }
    return chunks;
}

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

    /// One chunk in one command, handed over message by message; false when
    /// on_message asked to stop.
    bool fetch_chunk(const std::string& box, const std::vector<Uid>& chunk, bool together,
                     std::size_t bytes, const std::map<std::uint32_t, FetchInfo>& info,
                     const std::function<bool(Uid, std::string)>& on_message) {
        if (together) {
            // BODY.PEEK[] leaves \Seen alone (RFC 3501 §6.4.5).
            std::optional<std::string> stream;
            try {
                stream = session.command_verbatim(
                    box, "UID FETCH " + uid_set(chunk) + " (BODY.PEEK[])", bytes);
            } catch (const TransientError&) {
                // Refused or cut off (libcurl's response size limit, should a server
                // size messages differently): the one-by-one fetch below says
                // whether the server itself is the trouble.
                stream.reset();
            }
            if (const auto bodies = whole_chunk(stream, chunk, info)) {
                for (const FetchedBody& body : *bodies) {
                    if (!on_message(body.uid, std::string(body.bytes))) return false;
                }
                return true;
            }
            // Not whole (a line libcurl cut, a server that sizes differently, a
            // message holding a line that looks like our command's end): unread
            // bytes may wait on the connection. The sure way, one by one, instead.
            session.distrust_connection();
        }
        return fetch_one_by_one(box, chunk, info, on_message);
    }

    /// The chunk's messages in chunk order, when the stream holds each exactly once
    /// and of the size the server announced; none otherwise.
    static std::optional<std::vector<FetchedBody>> whole_chunk(
        const std::optional<std::string>& stream, const std::vector<Uid>& chunk,
        const std::map<std::uint32_t, FetchInfo>& info) {
        if (!stream) return std::nullopt;
        std::optional<std::vector<FetchedBody>> bodies = parse_fetch_bodies(*stream);
        if (!bodies || bodies->size() != chunk.size()) return std::nullopt;
        std::map<std::uint32_t, std::string_view> by_uid;
        for (const FetchedBody& body : *bodies) {
            const auto size = info.at(body.uid.value).size;
            if (!size || body.bytes.size() != *size) return std::nullopt;
            if (!by_uid.emplace(body.uid.value, body.bytes).second) return std::nullopt;
        }
        std::vector<FetchedBody> ordered;
        for (const Uid uid : chunk) {
            const auto found = by_uid.find(uid.value);
            if (found == by_uid.end()) return std::nullopt;
            ordered.push_back({uid, found->second});
        }
        return ordered;
    }

    /// libcurl's own fetch, message by message (which sets \Seen: taken away again
    /// afterwards, in one command, for the messages that did not have it).
    bool fetch_one_by_one(const std::string& box, const std::vector<Uid>& chunk,
                          const std::map<std::uint32_t, FetchInfo>& info,
                          const std::function<bool(Uid, std::string)>& on_message) {
        std::vector<Uid> to_unsee;
        auto restore_unseen = [&] {
            if (to_unsee.empty()) return;
            session.command(box, "UID STORE " + uid_set(to_unsee) + " -FLAGS.SILENT (\\Seen)");
            to_unsee.clear();
        };
        bool go_on = true;
        try {
            for (const Uid uid : chunk) {
                std::string raw = session.fetch(box, uid, info.at(uid.value).size.value_or(0));
                if (!contains_ignoring_case(info.at(uid.value).flags, "\\Seen")) {
                    to_unsee.push_back(uid);
                }
                if (!on_message(uid, std::move(raw))) {
                    go_on = false;
                    break;
                }
            }
        } catch (const Error&) {
            // The messages fetched so far must not stay \Seen because a later one
            // failed; when the connection itself is gone this fails too, and the
            // first error is the one worth reporting.
            const std::exception_ptr first = std::current_exception();
            try {
                restore_unseen();
            } catch (const Error&) {
                std::rethrow_exception(first);
            }
            throw;
        }
        restore_unseen();
        return go_on;
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

std::vector<MessageSize> MailboxClient::list_sizes(const std::string& folder,
                                                   const std::vector<Uid>& uids) {
    const std::string box = impl_->name(folder);
    // By UID set, kChunkMessages at a time: libcurl 7.88 counts each response line
    // with what is left of its read buffer against its 300 KiB limit, which grows
    // with the square of the line count: "1:*" over an inbox of 144 messages
    // counted 309,786 bytes and failed the mailbox at every pass.
    std::vector<MessageSize> sizes;
    for (const std::vector<Uid>& chunk : chunks_of(uids, kChunkMessages)) {
        for (const MessageSize& size : parse_fetch_sizes(impl_->session.command(
                 box, "UID FETCH " + uid_set(chunk) + " (UID RFC822.SIZE)"))) {
            sizes.push_back(size);
        }
    }
    std::sort(sizes.begin(), sizes.end(),
              [](const MessageSize& a, const MessageSize& b) { return a.uid < b.uid; });
    return sizes;
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
    move_all(from_folder, {uid}, to_folder);
}

std::vector<Uid> MailboxClient::fetch_each(
    const std::string& folder, const std::vector<Uid>& uids,
    const std::function<bool(Uid, std::string)>& on_message) {
    if (uids.empty()) return {};
    const std::string box = impl_->name(folder);
    // The flags and sizes of all, kChunkMessages at a time (libcurl's response
    // limit, as for list_sizes): which UIDs exist, which were unseen (for the
    // fallback below), and how to cut the batch into chunks.
    std::map<std::uint32_t, FetchInfo> info;
    for (const std::vector<Uid>& chunk : chunks_of(uids, kChunkMessages)) {
        info.merge(parse_fetch_info(impl_->session.command(
            box, "UID FETCH " + uid_set(chunk) + " (UID FLAGS RFC822.SIZE)")));
    }
    std::vector<Uid> missing;
    std::vector<std::pair<Uid, std::size_t>> present;
    for (const Uid uid : uids) {
        const auto found = info.find(uid.value);
        if (found == info.end()) {
            missing.push_back(uid);
        } else {
            present.emplace_back(uid, found->second.size.value_or(0));
        }
    }
    const auto big = [&](std::size_t i) { return present[i].second > kTogetherBytes; };
    for (std::size_t begin = 0; begin < present.size();) {
        // A chunk: small messages up to kTogetherBytes in all, or a run of big ones.
        std::size_t end = begin + 1;
        std::size_t bytes = present[begin].second;
        while (end < present.size() && end - begin < kChunkMessages && big(end) == big(begin) &&
               (big(begin) || bytes + present[end].second <= kTogetherBytes)) {
            bytes += present[end].second;
            ++end;
        }
        std::vector<Uid> chunk;
        for (std::size_t i = begin; i < end; ++i) chunk.push_back(present[i].first);
        const bool together = !big(begin);
        begin = end;
        if (!impl_->fetch_chunk(box, chunk, together, bytes, info, on_message)) break;
    }
    return missing;
}

void MailboxClient::move_all(const std::string& from_folder, const std::vector<Uid>& uids,
                             const std::string& to_folder) {
    if (uids.empty()) return;
    const std::string from = impl_->name(from_folder);
    const std::string to = quoted_string(impl_->name(to_folder));
    const std::vector<std::string>& capabilities = impl_->capabilities();
    // Sets of at most kMoveChunk UIDs keep a command line well within what servers
    // accept (Dovecot: 64 KiB), however scattered the UIDs are.
    constexpr std::size_t kMoveChunk = 1000;
    for (const std::vector<Uid>& chunk : chunks_of(uids, kMoveChunk)) {
        const std::string set = uid_set(chunk);
        if (contains_ignoring_case(capabilities, "MOVE")) {
            impl_->session.command(from, "UID MOVE " + set + " " + to);  // RFC 6851
            continue;
        }
        impl_->session.command(from, "UID COPY " + set + " " + to);
        impl_->session.command(from, "UID STORE " + set + " +FLAGS.SILENT (\\Deleted)");
        // UID EXPUNGE (UIDPLUS) removes just these messages; a plain EXPUNGE also removes
        // whatever else a user had flagged \Deleted, as their own client would.
        impl_->session.command(from, contains_ignoring_case(capabilities, "UIDPLUS")
                                         ? "UID EXPUNGE " + set
                                         : std::string("EXPUNGE"));
    }
}

void MailboxClient::append(const std::string& folder, const std::string& raw) {
    const std::string box = impl_->name(folder);
    const std::string reply = impl_->session.append(box, raw);
    // libcurl 7.88 always appends with the \Seen flag. Clear it (the server names the
    // new UID when it has UIDPLUS) so an appended message looks freshly delivered.
    if (const std::optional<Uid> uid = parse_append_uid(reply)) impl_->mark_unseen(box, *uid);
}

}  // namespace intake::imap
