// The whole decision on real message files with the shipped configuration,
// field by field: posting, routing, documents, deadline, reply.
#include "daemon/decide.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "base/errors.h"

namespace intake::daemon {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const config::Config& shipped_config() {
    static const config::Config config =
        config::load_config(INTAKE_SOURCE_DIR "/config/intake.toml");
    return config;
}

std::unique_ptr<Decision> decide_file(const std::string& name, const std::string& mailbox_name) {
    const auto& config = shipped_config();
    const config::Mailbox* mailbox = config.find_mailbox(mailbox_name);
    const config::Organisation* org = config.find_organisation(mailbox->organisation);
    const std::string raw = read_file(std::string(INTAKE_TEST_DATA) + "/eml/" + name);
    EXPECT_FALSE(raw.empty()) << name;
    return decide(raw, {config, *mailbox, *org, std::chrono::system_clock::now()});
}

struct Expected {
    std::string file;
    std::string mailbox;
    std::string posting;
    std::string routed_by;
    std::string deadline;
    std::string ack_status;
    std::string ack_reason;  ///< empty: none
    std::map<std::string, std::string>
        roles;                 ///< original name -> role ("body" for the body letter)
    std::string ack_language;  ///< empty: not checked
};

void PrintTo(const Expected& e, std::ostream* os) { *os << e.file; }

class DecideFile : public ::testing::TestWithParam<Expected> {};

TEST_P(DecideFile, MatchesTheSpec) {
    const Expected& e = GetParam();
    const auto d = decide_file(e.file, e.mailbox);
    const record::Application& app = d->application;
    EXPECT_EQ(app.posting, e.posting);
    EXPECT_EQ(app.routing.by, e.routed_by);
    EXPECT_EQ(app.deadline.status, e.deadline);
    EXPECT_EQ(app.acknowledgement.status, e.ack_status);
    EXPECT_EQ(app.acknowledgement.reason.value_or(""), e.ack_reason);
    if (!e.ack_language.empty()) {
        EXPECT_EQ(app.acknowledgement.language, e.ack_language);
    }
    for (const auto& [name, role] : e.roles) {
        bool found = false;
        for (const auto& doc : app.documents) {
            const bool same = name == "body" ? doc.source == "body" : doc.original_name == name;
            if (!same) continue;
            found = true;
            EXPECT_EQ(doc.role, role) << name;
        }
        EXPECT_TRUE(found) << name << " is not among the documents";
    }
    if (e.ack_status == "queued") {
        EXPECT_FALSE(app.acknowledgement.text.empty());
        EXPECT_FALSE(app.acknowledgement.subject.empty());
    } else {
        EXPECT_TRUE(app.acknowledgement.text.empty());
    }
    // The organisation promises feedback or does not (spec §6).
    EXPECT_EQ(app.feedback.has_value(), e.mailbox == "atlantic-cities");
}

const std::string kPdf = "application/pdf";

INSTANTIATE_TEST_SUITE_P(
    Shipped, DecideFile,
    ::testing::Values(
        Expected{"decide_cemr_platforma_lowercase_re.eml",
                 "cemr",
                 "platforma-internship",
                 "subject",
                 "none",
                 "queued",
                 "",
                 {{"Ana_Silva_CV.pdf", "cv"}, {"Ana_Silva_cover_letter.pdf", "cover_letter"}},
                 "en"},
        Expected{"decide_cemr_projects_lead_fwd.eml",
                 "cemr",
                 "project-lead",
                 "subject",
                 "on_time",
                 "queued",
                 "",
                 {{"Novak_Lebenslauf.pdf", "cv"}, {"Novak_Anschreiben.pdf", "cover_letter"}},
                 ""},
        Expected{"decide_cemr_assistant_late.eml",
                 "cemr",
                 "assistant-logistics-administration",
                 "subject",
                 "late",
                 "queued",
                 "",
                 {{"Li_Wei_CV.pdf", "cv"}},
                 ""},
        Expected{"decide_cemr_assistant_deadline_day.eml",
                 "cemr",
                 "assistant-logistics-administration",
                 "subject",
                 "on_time",
                 "queued",
                 "",
                 {},
                 ""},
        Expected{"decide_cemr_paris_english_title.eml",
                 "cemr",
                 "charge-projet-citoyennete-egalite",
                 "subject",
                 "none",
                 "queued",
                 "",
                 {},
                 "en"},
        Expected{"decide_cemr_internship_any_body_only.eml",
                 "cemr",
                 "internship-any",
                 "body",
                 "none",
                 "queued",
                 "",
                 {{"Paul_Martin_CV.pdf", "cv"}},
                 ""},
        Expected{"decide_cemr_list_mail.eml",
                 "cemr",
                 "unsorted",
                 "none",
                 "none",
                 "suppressed",
                 "mailing list",
                 {},
                 ""},
        Expected{"decide_cemr_noreply_jobboard.eml",
                 "cemr",
                 "policy-internship",
                 "subject",
                 "none",
                 "suppressed",
                 "no-reply sender",
                 {},
                 ""},
        Expected{"decide_cemr_own_address_loop.eml",
                 "cemr",
                 "policy-internship",
                 "subject",
                 "none",
                 "suppressed",
                 "own address",
                 {},
                 ""},
        Expected{"decide_ac_futures_d1_fr.eml",
                 "atlantic-cities",
                 "futures-d1-vocational-training",
                 "subject",
                 "none",
                 "queued",
                 "",
                 {{"CV_Yann_Le_Goff.pdf", "cv"}, {"Lettre_de_motivation_Yann.pdf", "cover_letter"}},
                 "fr"},
        Expected{
            "decide_ac_futures_d2_es.eml",
            "atlantic-cities",
            "futures-d2-professional-training",
            "subject",
            "none",
            "queued",
            "",
            {{"Curriculum_Lucia_Garcia.pdf", "cv"}, {"Carta_de_motivacion_EN.pdf", "cover_letter"}},
            "es"},
        Expected{"decide_ac_futures_d4_training_contract.eml",
                 "atlantic-cities",
                 "futures-d4-training-contract",
                 "subject",
                 "none",
                 "queued",
                 "",
                 {},
                 "fr"},
        Expected{"decide_ac_speculative_es.eml",
                 "atlantic-cities",
                 "speculative",
                 "subject",
                 "none",
                 "queued",
                 "",
                 {{"CV_Marta_Ruiz.pdf", "cv"}},
                 "es"},
        Expected{"decide_ac_futures_a_no_agreement.eml",
                 "atlantic-cities",
                 "futures-a-university-internship",
                 "subject",
                 "none",
                 "queued",
                 "",
                 {},
                 "en"},
        Expected{"decide_ac_auto_submitted_generated.eml",
                 "atlantic-cities",
                 "unsorted",
                 "none",
                 "none",
                 "suppressed",
                 "auto-reply",
                 {},
                 ""},
        Expected{"decide_ac_no_cover_letter_body_letter.eml",
                 "atlantic-cities",
                 "futures-b-european-mobility",
                 "subject",
                 "none",
                 "queued",
                 "",
                 {{"CV_Joao_Santos.pdf", "cv"}, {"body", "cover_letter"}},
                 "en"}));

TEST(Decide, FeedbackNamesWhatIsMissingInTheReplyLanguage) {
    const auto speculative = decide_file("decide_ac_speculative_es.eml", "atlantic-cities");
    const auto& feedback = speculative->application.feedback;
    ASSERT_TRUE(feedback);
    ASSERT_FALSE(feedback->weaknesses.empty());
    EXPECT_EQ(feedback->weaknesses[0].code, "missing_cover_letter");
    EXPECT_FALSE(feedback->weaknesses[0].text.empty());
    EXPECT_NE(speculative->application.acknowledgement.text.find(feedback->weaknesses[0].text),
              std::string::npos);

    const auto option_a = decide_file("decide_ac_futures_a_no_agreement.eml", "atlantic-cities");
    bool flagged = false;
    for (const auto& w : option_a->application.feedback->weaknesses) {
        flagged |= w.code == "learning_agreement_not_mentioned";
    }
    EXPECT_TRUE(flagged);
}

TEST(Decide, TheBodyLetterIsFiledAsText) {
    const auto d = decide_file("decide_ac_no_cover_letter_body_letter.eml", "atlantic-cities");
    const auto& docs = d->application.documents;
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_EQ(docs[1].file, "Cover letter - João Santos.txt");
    EXPECT_EQ(docs[1].media_type, "text/plain");
    EXPECT_EQ(d->files[1].bytes.substr(0, 27), "Dear Atlantic Cities team,\n");
}

TEST(Decide, TheSameMessageGetsTheSameIdAndKeys) {
    const auto first = decide_file("decide_cemr_platforma_lowercase_re.eml", "cemr");
    const auto again = decide_file("decide_cemr_platforma_lowercase_re.eml", "cemr");
    EXPECT_EQ(first->application.id, again->application.id);
    EXPECT_EQ(first->message_key, "<decide_cemr_platforma_lowercase_re@example.pt>");
    EXPECT_EQ(first->content_key, again->content_key);
    EXPECT_TRUE(first->application.id.starts_with("2025-03-10_ana-silva_"));
}

TEST(Decide, AMessageOverTheSizeLimitIsRefusedNamingTheLimit) {
    config::Config config = shipped_config();
    config.limits.max_message_bytes = 100;
    const config::Mailbox& mailbox = *config.find_mailbox("cemr");
    const config::Organisation& org = *config.find_organisation("cemr");
    const std::string raw =
        read_file(std::string(INTAKE_TEST_DATA) + "/eml/decide_cemr_list_mail.eml");
    try {
        decide(raw, {config, mailbox, org, std::chrono::system_clock::now()});
        FAIL() << "an oversized message was accepted";
    } catch (const PermanentError& e) {
        EXPECT_NE(std::string(e.what()).find("max_message_bytes"), std::string::npos) << e.what();
    }
}

// The _failed/ id comes from the message alone: a retry after midnight (or any
// later attempt) names the same folder, so it replaces the first copy.
TEST(FailedId, IsTheArrivalDayFromTheTopmostReceivedLineAndAHash) {
    const std::string raw =
        "Received: from mx.example.org by imap.cemr.eu; Sun, 2 Mar 2025 23:59:58 +0000\r\n"
        "Received: from a by b; Sat, 1 Mar 2025 10:00:00 +0000\r\n"
        "Date: Fri, 28 Feb 2025 10:00:00 +0100\r\n"
        "From: a@example.org\r\n\r\nbody";
    const std::string id = failed_id(raw);
    EXPECT_EQ(id.substr(0, 11), "2025-03-02_") << id;
    EXPECT_EQ(id.size(), 23u) << id;
    EXPECT_EQ(failed_id(raw), id);
    EXPECT_NE(failed_id(raw + " "), id);
}

TEST(FailedId, IsTheDateHeadersDayWithoutReceivedAndTheHashAloneWithoutEither) {
    EXPECT_EQ(failed_id("Date: Mon, 3 Mar 2025 01:00:00 +0200\r\n\r\nx").substr(0, 11),
              "2025-03-02_");
    const std::string undated = failed_id("From: a@example.org\r\n\r\nx");
    EXPECT_EQ(undated.size(), 12u) << undated;
    EXPECT_EQ(undated.find('_'), std::string::npos) << undated;
    EXPECT_EQ(failed_id("Date: not a date\r\n\r\nx").size(), 12u);
}

TEST(FailedId, NamesAMessageThatCannotBeParsedByItsHeader) {
    // Over max_parts: decide() refuses it, and that is when failed_id is asked.
    std::string raw =
        "Date: Tue, 4 Mar 2025 12:00:00 +0000\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    for (int i = 0; i < 500; ++i) raw += "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n";
    raw += "--b--\r\n";
    const auto& config = shipped_config();
    EXPECT_THROW(decide(raw, {config, *config.find_mailbox("cemr"),
                              *config.find_organisation("cemr"), std::chrono::system_clock::now()}),
                 PermanentError);
    EXPECT_EQ(failed_id(raw).substr(0, 11), "2025-03-04_");
}

}  // namespace
}  // namespace intake::daemon
