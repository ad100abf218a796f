#include "record/application.h"

namespace intake::record {
namespace {

using Json = nlohmann::ordered_json;

Json optional_string(const std::optional<std::string>& value) {
    return value ? Json(*value) : Json(nullptr);
}

std::optional<std::string> read_optional(const Json& j, const char* key) {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    return j.at(key).get<std::string>();
}

Json document_json(const Document& d) {
    Json j{{"role", d.role},
           {"file", d.file},
           {"original_name", d.original_name},
           {"source", d.source},
           {"media_type", d.media_type},
           {"size", d.size},
           {"sha256", d.sha256},
           {"language", optional_string(d.language)},
           {"text", {{"method", d.text_method}, {"status", d.text_status}}}};
    return j;
}

Json items_json(const std::vector<FeedbackItem>& items) {
    Json list = Json::array();
    for (const auto& item : items) list.push_back({{"code", item.code}, {"text", item.text}});
    return list;
}

std::vector<FeedbackItem> read_items(const Json& list) {
    std::vector<FeedbackItem> items;
    for (const auto& item : list) {
        items.push_back({item.at("code").get<std::string>(), item.at("text").get<std::string>()});
    }
    return items;
}

}  // namespace

Json to_json(const Application& app, bool with_reply_text) {
    Json docs = Json::array();
    for (const auto& d : app.documents) docs.push_back(document_json(d));
    Json checks = Json::array();
    for (const auto& c : app.checks) {
        Json check{{"code", c.code}, {"ok", c.ok}};
        if (c.value) check["value"] = *c.value;
        checks.push_back(std::move(check));
    }

    Json j;
    j["schema"] = app.schema;
    j["id"] = app.id;
    j["organisation"] = app.organisation;
    j["posting"] = app.posting;
    j["mailbox"] = app.mailbox;
    j["received_at"] = app.received_at;
    j["message_id"] = app.message_id;
    j["subject"] = app.subject;
    j["routing"] = {{"by", app.routing.by},
                    {"alias", app.routing.alias.empty() ? Json(nullptr) : Json(app.routing.alias)},
                    {"distance", app.routing.distance}};
    j["applicant"] = {{"name", app.applicant.name}, {"email", app.applicant.email}};
    j["language"] = app.language;
    j["documents"] = docs;
    j["deadline"] = {{"status", app.deadline.status}, {"at", optional_string(app.deadline.at)}};
    j["checks"] = checks;
    if (app.feedback) {
        j["feedback"] = {{"strengths", items_json(app.feedback->strengths)},
                         {"weaknesses", items_json(app.feedback->weaknesses)}};
    }
    const auto& ack = app.acknowledgement;
    j["acknowledgement"] = {{"status", ack.status},
                            {"to", ack.to},
                            {"language", ack.language},
                            {"reason", optional_string(ack.reason)}};
    if (with_reply_text) {
        j["acknowledgement"]["subject"] = ack.subject;
        j["acknowledgement"]["text"] = ack.text;
    }
    j["duplicate_of"] = optional_string(app.duplicate_of);
    return j;
}

Application from_json(const Json& j) {
    Application app;
    app.schema = j.at("schema").get<int>();
    app.id = j.at("id").get<std::string>();
    app.organisation = j.at("organisation").get<std::string>();
    app.posting = j.at("posting").get<std::string>();
    app.mailbox = j.at("mailbox").get<std::string>();
    app.received_at = j.at("received_at").get<std::string>();
    app.message_id = j.at("message_id").get<std::string>();
    app.subject = j.at("subject").get<std::string>();
    const Json& routing = j.at("routing");
    app.routing = {routing.at("by").get<std::string>(),
                   read_optional(routing, "alias").value_or(""), routing.at("distance").get<int>()};
    app.applicant = {j.at("applicant").at("name").get<std::string>(),
                     j.at("applicant").at("email").get<std::string>()};
    app.language = j.at("language").get<std::string>();
    for (const auto& d : j.at("documents")) {
        app.documents.push_back(
            {d.at("role").get<std::string>(), d.at("file").get<std::string>(),
             d.at("original_name").get<std::string>(), d.at("source").get<std::string>(),
             d.at("media_type").get<std::string>(), d.at("size").get<std::uint64_t>(),
             d.at("sha256").get<std::string>(), read_optional(d, "language")});
        if (d.contains("text")) {  // absent in records written before text was read
            app.documents.back().text_method = d.at("text").value("method", "none");
            app.documents.back().text_status = d.at("text").value("status", "ok");
        }
    }
    app.deadline = {j.at("deadline").at("status").get<std::string>(),
                    read_optional(j.at("deadline"), "at")};
    for (const auto& c : j.at("checks")) {
        app.checks.push_back(
            {c.at("code").get<std::string>(), c.at("ok").get<bool>(), read_optional(c, "value")});
    }
    if (j.contains("feedback")) {
        app.feedback = Feedback{read_items(j.at("feedback").at("strengths")),
                                read_items(j.at("feedback").at("weaknesses"))};
    }
    const Json& ack = j.at("acknowledgement");
    app.acknowledgement.status = ack.at("status").get<std::string>();
    app.acknowledgement.to = ack.at("to").get<std::string>();
    app.acknowledgement.language = ack.at("language").get<std::string>();
    app.acknowledgement.reason = read_optional(ack, "reason");
    app.duplicate_of = read_optional(j, "duplicate_of");
    return app;
}

std::string to_text(const Application& app) { return to_json(app).dump(2) + "\n"; }

std::string with_acknowledgement(const std::string& text, const std::string& status,
                                 const std::optional<std::string>& reason) {
    Json j = Json::parse(text);
    Json& ack = j.at("acknowledgement");
    ack.at("status") = status;
    ack["reason"] = optional_string(reason);
    return j.dump(2) + "\n";
}

namespace {

std::string files_of_role(const Application& app, std::string_view role) {
    std::string out;
    for (const auto& d : app.documents) {
        if (d.role != role) continue;
        if (!out.empty()) out += "; ";
        out += d.file;
    }
    return out;
}

/// What the checks found, for HR: every problem by its code, and what was read
/// ("cv_language=es", "languages_claimed=en:C2 fr:C1") where there is a value.
std::string checks_summary(const Application& app) {
    std::string out;
    for (const auto& c : app.checks) {
        std::string item;
        if (!c.ok) item = c.code;
        if (c.value && !c.value->empty()) item = (item.empty() ? c.code : item) + "=" + *c.value;
        if (item.empty()) continue;
        if (!out.empty()) out += "; ";
        out += item;
    }
    return out;
}

}  // namespace

IndexRow index_row(const Application& app) {
    return {{app.id, app.received_at, app.applicant.name, app.applicant.email, app.subject,
             files_of_role(app, "cv"), files_of_role(app, "cover_letter"),
             files_of_role(app, "other"), app.deadline.status, checks_summary(app), app.routing.by,
             app.acknowledgement.status, app.duplicate_of.value_or(""), app.id}};
}

std::string to_text(const IndexRow& row) { return Json(row.values).dump(); }

std::optional<IndexRow> index_row_from_text(std::string_view text, std::string_view ack_status) {
    const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_array() || j.size() != kIndexColumns.size()) return std::nullopt;
    IndexRow row;
    row.values.reserve(j.size());
    for (const Json& value : j) {
        if (!value.is_string()) return std::nullopt;
        row.values.push_back(value.get<std::string>());
    }
    row.values[kAcknowledgementColumn] = ack_status;
    return row;
}

}  // namespace intake::record
