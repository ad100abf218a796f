#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>

#include "e2e/e2e.h"

namespace intake::e2e {

namespace fs = std::filesystem;

std::string qp_body(const std::string& mail) {
    std::string body = mail.substr(mail.find("\r\n\r\n") + 4), out;
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] == '=' && i + 2 < body.size()) {
            if (body[i + 1] == '\r') {  // a soft line break
                i += 2;
                continue;
            }
            out += static_cast<char>(std::stoi(body.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else if (body[i] != '\r') {
            out += body[i];
        }
    }
    return out;
}

std::string header_of(const std::string& mail, const std::string& name) {
    const std::string key = "\r\n" + name + ": ";
    const auto at = ("\r\n" + mail).find(key);
    if (at == std::string::npos) return {};
    const auto start = at + key.size() - 2;
    return mail.substr(start, mail.find("\r\n", start) - start);
}

IntakeE2E::IntakeE2E(fixtures::DovecotOptions imap_options, fixtures::SmtpOptions smtp_options)
    : IntakeE2E(std::move(imap_options), std::move(smtp_options), {}) {}

IntakeE2E::IntakeE2E(fixtures::DovecotOptions imap_options, fixtures::SmtpOptions smtp_options,
                     fs::path ca_file)
    : imap_(std::move(imap_options)), smtp_(std::move(smtp_options)), ca_file_(std::move(ca_file)) {
    imap_.create_folder(kAtlanticFolder);
    write_config();
}

void IntakeE2E::write_config(const std::string& extra, int poll_interval_seconds) {
    const std::string conf = std::string(INTAKE_SOURCE_DIR) + "/config";
    std::string text = "[storage]\nroot = \"hr\"\nstate_dir = \"state\"\n\n";
    text += "[documents]\nrules = \"" + conf + "/rules.toml\"\n\n";
    const std::string tls = ca_file_.empty()
                                ? "tls_verify = false\n"
                                : "tls_verify = true\nca_file = \"" + ca_file_.string() + "\"\n";
    const std::string imap_url = ca_file_.empty() ? imap_.url() : imap_.imaps_url();
    text += "[[smtp]]\nname = \"test-smtp\"\nurl = \"" + smtp_.url() + "\"\n" + tls + "\n";
    const struct {
        const char* id;
        const char* name;
        const char* address;
        const char* languages;
        const char* feedback;
        const char* folder;
    } orgs[] = {
        {"cemr", "CEMR", "application@ccre-cemr.org", "[\"en\", \"fr\"]", "false", kCemrFolder},
        {"atlantic-cities", "Atlantic Cities", "rh@atlanticcities.eu",
         "[\"en\", \"fr\", \"pt\", \"es\"]", "true", kAtlanticFolder}};
    for (const auto& o : orgs) {
        const std::string id = o.id;
        text += "[[organisation]]\nid = \"" + id + "\"\nname = \"" + o.name + "\"\naddress = \"" +
                o.address + "\"\nlanguages = " + o.languages + "\nfeedback = " + o.feedback +
                "\nsmtp = \"test-smtp\"\npostings = \"" + conf + "/postings/" + id +
                ".toml\"\ntemplates = \"" + conf + "/templates/" + id + "\"\n\n";
        text += "[[mailbox]]\nname = \"" + id + "\"\norganisation = \"" + id + "\"\nurl = \"" +
                imap_url + "\"\nuser = \"" + imap_.user() + "\"\npassword_file = \"" +
                imap_.password_file().string() + "\"\nfolder = \"" + o.folder +
                "\"\nprocessed_folder = \"Intake/Processed/" + id +
                "\"\nfailed_folder = \"Intake/Failed/" + id + "\"\n" + tls +
                "poll_interval_seconds = " + std::to_string(poll_interval_seconds) + "\n\n";
    }
    fixtures::write_file(config_file(), text + extra);
}

int IntakeE2E::intake(const std::string& command) {
    const fs::path out = work_.path() / "intake.out";
    const std::string line = std::string(INTAKE_EXE) + " " + command + " --config '" +
                             config_file().string() + "' > '" + out.string() + "' 2>&1";
    const int status = std::system(line.c_str());
    output_ = fixtures::read_file(out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string IntakeE2E::sample(const std::string& name) {
    return fixtures::read_file(fs::path(INTAKE_SOURCE_DIR) / "tests/data/eml" / name);
}

std::vector<fs::path> IntakeE2E::application_folders() const {
    std::vector<fs::path> folders;
    if (!fs::exists(hr())) return folders;
    for (const auto& org : fs::directory_iterator(hr())) {
        for (const auto& posting : fs::directory_iterator(org)) {
            if (!posting.is_directory() || posting.path().filename() == "_failed") continue;
            for (const auto& app : fs::directory_iterator(posting)) {
                if (app.is_directory()) folders.push_back(app.path());
            }
        }
    }
    std::sort(folders.begin(), folders.end());
    return folders;
}

std::vector<std::string> IntakeE2E::tree() const {
    std::vector<std::string> files;
    if (!fs::exists(hr())) return files;
    for (const auto& entry : fs::recursive_directory_iterator(hr())) {
        if (!entry.is_regular_file()) continue;
        files.push_back(fs::relative(entry.path(), hr()).string() + " " +
                        std::to_string(entry.file_size()));
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace intake::e2e
