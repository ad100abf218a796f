// intake once against real Dovecot and SMTP servers, on applications whose
// documents must be read: Atlantic Cities feedback codes from the text of a CV
// and a body letter, a winmail.dat unpacked into its files, and a document that
// makes the reader run out of time, which leaves the daemon running and the
// message filed.
#include <filesystem>
#include <set>

#include "e2e/e2e.h"
#include "fixtures/base64.h"
#include "record/application.h"

namespace intake::e2e {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::string fixture(const std::string& name) {
    return fixtures::read_file(fs::path(INTAKE_DOCS_FIXTURES) / name);
}

using fixtures::base64;

struct File {
    std::string name;
    std::string type;
    std::string bytes;
};

std::string mail(const std::string& from, const std::string& to, const std::string& subject,
                 const std::string& body, const std::vector<File>& files) {
    std::string m = "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject +
                    "\r\nDate: Mon, 03 Mar 2025 10:00:00 +0000\r\nMessage-ID: <" +
                    std::to_string(std::hash<std::string>{}(subject + from)) +
                    "@e2e.example>\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                    "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: 8bit\r\n\r\n" +
                    body + "\r\n";
    for (const auto& f : files) {
        m += "--b1\r\nContent-Type: " + f.type + "; name=\"" + f.name +
             "\"\r\nContent-Disposition: attachment; filename=\"" + f.name +
             "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64(f.bytes);
    }
    return m + "--b1--\r\n";
}

Json application_of(const std::vector<fs::path>& folders, const std::string& posting) {
    for (const auto& f : folders) {
        if (f.parent_path().filename() == posting) {
            return Json::parse(fixtures::read_file(f / "application.json"));
        }
    }
    return Json();
}

std::set<std::string> codes(const Json& items) {
    std::set<std::string> out;
    for (const auto& i : items) out.insert(i.at("code").get<std::string>());
    return out;
}

const char* kEnglishBodyLetter =
    "Dear Sir or Madam,\r\n\r\n"
    "I am writing to apply for a university internship in the Atlantic Futures programme. "
    "I study law at the University of Oviedo and have worked for five years on European "
    "projects for my city council. I would be glad to support your team in Rennes for "
    "five months and to learn how a network of cities works with the European institutions.\r\n"
    "\r\nKind regards,\r\nLucía Fernández Ruiz\r\n";

TEST_F(IntakeE2E, AtlanticCitiesFeedbackComesFromTheDocumentsText) {
    // A Spanish CV under an unhelpful name, the English letter in the body, and
    // no name in From: strengths from the CV's languages and years, and the
    // learning agreement of option A not mentioned.
    imap_.append(kAtlanticFolder,
                 mail("lucia.fr@example.es", "rh@atlanticcities.eu", "University internship",
                      kEnglishBodyLetter,
                      {{"Documento1.odt", "application/vnd.oasis.opendocument.text",
                        fixture("Documento1.odt")}}));
    ASSERT_EQ(intake("once"), 0) << output_;

    const Json app = application_of(application_folders(), "futures-a-university-internship");
    ASSERT_FALSE(app.is_null()) << output_;
    EXPECT_EQ(app["applicant"]["name"], "Lucía Fernández Ruiz");
    ASSERT_EQ(app["documents"].size(), 2u);
    EXPECT_EQ(app["documents"][0]["role"], "cv");
    EXPECT_EQ(app["documents"][0]["language"], "es");
    EXPECT_EQ(app["documents"][0]["text"]["status"], "ok");
    EXPECT_EQ(app["documents"][1]["source"], "body");
    EXPECT_EQ(app["documents"][1]["language"], "en");
    EXPECT_EQ(codes(app["feedback"]["strengths"]),
              (std::set<std::string>{"three_atlantic_languages", "two_language_application",
                                     "eu_projects_experience"}));
    EXPECT_EQ(codes(app["feedback"]["weaknesses"]),
              (std::set<std::string>{"learning_agreement_not_mentioned"}));

    // The reply received says each of them in English.
    const auto received = smtp_.received();
    ASSERT_EQ(received.size(), 1u);
    const std::string text = qp_body(received[0].data);
    for (const char* sentence :
         {"at least three of the four Atlantic languages", "two-language format",
          "two years of experience with European projects", "learning agreement"}) {
        EXPECT_NE(text.find(sentence), std::string::npos) << sentence << "\n" << text;
    }
    // HR's index shows the checks.
    const std::string csv = fixtures::read_file(
        hr() / "atlantic-cities" / "futures-a-university-internship" / "applications.csv");
    EXPECT_NE(csv.find("learning_agreement_not_mentioned"), std::string::npos) << csv;
    EXPECT_NE(csv.find("cv_language=es"), std::string::npos) << csv;
}

TEST_F(IntakeE2E, AHangingDocumentAndAWinmailDatAreFiledAndTheDaemonGoesOn) {
    write_config("[limits]\nextract_cpu_seconds = 1\nextract_seconds = 3\n");
    // A PDF whose content inflates to hundreds of megabytes of drawing operators.
    imap_.append(
        kCemrFolder,
        mail("Ana Silva <ana@example.pt>", "application@ccre-cemr.org", "Policy Internship",
             "Please find my documents attached.",
             {{"scan_0001.pdf", "application/pdf", fixture("slow.pdf")},
              {"Ana_Silva_cover_letter.pdf", "application/pdf", fixture("document2.pdf")}}));
    // Outlook's TNEF wrapping a CV and a letter.
    imap_.append(kAtlanticFolder,
                 mail("Maria Lopez <maria@example.es>", "rh@atlanticcities.eu",
                      "Speculative application", "Hello, my application.",
                      {{"winmail.dat", "application/ms-tnef", fixture("winmail.dat")}}));
    ASSERT_EQ(intake("once"), 0) << output_;

    const auto folders = application_folders();
    ASSERT_EQ(folders.size(), 2u) << output_;
    const Json hang = application_of(folders, "policy-internship");
    ASSERT_FALSE(hang.is_null());
    EXPECT_EQ(hang["documents"][0]["text"]["status"], "unreadable");
    EXPECT_EQ(hang["documents"][0]["role"], "cv");  // the unreadable unnamed one
    bool flagged = false;
    for (const auto& c : hang["checks"]) {
        if (c["code"] == "document_unreadable" && c["ok"] == false) flagged = true;
    }
    EXPECT_TRUE(flagged) << hang.dump(2);
    // Filed as it came, byte for byte.
    fs::path hang_folder;
    for (const auto& f : folders) {
        if (f.parent_path().filename() == "policy-internship") hang_folder = f;
    }
    EXPECT_EQ(fixtures::read_file(hang_folder / "CV - Ana Silva.pdf"), fixture("slow.pdf"));

    const Json tnef = application_of(folders, "speculative");
    ASSERT_FALSE(tnef.is_null());
    ASSERT_EQ(tnef["documents"].size(), 2u) << tnef.dump(2);
    EXPECT_EQ(tnef["documents"][0]["original_name"], "CV Maria Lopez.pdf");
    EXPECT_EQ(tnef["documents"][0]["role"], "cv");
    EXPECT_EQ(tnef["documents"][1]["original_name"], "Carta.docx");
    EXPECT_EQ(tnef["documents"][1]["role"], "cover_letter");
    EXPECT_EQ(tnef["documents"][1]["language"], "es");
    // Both applicants were answered.
    EXPECT_EQ(smtp_.received().size(), 2u);
}

}  // namespace
}  // namespace intake::e2e
