// Every real-shaped mail of shared/conformance parses as HR would read it:
// subject decoded, the documents found with their names as written and their
// bytes decoded (sizes checked against Python's email package), the body text
// being the applicant's own words.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mime/mime.h"

namespace intake::mime {
namespace {

const std::filesystem::path kDir = INTAKE_SOURCE_DIR "/../shared/conformance/mail";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Doc {
    std::string name;
    std::size_t size;
    std::string magic;  ///< first bytes of the decoded content
};

struct Case {
    std::string file;
    std::string subject;
    std::string from;
    std::string content_type;
    std::vector<Doc> docs;
    std::string body_phrase;
};

// Readable test names in ctest output instead of a byte dump.
void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }

const std::string kDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const std::vector<Case>& cases() {
    static const std::vector<Case> kCases = {
        {"01-policy-gmail.eml",
         "Policy Internship",
         "ingrid.solberg@gmail.com",
         "multipart/mixed",
         {{"Ingrid-Solberg-CV.pdf", 44685, "%PDF"},
          {"Ingrid-Solberg-cover-letter.pdf", 23698, "%PDF"}},
         "application for the Policy Internship (autumn 2025)"},
        {"02-progs-outlook-signature-logo.eml",
         "Projects & Programmes Internship",
         "riccardo.esposito@mail.polimi.it",
         "multipart/mixed",
         {{"image003.png", 175, "\x89PNG"},
          {"CV_Esposito_Riccardo.docx", 37203, "PK"},
          {"CoverLetter_Esposito_Riccardo.pdf", 2446, "%PDF"}},
         "my cover letter for the Projects & Programmes Internship"},
        {"03-platforma-apple-inline.eml",
         "PLATFORMA Internship",
         "amelie.vdb@icloud.com",
         "multipart/alternative",
         {{"CV_Amelie_Vandenberghe_EN.pdf", 44694, "%PDF"},
          {"Motivation_Amelie_Vandenberghe.pdf", 23645, "%PDF"}},
         "application for the PLATFORMA Internship"},
        {"04-any-internship-letter-in-body.eml",
         "Application for Internship",
         "bogdan.ionescu@snspa.ro",
         "multipart/mixed",
         {{"Bogdan_Ionescu_Resume.pdf", 44660, "%PDF"}},
         "I am writing to apply for an internship at CEMR"},
        {"05-any-internship-accented-2231-names.eml",
         "Internship Application – Éloïse Ménard",
         "eloise.menard@etu.univ-grenoble-alpes.fr",
         "multipart/mixed",
         {{"Éloïse_Ménard_CV.pdf", 45066, "%PDF"},
          {"Éloïse_Ménard_lettre_de_motivation.pdf", 24492, "%PDF"}},
         "ma lettre de motivation"},
        {"06-progs-subject-typo.eml",
         "Projects & Programmes Intership",
         "henrik.dahl@post.au.dk",
         "multipart/mixed",
         {{"Henrik_Dahl_CV.pdf", 44738, "%PDF"}, {"Henrik_Dahl_cover_letter.pdf", 23812, "%PDF"}},
         "CV and cover letter"},
        {"07-policy-tr-forward.eml",
         "TR: Policy Internship",
         "clemence.aubry@sciencespo-lille.eu",
         "multipart/mixed",
         {{"Aubry_Clemence_CV_EN.pdf", 44574, "%PDF"},
          {"Aubry_Clemence_lettre_de_motivation.pdf", 24111, "%PDF"}},
         "vous transférer ma candidature"},
        {"08-lead-before-deadline.eml",
         "Project Lead",
         "stefan.petrovic.bg@gmail.com",
         "multipart/mixed",
         {{"Petrovic_Stefan_CV.docx", 37326, "PK"},
          {"Petrovic_Stefan_Cover_Letter.docx", 37354, "PK"}},
         "for the Project Lead vacancy"},
        {"09-lead-after-deadline-lisbon.eml",
         "Project Lead – Joana Pires",
         "joana.pires@outlook.pt",
         "multipart/mixed",
         {{"Joana Pires - Curriculum Vitae.pdf", 2532, "%PDF"},
          {"Joana Pires - Cover Letter.pdf", 2360, "%PDF"}},
         "my application for the Project Lead post"},
        {"10-assistant-cv-by-content.eml",
         "Assistant, Logistics & Administration",
         "nadia.bouzid@hotmail.be",
         "multipart/mixed",
         {{"20250428_083112.pdf", 2639, "%PDF"}, {"Nadia_Bouzid_cover_letter.pdf", 2345, "%PDF"}},
         "Assistant, Logistics & Administration post"},
        {"11-paris-post-encoded-subject.eml",
         "Chargé de projet Citoyenneté/Égalité – candidature de Bastien Chevalier",
         "bchevalier@mailo.com",
         "multipart/mixed",
         {{"Bastien_Chevalier_CV.odt", 2534, "PK"},
          {"Bastien_Chevalier_lettre_de_motivation.pdf", 2487, "%PDF"}},
         "basé à Paris"},
        {"12-cemr-unsorted-study-visit.eml",
         "Study visit to Brussels in June",
         "rasmus.holm.se@gmail.com",
         "multipart/alternative",
         {},
         "visit Brussels in the week of 16 June"},
        {"13-cemr-auto-reply.eml",
         "Automatic reply: Re: Your message to CEMR",
         "katrien.mertens@gemeentenbond.example",
         "text/plain",
         {},
         "I am away until Friday 4 April"},
        {"14-traversal-attachment-names.eml",
         "Internship Application (any team)",
         "o.svoboda@centrum.cz",
         "multipart/mixed",
         {{"Svoboda_CV.pdf", 44409, "%PDF"},
          {"Svoboda_cover_letter.pdf", 23441, "%PDF"},
          {"../../../../root/.ssh/authorized_keys", 102, "ssh-"},
          {"..\\..\\..\\Users\\Public\\Démarrage\\mise_à_jour.bat", 76, "@ech"}},
         "documents for an internship at CEMR"},
        {"15-unclosed-multipart.eml",
         "Assistant, Logistics & Administration – Dorota Wrona",
         "dorota.wrona@o2.pl",
         "multipart/mixed",
         {{"Dorota_Wrona_CV.pdf", 44507, "%PDF"},
          {"Dorota_Wrona_motivation_letter.pdf", 23423, "%PDF"}},
         "my CV and my motivation letter"},
        {"16-roster-es-cv-en-letter.eml",
         "Speculative application – Nerea Agirre",
         "nerea.agirre@gmail.com",
         "multipart/mixed",
         {{"Nerea_Agirre_CV_ES.pdf", 45194, "%PDF"},
          {"Nerea_Agirre_Cover_Letter_EN.pdf", 23816, "%PDF"}},
         "my CV in Spanish"},
        {"17-roster-all-portuguese.eml",
         "Candidatura espontânea – técnica de comunicação",
         "mariana.teixeira@gmail.com",
         "multipart/mixed",
         {{"Mariana_Teixeira_CV.pdf", 2584, "%PDF"},
          {"Mariana_Teixeira_carta_de_apresentacao.pdf", 2216, "%PDF"}},
         "a minha carta de apresentação"},
        {"18-futures-a-letter-only.eml",
         "University internship – Atlantic Futures (option A)",
         "gaspard.rioual@etud.univ-ubs.fr",
         "multipart/mixed",
         {{"Gaspard_Rioual_cover_letter.pdf", 23526, "%PDF"}},
         "The learning agreement will be signed"},
        {"19-futures-b-mobility.eml",
         "European mobility – Ciara Brennan",
         "ciara.brennan@outlook.ie",
         "multipart/mixed",
         {{"Ciara_Brennan_CV.pdf", 44427, "%PDF"},
          {"Ciara_Brennan_Cover_Letter.pdf", 23369, "%PDF"}},
         "European mobility (option B)"},
        {"20-futures-c-pmsmp.eml",
         "PMSMP – demande d'immersion d'un mois",
         "lou.kerbrat@gmail.com",
         "multipart/mixed",
         {{"Lou_Kerbrat_CV.pdf", 2405, "%PDF"},
          {"Lou_Kerbrat_lettre_de_motivation.pdf", 2211, "%PDF"}},
         "Voici ma demande de PMSMP"},
        {"21-futures-d3-apple.eml",
         "Modelling EU affairs (D.3) – one-week immersion",
         "covadonga.suarez@me.com",
         "multipart/alternative",
         {{"Covadonga_Suarez_CV.pdf", 44967, "%PDF"},
          {"Covadonga_Suarez_cover_letter.pdf", 23634, "%PDF"}},
         "civil servant at the City of Avilés"},
        {"22-ac-unsorted-invoice.eml",
         "Fatura FT 2025/118 – tradução da newsletter de março",
         "faturacao@traducoes-atlantico.example",
         "multipart/mixed",
         {{"FT_2025_118.pdf", 2155, "%PDF"}},
         "Segue em anexo a fatura"},
        {"23-ac-delivery-failure.eml",
         "Mail delivery failed: returning message to sender",
         "Mailer-Daemon@mx.atlanticcities.eu",
         "multipart/report",
         {},
         "could not be delivered to one or more of its"},
        {"24-futures-d5-lycee.eml",
         "High school internship (D.5) – stage de seconde",
         "maelys.tanguy@gmail.com",
         "multipart/mixed",
         {{"Maelys_Tanguy_CV.pdf", 2395, "%PDF"},
          {"Maelys_Tanguy_lettre_de_motivation.pdf", 2188, "%PDF"}},
         "stage d'observation de seconde"},
    };
    return kCases;
}

class MimeConformance : public ::testing::TestWithParam<Case> {
protected:
    void SetUp() override {
        if (!std::filesystem::is_directory(kDir)) GTEST_SKIP() << kDir << " is absent";
    }
};

TEST_P(MimeConformance, ParsesAsHrReadsIt) {
    const Case& c = GetParam();
    const std::string raw = read_file(kDir / c.file);
    ASSERT_FALSE(raw.empty()) << c.file;
    const ParsedMessage m = parse_message(raw, Limits{});

    EXPECT_EQ(m.subject, c.subject);
    EXPECT_EQ(m.from.address, c.from);
    EXPECT_EQ(m.content_type, c.content_type);
    EXPECT_NE(m.body_text.find(c.body_phrase), std::string::npos) << m.body_text;
    EXPECT_TRUE(m.date.has_value());
    EXPECT_TRUE(m.received_date.has_value());
    EXPECT_FALSE(m.message_id.empty());

    ASSERT_EQ(m.attachments.size(), c.docs.size());
    for (std::size_t i = 0; i < c.docs.size(); ++i) {
        const Attachment& a = m.attachments[i];
        EXPECT_EQ(a.file_name, c.docs[i].name);
        EXPECT_EQ(a.content.size(), c.docs[i].size) << a.file_name;
        EXPECT_EQ(a.content.substr(0, c.docs[i].magic.size()), c.docs[i].magic) << a.file_name;
        if (c.docs[i].magic == "%PDF") {
            // Decoded to the very end: a PDF closes with %%EOF.
            EXPECT_NE(a.content.rfind("%%EOF"), std::string::npos) << a.file_name;
            EXPECT_GT(a.content.rfind("%%EOF"), a.content.size() - 16) << a.file_name;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(SharedMail, MimeConformance, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                             std::string name =
                                 "m";  // (not "m" + ...: GCC 12 -Wrestrict false positive)
                             name += param_info.param.file.substr(0, 2);
                             return name;
                         });

// Facts particular to single messages.

ParsedMessage parse_shared(const std::string& file) {
    return parse_message(read_file(kDir / file), Limits{});
}

TEST(MimeConformanceDetail, OutlookSignatureLogoIsRelatedImage) {
    if (!std::filesystem::is_directory(kDir)) GTEST_SKIP();
    const ParsedMessage m = parse_shared("02-progs-outlook-signature-logo.eml");
    ASSERT_EQ(m.attachments.size(), 3u);
    const Attachment& logo = m.attachments[0];
    EXPECT_TRUE(logo.in_related);
    EXPECT_TRUE(logo.inline_disposition);
    EXPECT_EQ(logo.media_type, "image/png");
    EXPECT_EQ(logo.content_id, "<image003.png@01DB82C4.7A1E3F20>");
    EXPECT_FALSE(m.attachments[1].in_related);
    EXPECT_FALSE(m.attachments[1].inline_disposition);
    EXPECT_EQ(m.attachments[1].media_type, kDocx);
    EXPECT_EQ(m.body_text.find("cid:"), std::string::npos);
}

TEST(MimeConformanceDetail, AppleInlinePdfsAreInlineDocuments) {
    if (!std::filesystem::is_directory(kDir)) GTEST_SKIP();
    const ParsedMessage m = parse_shared("03-platforma-apple-inline.eml");
    ASSERT_EQ(m.attachments.size(), 2u);
    for (const Attachment& a : m.attachments) {
        EXPECT_TRUE(a.inline_disposition);
        EXPECT_FALSE(a.in_related);
        EXPECT_EQ(a.media_type, "application/pdf");
    }
    EXPECT_EQ(m.from.name, "Amélie Vandenberghe");
}

TEST(MimeConformanceDetail, UnclosedMultipartIsNoted) {
    if (!std::filesystem::is_directory(kDir)) GTEST_SKIP();
    const ParsedMessage m = parse_shared("15-unclosed-multipart.eml");
    EXPECT_NE(std::find(m.problems.begin(), m.problems.end(), "missing closing boundary"),
              m.problems.end());
}

TEST(MimeConformanceDetail, LateLisbonDateIsReadInUtc) {
    if (!std::filesystem::is_directory(kDir)) GTEST_SKIP();
    const ParsedMessage m = parse_shared("09-lead-after-deadline-lisbon.eml");
    using namespace std::chrono;
    ASSERT_TRUE(m.date && m.received_date);
    EXPECT_EQ(*m.date, sys_days{2025y / March / 14} + 23h + 20min);
    EXPECT_EQ(*m.received_date, sys_days{2025y / March / 14} + 23h + 20min + 4s);
}

TEST(MimeConformanceDetail, BounceKeepsReportTypeAndOwnText) {
    if (!std::filesystem::is_directory(kDir)) GTEST_SKIP();
    const ParsedMessage m = parse_shared("23-ac-delivery-failure.eml");
    EXPECT_EQ(m.content_type, "multipart/report");
    EXPECT_EQ(m.header("Auto-Submitted"), "auto-replied");
    EXPECT_EQ(m.header("return-path"), "<>");
    // The returned message is not the bounce's own text.
    EXPECT_EQ(m.body_text.find("Dear Ms Pereira"), std::string::npos);
}

TEST(MimeConformanceDetail, AllConformanceMailParsesWithoutProblemsButTheBrokenOne) {
    if (!std::filesystem::is_directory(kDir)) GTEST_SKIP();
    for (const Case& c : cases()) {
        const ParsedMessage m = parse_shared(c.file);
        if (c.file.starts_with("15-")) continue;
        EXPECT_TRUE(m.problems.empty())
            << c.file << ": " << (m.problems.empty() ? "" : m.problems[0]);
    }
}

}  // namespace
}  // namespace intake::mime
