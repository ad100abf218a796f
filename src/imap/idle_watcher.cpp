// IdleWatcher: IMAP IDLE (RFC 2177) over a libcurl CONNECT_ONLY connection.
// libcurl connects, negotiates TLS (or STARTTLS) and logs in during its connect
// phase, then hands us the connection; we speak CAPABILITY, LIST, EXAMINE and IDLE
// on it with curl_easy_send/curl_easy_recv, which never block (CURLE_AGAIN), so
// every wait here is a poll() on the socket with a deadline. Our tags ("I1", "I2"…)
// differ from libcurl's ("A001"…) so neither mistakes the other's replies.
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <utility>

#include "base/errors.h"
#include "imap/idle_protocol.h"
#include "imap/imap.h"
#include "imap/imap_command.h"
#include "imap/imap_response.h"
#include "net/curl.h"
#include "net/endpoint.h"
#include "net/tls_failure.h"

namespace intake::imap {

namespace {

constexpr net::Schemes imap_schemes{"imap", "imaps"};
using Clock = std::chrono::steady_clock;

bool has_capability(const std::vector<std::string>& capabilities, std::string_view wanted) {
    return std::any_of(capabilities.begin(), capabilities.end(),
                       [&](const std::string& c) { return c == wanted; });  // already upper case
}

}  // namespace

struct IdleWatcher::Impl {
    Impl(ServerSettings s, std::string f)
        : settings(std::move(s)),
          folder(std::move(f)),
          endpoint(net::parse_endpoint(settings.url, imap_schemes, settings.tls_verify)),
          trust{settings.tls_verify, settings.ca_file} {}
    ~Impl() { close(); }

    ServerSettings settings;
    std::string folder;
    net::Endpoint endpoint;
    net::TlsTrust trust;
    // Declared before easy so it outlives it: curl_easy_cleanup() still sends LOGOUT.
    net::Transcript transcript;
    std::unique_ptr<net::CurlEasy> easy;  // one per connection: a fresh start each time
    curl_socket_t socket = CURL_SOCKET_BAD;
    ResponseBuffer buffer;
    int tag_number = 0;
    std::string idle_tag;
    bool idling = false;
    bool healthy = false;  ///< connected and in step with the server: worth a goodbye
    bool news = false;
    Clock::time_point since{};

    std::string who() const { return endpoint.base_url + " as " + settings.user; }

    TransientError lost(const std::string& what) const {
        return TransientError(
            "IMAP IDLE connection to " + who() + " for " + quoted_string(folder) + ": " + what,
            "check that the server is up and reachable");
    }

    void connect() {
        close();
        easy = std::make_unique<net::CurlEasy>();
        net::configure_connection(*easy, endpoint, imap_schemes, trust, settings.timeout);
        easy->set(CURLOPT_USERNAME, settings.user);
        easy->set(CURLOPT_PASSWORD, settings.password.reveal());
        easy->set(CURLOPT_URL, endpoint.base_url + "/");
        // Connect and log in, then stop: the rest of the conversation is ours.
        easy->set(CURLOPT_CONNECT_ONLY, 1L);
        transcript.clear();
        transcript.attach(*easy);
        const CURLcode code = easy->perform();
        if (code != CURLE_OK) connect_failed(code);
        if (curl_easy_getinfo(easy->get(), CURLINFO_ACTIVESOCKET, &socket) != CURLE_OK ||
            socket == CURL_SOCKET_BAD) {
            throw InternalError("libcurl gave no socket for the IMAP connection to " + who());
        }
        buffer.clear();
        healthy = true;
    }

    [[noreturn]] void connect_failed(CURLcode code) {
        const std::string reply = transcript.last_reply();
        const std::string curl_text = easy->error_text(code);
        const std::string detail = reply.empty() ? curl_text : reply + " (" + curl_text + ")";
        const auto tls = net::describe_tls_failure(*easy, code, endpoint, trust);
        close();
        if (code == CURLE_LOGIN_DENIED) {
            throw ConfigError("IMAP login to " + who() + " was refused: " + detail,
                              "check the user and password_file");
        }
        if (code == CURLE_USE_SSL_FAILED) {
            throw ConfigError("IMAP server " + endpoint.base_url + " does not offer STARTTLS",
                              "use imaps://, or enable STARTTLS on the server");
        }
        if (tls) {
            const std::string what = "IMAP server " + endpoint.base_url + ": " + tls->what;
            if (tls->config) throw ConfigError(what, tls->hint);
            throw TransientError(what, tls->hint);
        }
        throw lost("cannot connect: " + detail);
    }

    /// Waits until the socket is ready for `events`; throws at the deadline.
    void wait_for(short events, Clock::time_point deadline, const std::string& waiting_for) {
        for (;;) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) throw lost("no answer within the timeout " + waiting_for);
            pollfd fd{socket, events, 0};
            const int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
            if (ready > 0) return;  // readable, writable, or an error the next call reports
            if (ready < 0 && errno != EINTR) throw lost("poll failed");
        }
    }

    void send(const std::string& line, const std::string& what) {
        const auto deadline = Clock::now() + settings.timeout;
        size_t done = 0;
        while (done < line.size()) {
            size_t n = 0;
            const CURLcode code =
                curl_easy_send(easy->get(), line.data() + done, line.size() - done, &n);
            if (code == CURLE_AGAIN) {
                wait_for(POLLOUT, deadline, "sending " + what);
                continue;
            }
            if (code != CURLE_OK) throw lost("cannot send " + what + ": " + easy->error_text(code));
            done += n;
        }
    }

    /// Moves everything readable into the buffer without blocking.
    void receive_available() {
        char chunk[16384];
        for (;;) {
            size_t n = 0;
            const CURLcode code = curl_easy_recv(easy->get(), chunk, sizeof chunk, &n);
            if (code == CURLE_AGAIN) return;
            if (code != CURLE_OK) throw lost("cannot read: " + easy->error_text(code));
            if (n == 0) throw lost("the server closed the connection");
            buffer.append(std::string_view(chunk, n));
        }
    }

    /// The next whole response, waiting for it at most until `deadline`.
    std::string next_response(Clock::time_point deadline, const std::string& waiting_for) {
        for (;;) {
            if (auto response = buffer.next()) return *response;
            receive_available();
            if (auto response = buffer.next()) return *response;
            wait_for(POLLIN, deadline, waiting_for);
        }
    }

    std::string next_tag() { return "I" + std::to_string(++tag_number); }

    /// Runs a command; returns its untagged responses. Throws on NO, BAD or BYE.
    std::string command(const std::string& text) {
        const std::string tag = next_tag();
        const std::string verb = text.substr(0, text.find(' '));
        send(tag + " " + text + "\r\n", verb);
        const auto deadline = Clock::now() + settings.timeout;
        std::string untagged;
        for (;;) {
            const std::string line = next_response(deadline, "to " + verb);
            const IdleEvent event = classify_response(line);
            if (event.kind == IdleEvent::Kind::bye) throw lost(line);
            if (event.kind == IdleEvent::Kind::tagged && event.tag == tag) {
                if (event.status == "OK") return untagged;
                throw TransientError("IMAP server " + who() + " refused " + text + ": " + line,
                                     "check that the folder exists and the user may open it");
            }
            untagged += line + "\r\n";
        }
    }

    /// Sends IDLE and waits for the server's "+".
    void begin_idle() {
        idle_tag = next_tag();
        send(idle_tag + " IDLE\r\n", "IDLE");
        const auto deadline = Clock::now() + settings.timeout;
        for (;;) {
            const std::string line = next_response(deadline, "to IDLE");
            const IdleEvent event = classify_response(line);
            if (event.kind == IdleEvent::Kind::continuation) break;
            if (event.kind == IdleEvent::Kind::new_mail) news = true;
            if (event.kind == IdleEvent::Kind::bye) throw lost(line);
            if (event.kind == IdleEvent::Kind::tagged && event.tag == idle_tag) {
                throw lost("IDLE refused: " + line);
            }
        }
        idling = true;
        since = Clock::now();
        // Bytes that came with the "+" may already sit in the TLS layer, where poll()
        // would never report them.
        read_idle_responses();
    }

    /// Sends DONE and waits for IDLE's tagged reply, noting news on the way.
    void end_idle() {
        idling = false;
        send("DONE\r\n", "DONE");
        const auto deadline = Clock::now() + settings.timeout;
        for (;;) {
            const std::string line = next_response(deadline, "to DONE");
            const IdleEvent event = classify_response(line);
            if (event.kind == IdleEvent::Kind::new_mail) news = true;
            if (event.kind == IdleEvent::Kind::bye) throw lost(line);
            if (event.kind == IdleEvent::Kind::tagged && event.tag == idle_tag) {
                if (event.status != "OK") throw lost("IDLE ended with " + line);
                return;
            }
        }
    }

    /// Reads and interprets what the server sent while we idle, without blocking.
    void read_idle_responses() {
        receive_available();
        while (auto line = buffer.next()) {
            const IdleEvent event = classify_response(*line);
            if (event.kind == IdleEvent::Kind::new_mail) news = true;
            if (event.kind == IdleEvent::Kind::bye) throw lost(*line);
            // Only our DONE may end IDLE; a tagged reply now means the server ended it.
            if (event.kind == IdleEvent::Kind::tagged)
                throw lost("IDLE ended by the server: " + *line);
        }
    }

    /// Ends IDLE and logs out, so the server logs a clean goodbye; libcurl's cleanup
    /// sends nothing on a CONNECT_ONLY connection.
    void say_goodbye() {
        if (idling) end_idle();
        const std::string tag = next_tag();
        send(tag + " LOGOUT\r\n", "LOGOUT");
        const auto deadline = Clock::now() + settings.timeout;
        for (;;) {
            const IdleEvent event = classify_response(next_response(deadline, "to LOGOUT"));
            if (event.kind == IdleEvent::Kind::tagged && event.tag == tag) return;
        }
    }

    /// Closes the connection, saying goodbye first when it is healthy, within about
    /// a second so that stopping stays prompt.
    void close() noexcept {
        if (!easy) return;
        if (healthy) {
            const std::chrono::seconds configured = settings.timeout;
            settings.timeout = std::min(configured, std::chrono::seconds(1));
            try {
                say_goodbye();
            } catch (const Error&) {
                // Going away anyway: a connection that cannot say goodbye is simply closed.
            }
            settings.timeout = configured;
        }
        idling = false;
        healthy = false;
        easy.reset();
        socket = CURL_SOCKET_BAD;
        buffer.clear();
    }
};

IdleWatcher::IdleWatcher(ServerSettings settings, std::string folder)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(folder))) {}

IdleWatcher::~IdleWatcher() = default;

bool IdleWatcher::start() {
    Impl& w = *impl_;
    try {
        w.connect();
        // Post-login capabilities: a server may announce more once we are logged in.
        if (!has_capability(parse_capabilities(w.command("CAPABILITY")), "IDLE")) {
            w.close();
            return false;
        }
        const std::vector<ListEntry> root = parse_list(w.command("LIST \"\" \"\""));
        const std::optional<char> separator =
            root.empty() ? std::optional<char>('/') : root.front().separator;
        // EXAMINE, not SELECT: read-only, so watching never touches \Recent or flags.
        w.command("EXAMINE " + quoted_string(server_folder_name(w.folder, separator)));
        w.begin_idle();
        // The caller polls right after start(), which covers anything announced so far.
        w.news = false;
        return true;
    } catch (const Error&) {
        w.healthy = false;  // out of step with the server: no goodbye
        w.close();
        throw;
    }
}

bool IdleWatcher::idling() const noexcept { return impl_->idling; }

int IdleWatcher::socket() const noexcept {
    return impl_->idling ? static_cast<int>(impl_->socket) : -1;
}

bool IdleWatcher::take_news() {
    Impl& w = *impl_;
    if (!w.idling) return std::exchange(w.news, false);
    try {
        w.read_idle_responses();
    } catch (const Error&) {
        w.healthy = false;  // broken: close without a goodbye
        w.close();
        throw;
    }
    return std::exchange(w.news, false);
}

bool IdleWatcher::renew() {
    Impl& w = *impl_;
    if (!w.idling) throw w.lost("not idling");
    try {
        w.end_idle();
        w.begin_idle();
    } catch (const Error&) {
        w.healthy = false;
        w.close();
        throw;
    }
    return std::exchange(w.news, false);
}

std::chrono::steady_clock::time_point IdleWatcher::idling_since() const noexcept {
    return impl_->since;
}

void IdleWatcher::stop() noexcept { impl_->close(); }

}  // namespace intake::imap
