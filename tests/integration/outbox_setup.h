#pragma once
// What the outbox tests share: a configuration that sends through one SMTP
// server (the shipped CEMR postings and templates, an IMAP mailbox nobody
// polls), and a filed application with its reply queued.
#include <filesystem>
#include <string>

#include "config/config.h"
#include "fixtures/temp_dir.h"
#include "state/state.h"

namespace intake::outbox_test {

/// Writes <dir>/intake.toml sending through `smtp_url`, with `extra` TOML tables.
inline config::Config outbox_config(const fixtures::TempDir& dir, const std::string& smtp_url,
                                    const std::string& extra = "") {
    const std::string conf = std::string(INTAKE_SOURCE_DIR) + "/config";
    fixtures::write_file(dir / "intake.toml",
                         "[storage]\nroot = \"hr\"\nstate_dir = \"state\"\n\n[documents]\n"
                         "rules = \"" +
                             conf + "/rules.toml\"\n\n" + extra +
                             "\n[[organisation]]\nid = \"cemr\"\nname = \"CEMR\"\naddress = "
                             "\"application@ccre-cemr.org\"\nlanguages = [\"en\", \"fr\"]\n"
                             "smtp = \"relay\"\npostings = \"" +
                             conf + "/postings/cemr.toml\"\ntemplates = \"" + conf +
                             "/templates/cemr\"\n\n"
                             "[[mailbox]]\nname = \"cemr\"\norganisation = \"cemr\"\n"
                             "url = \"imap://127.0.0.1:1\"\nuser = \"u\"\n"
                             "password_file = \"intake.toml\"\ntls_verify = false\n\n"
                             "[[smtp]]\nname = \"relay\"\nurl = \"" +
                             smtp_url + "\"\ntls_verify = false\n");
    std::filesystem::create_directories(dir / "state");
    return config::load_config(dir / "intake.toml");
}

/// Application `id` of `email`, filed from UID `uid`, its reply queued on "relay".
inline state::Filing queued_filing(const std::string& id, const std::string& email,
                                   std::uint32_t uid = 1) {
    state::Filing f;
    f.message = {"cemr", 7, uid};
    f.organisation = "cemr";
    f.message_key = "<" + id + "@example.org>";
    f.content_key = "content-" + id;
    record::Application app;
    app.id = id;
    app.organisation = "cemr";
    app.posting = "policy-internship";
    app.received_at = "2025-03-02T10:15:00Z";
    app.applicant = {"Applicant", email};
    app.acknowledgement = {"queued", email, "en", std::nullopt, "", ""};
    f.application = app;
    f.reply = state::QueuedReply{"relay", "application@ccre-cemr.org", email,
                                 "Subject: reply " + id + "\r\n\r\nThank you.\r\n"};
    return f;
}

}  // namespace intake::outbox_test
