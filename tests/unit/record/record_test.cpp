// The application record's one text (application.json), and the acknowledgement
// update made on that text without going through Application.
#include <gtest/gtest.h>

#include "record/application.h"

namespace intake::record {
namespace {

Application filed_application() {
    Application app;
    app.id = "2025-03-02_marie-dupont_7f3a9c";
    app.organisation = "atlantic-cities";
    app.posting = "speculative";
    app.mailbox = "atlantic-cities";
    app.received_at = "2025-03-02T10:15:00Z";
    app.message_id = "<abc@example.org>";
    app.subject = "Candidature spontanée – « Marie »";
    app.routing = {"subject", "candidature spontanée", 0};
    app.applicant = {"Marie Dupont", "marie.dupont@example.org"};
    app.language = "fr";
    app.documents = {{"cv", "CV - Marie Dupont.pdf", "MD_2025.pdf", "attachment", "application/pdf",
                      48213, "ab12", "en", "embedded", "ok"}};
    app.deadline = {"on_time", "2025-03-14T23:59:59+01:00"};
    app.checks = {{"languages_claimed", true, "en:C2 fr:native"}, {"missing_cv", true, {}}};
    app.feedback = Feedback{{{"languages_claimed", "Vous \"parlez\" plusieurs langues."}}, {}};
    app.acknowledgement = {"queued", "marie.dupont@example.org", "fr", std::nullopt, "", ""};
    return app;
}

TEST(RecordText, IsApplicationJsonIndentedWithAFinalNewline) {
    const std::string text = to_text(filed_application());
    EXPECT_EQ(text.substr(0, 17), "{\n  \"schema\": 1,\n");
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(to_text(from_json(nlohmann::ordered_json::parse(text))), text);
}

TEST(RecordText, WithAcknowledgementIsTheRecordSoChangedRenderedAgain) {
    const Application app = filed_application();
    const std::string filed = to_text(app);

    Application sent = app;
    sent.acknowledgement.status = "sent";
    EXPECT_EQ(with_acknowledgement(filed, "sent", std::nullopt), to_text(sent));

    Application failed = app;
    failed.acknowledgement.status = "failed";
    failed.acknowledgement.reason = "550 5.1.1 « no such user »";
    const std::string failed_text =
        with_acknowledgement(filed, "failed", std::string("550 5.1.1 « no such user »"));
    EXPECT_EQ(failed_text, to_text(failed));
    // And back: a reason is cleared when the new status has none.
    EXPECT_EQ(with_acknowledgement(failed_text, "sent", std::nullopt), to_text(sent));
}

TEST(RecordText, WithAcknowledgementRefusesWhatIsNotARecord) {
    EXPECT_ANY_THROW(with_acknowledgement("not json", "sent", std::nullopt));
    EXPECT_ANY_THROW(with_acknowledgement("{\"schema\": 1}", "sent", std::nullopt));
}

TEST(IndexRow, HoldsTheCsvColumnsOfTheApplication) {
    Application app = filed_application();
    app.documents.push_back({"cover_letter", "Lettre - Marie Dupont.pdf", "lettre.pdf",
                             "attachment", "application/pdf", 1000, "cd34", "fr", "embedded",
                             "ok"});
    app.checks.push_back({"missing_letter", false, {}});
    app.duplicate_of = "2025-03-01_marie-dupont_111111";
    const IndexRow row = index_row(app);
    ASSERT_EQ(row.values.size(), kIndexColumns.size());
    EXPECT_EQ(row.id(), app.id);
    EXPECT_EQ(row.values[2], "Marie Dupont");
    EXPECT_EQ(row.values[4], "Candidature spontanée – « Marie »");
    EXPECT_EQ(row.values[5], "CV - Marie Dupont.pdf");
    EXPECT_EQ(row.values[6], "Lettre - Marie Dupont.pdf");
    EXPECT_EQ(row.values[8], "on_time");
    EXPECT_EQ(row.values[9], "languages_claimed=en:C2 fr:native; missing_letter");
    EXPECT_EQ(row.values[kAcknowledgementColumn], "queued");
    EXPECT_EQ(row.values[12], "2025-03-01_marie-dupont_111111");
    EXPECT_EQ(row.values[13], app.id);
}

TEST(IndexRow, ComesBackFromItsTextWithTheAcknowledgementGiven) {
    const IndexRow row = index_row(filed_application());
    const auto back = index_row_from_text(to_text(row), "sent");
    ASSERT_TRUE(back.has_value());
    IndexRow expected = row;
    expected.values[kAcknowledgementColumn] = "sent";
    EXPECT_EQ(back->values, expected.values);
}

TEST(IndexRow, RefusesTextThatIsNotARow) {
    EXPECT_FALSE(index_row_from_text("", "sent"));
    EXPECT_FALSE(index_row_from_text("{\"id\": \"x\"}", "sent"));
    EXPECT_FALSE(index_row_from_text("[\"too\", \"few\"]", "sent"));
    EXPECT_FALSE(index_row_from_text(
        R"(["1","2","3","4","5","6","7","8","9","10","11","12","13",14])", "sent"));
}

}  // namespace
}  // namespace intake::record
