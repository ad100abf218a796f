#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/errors.h"

namespace intake::store {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "intake-store-XXXXXX").string();
        path_ = mkdtemp(tmpl.data());
    }
    ~TempDir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

TEST(SafeName, TraversalAndSeparatorsBecomePlainNames) {
    EXPECT_EQ(safe_name("../../../../root/.ssh/authorized_keys"),
              "_.._.._.._root_.ssh_authorized_keys");
    EXPECT_EQ(safe_name("..\\..\\Users\\Public\\mise_à_jour.bat"),
              "_.._Users_Public_mise_à_jour.bat");
    EXPECT_EQ(safe_name(".."), "attachment");
    EXPECT_EQ(safe_name("."), "attachment");
    EXPECT_EQ(safe_name(""), "attachment");
    EXPECT_EQ(safe_name(".bashrc"), "bashrc");
}

TEST(SafeName, ControlCharactersAndWindowsReservedNamesAreRemoved) {
    EXPECT_EQ(safe_name("cv\r\n\t.pdf"), "cv.pdf");
    EXPECT_EQ(safe_name("CON.txt"), "_CON.txt");
    EXPECT_EQ(safe_name("a:b*c?.pdf"), "a_b_c_.pdf");
    EXPECT_EQ(safe_name("report. "), "report");
}

TEST(SafeName, KeepsUnicodeInNfcAndCutsLongNamesKeepingTheExtension) {
    // "E" + combining acute (NFD) becomes the single NFC character.
    EXPECT_EQ(safe_name("E\xCC\x81lo\xC3\xAFse.pdf"), "\xC3\x89lo\xC3\xAFse.pdf");
    const std::string long_name = std::string(300, 'x') + "é.docx";
    const std::string cut = safe_name(long_name);
    EXPECT_LE(cut.size(), 255u);
    EXPECT_TRUE(cut.ends_with(".docx"));
    // Never cut inside a UTF-8 sequence.
    const std::string accents =
        safe_name(std::string(200, 'a') + std::string(60, 'x') + "ééééééééééééé");
    EXPECT_LE(accents.size(), 255u);
}

TEST(Names, ApplicationIdIsDateSlugAndShortId) {
    using namespace std::chrono;
    const sys_seconds t = sys_days{2025y / March / 2} + 10h + 15min;
    EXPECT_EQ(application_id(t, "Marie Dupont", "7f3a9c"), "2025-03-02_marie-dupont_7f3a9c");
    EXPECT_EQ(application_id(t, "Éloïse Ménard", "abc123"), "2025-03-02_eloise-menard_abc123");
    EXPECT_EQ(application_id(t, "../..", "abc123"), "2025-03-02_applicant_abc123");
}

TEST(Names, DocumentsAreNamedForHrWithoutClashes) {
    const std::vector<DocumentToName> docs = {
        {"cv", "attachment", "MD_2025.pdf", "application/pdf"},
        {"cover_letter", "body", "", "text/plain"},
        {"cv", "attachment", "cv-fr.DOCX", "application/octet-stream"},
        {"other", "attachment", "message.eml", "message/rfc822"},
        {"other", "attachment", "", "image/png"},
    };
    const auto names = document_file_names(docs, "Marie Dupont");
    ASSERT_EQ(names.size(), 5u);
    EXPECT_EQ(names[0], "CV - Marie Dupont.pdf");
    EXPECT_EQ(names[1], "Cover letter - Marie Dupont.txt");
    EXPECT_EQ(names[2], "CV - Marie Dupont.docx");
    EXPECT_EQ(names[3], "message (2).eml");  // the raw mail keeps message.eml
    EXPECT_EQ(names[4], "attachment.png");
}

TEST(IndexCsv, Rfc4180WithBomAndNoFormulaInjection) {
    record::Application app;
    app.id = "2025-03-02_marie-dupont_7f3a9c";
    app.received_at = "2025-03-02T10:15:00Z";
    app.applicant = {"Dupont, \"Marie\"", "marie@example.org"};
    app.subject = "=HYPERLINK(\"http://evil\")";
    app.documents = {
        {"cv", "CV - Marie.pdf", "a.pdf", "attachment", "application/pdf", 1, "x", {}}};
    app.deadline.status = "none";
    app.routing.by = "subject";
    app.acknowledgement.status = "queued";
    const std::string csv = index_csv({app}, ';');
    ASSERT_TRUE(
        csv.starts_with("\xEF\xBB\xBF"
                        "id;received_at;applicant_name;"));
    EXPECT_NE(csv.find("\"Dupont, \"\"Marie\"\"\""), std::string::npos);
    EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"http://evil\"\")\""), std::string::npos);
    EXPECT_NE(csv.find(";CV - Marie.pdf;"), std::string::npos);
    EXPECT_TRUE(csv.ends_with("\r\n"));
}

TEST(Filing, WritesTheFolderWholeWithModesAndReplacesALeftover) {
    TempDir tmp;
    config::Storage storage{tmp.path(), tmp.path() / "state", "", ','};
    record::Application app;
    app.id = "2025-03-02_marie-dupont_7f3a9c";
    app.organisation = "cemr";
    app.posting = "policy-internship";
    app.acknowledgement.status = "queued";
    const fs::path folder = application_folder(storage, app);
    // A folder left by an attempt that crashed before its commit.
    fs::create_directories(folder);
    std::ofstream(folder / "stale.txt") << "old";

    file_application(storage, app, {{"CV - Marie Dupont.pdf", "%PDF-1.4 cv"}}, "raw\r\nmail\r\n");
    EXPECT_FALSE(fs::exists(folder / "stale.txt"));
    EXPECT_EQ(read(folder / "CV - Marie Dupont.pdf"), "%PDF-1.4 cv");
    EXPECT_EQ(read(folder / "message.eml"), "raw\r\nmail\r\n");
    EXPECT_NE(read(folder / "application.json").find("\"posting\": \"policy-internship\""),
              std::string::npos);
    struct stat st {};
    ASSERT_EQ(stat((folder / "message.eml").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    ASSERT_EQ(stat(folder.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0750u);
    for (const auto& entry : fs::directory_iterator(folder.parent_path())) {
        EXPECT_FALSE(entry.path().filename().string().starts_with(".staging"));
    }
}

TEST(Filing, FailedMessagesKeepTheRawMailAndTheReason) {
    TempDir tmp;
    config::Storage storage{tmp.path(), tmp.path() / "state", "", ','};
    const fs::path dir =
        file_failed(storage, "cemr", "2025-03-02_abcdef123456", "broken", "too big");
    EXPECT_EQ(dir, tmp.path() / "cemr" / "_failed" / "2025-03-02_abcdef123456");
    EXPECT_EQ(read(dir / "message.eml"), "broken");
    EXPECT_EQ(read(dir / "reason.txt"), "too big\n");
}

record::Application posted(const std::string& id, const std::string& received_at) {
    record::Application app;
    app.id = id;
    app.organisation = "cemr";
    app.posting = "policy-internship";
    app.received_at = received_at;
    app.applicant = {"Ana", id + "@example.org"};
    app.acknowledgement.status = "queued";
    return app;
}

TEST(Filer, DeferredFilingWritesTheSameFolderAndSyncs) {
    TempDir tmp;
    config::Storage storage{tmp.path() / "root", tmp.path() / "state", "", ','};
    Filer filer(storage, Durability::deferred);
    const record::Application app = posted("2025-03-02_ana_111111", "2025-03-02T10:00:00Z");
    filer.file_application(app, {{"CV - Ana.pdf", "%PDF cv"}}, "raw");
    const fs::path failed = filer.file_failed("cemr", "2025-03-02_abcdef123456", "bad", "why");
    filer.sync();
    const fs::path folder = application_folder(storage, app);
    EXPECT_EQ(read(folder / "CV - Ana.pdf"), "%PDF cv");
    EXPECT_EQ(read(folder / "message.eml"), "raw");
    EXPECT_EQ(read(failed / "reason.txt"), "why\n");
    for (const auto& entry : fs::recursive_directory_iterator(storage.root)) {
        EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos);
        EXPECT_FALSE(entry.path().filename().string().starts_with(".staging"));
    }
}

TEST(Filer, ReturnsTheRecordItFiledAndRewritesItFromTheKeptText) {
    TempDir tmp;
    config::Storage storage{tmp.path() / "root", tmp.path() / "state", "", ','};
    Filer filer(storage, Durability::deferred);
    record::Application app = posted("2025-03-02_ana_111111", "2025-03-02T10:00:00Z");
    const std::string filed = filer.file_application(app, {{"CV - Ana.pdf", "%PDF cv"}}, "raw");
    const fs::path folder = application_folder(storage, app);
    EXPECT_EQ(filed, record::to_text(app));
    EXPECT_EQ(read(folder / "application.json"), filed);

    app.acknowledgement.status = "sent";
    filer.rewrite_record(app.organisation, app.posting, app.id, record::to_text(app));
    EXPECT_EQ(read(folder / "application.json"), record::to_text(app));
    // An application erased meanwhile is not brought back.
    filer.rewrite_record(app.organisation, app.posting, "2025-03-02_gone_222222", filed);
    EXPECT_FALSE(fs::exists(folder.parent_path() / "2025-03-02_gone_222222"));
}

TEST(Filer, RecreatesAFolderRemovedBehindItsBack) {
    TempDir tmp;
    config::Storage storage{tmp.path() / "root", tmp.path() / "state", "", ','};
    Filer filer(storage, Durability::deferred);
    filer.file_application(posted("2025-03-02_ana_111111", "2025-03-02T10:00:00Z"), {}, "1");
    // HR (or intake purge) removes the posting's folder; the Filer remembered it.
    fs::remove_all(storage.root / "cemr" / "policy-internship");
    const record::Application next = posted("2025-03-02_rui_222222", "2025-03-02T11:00:00Z");
    filer.file_application(next, {}, "2");
    EXPECT_EQ(read(application_folder(storage, next) / "message.eml"), "2");
}

// Enough bytes for the disk to be asked to start writing several times while
// the group is filed: every file is whole when the group is synced.
TEST(Filer, FilesWholeWhileTheDiskIsAskedToStartWritingEarly) {
    TempDir tmp;
    config::Storage storage{tmp.path() / "root", tmp.path() / "state", "", ','};
    std::vector<record::Application> apps;
    {
        Filer filer(storage, Durability::deferred);
        for (int i = 0; i < 12; ++i) {
            const std::string n = std::to_string(100000 + i);
            apps.push_back(posted("2025-03-02_ana_" + n, "2025-03-02T10:00:00Z"));
            const std::string cv(3u << 20, static_cast<char>('a' + i));
            filer.file_application(apps.back(), {{"CV.pdf", cv}}, "raw " + n);
        }
        filer.sync();
    }
    for (int i = 0; i < 12; ++i) {
        const fs::path folder = application_folder(storage, apps[static_cast<std::size_t>(i)]);
        EXPECT_EQ(read(folder / "CV.pdf"), std::string(3u << 20, static_cast<char>('a' + i)));
        EXPECT_EQ(read(folder / "message.eml"), "raw " + std::to_string(100000 + i));
    }
}

TEST(EarlyWriteback, NeedsAFolderOfTheFileSystemAndSaysWhichIsMissing) {
    TempDir tmp;
    try {
        EarlyWriteback early(tmp.path() / "missing");
        FAIL() << "no error";
    } catch (const TransientError& e) {
        EXPECT_NE(std::string(e.what()).find((tmp.path() / "missing").string()), std::string::npos)
            << e.what();
    }
    EarlyWriteback early(tmp.path());
    for (int i = 0; i < 100; ++i) early.start();  // returns at once; ends when destroyed
}

TEST(Filer, IndexIsRewrittenOnceThenAppendedTo) {
    TempDir tmp;
    config::Storage storage{tmp.path() / "root", tmp.path() / "state", "", ','};
    const fs::path csv = storage.root / "cemr" / "policy-internship" / "applications.csv";
    fs::create_directories(csv.parent_path());
    std::ofstream(csv) << "stale, from before a crash";
    const auto a = posted("a", "2025-03-02T10:00:00Z");
    const auto b = posted("b", "2025-03-02T11:00:00Z");
    const auto c = posted("c", "2025-03-02T12:00:00Z");

    Filer filer(storage, Durability::deferred);
    int full_reads = 0;
    std::vector<record::Application> all{a};
    const EachRow all_rows = [&](const auto& visit) {
        ++full_reads;
        for (const auto& app : all) visit(record::index_row(app));
    };
    // The first time this Filer sees the posting, the file is rebuilt from every row.
    filer.add_to_index("cemr", "policy-internship", {a}, all_rows);
    EXPECT_EQ(read(csv), index_csv({a}, ','));
    // Then new rows are appended: the rows already there are neither read nor written.
    all = {a, b, c};
    filer.add_to_index("cemr", "policy-internship", {b}, all_rows);
    filer.add_to_index("cemr", "policy-internship", {c}, all_rows);
    EXPECT_EQ(full_reads, 1);
    EXPECT_EQ(read(csv), index_csv({a, b, c}, ','));
    // A file that has gone is rebuilt, not started without its header.
    fs::remove(csv);
    filer.add_to_index("cemr", "policy-internship", {c}, all_rows);
    EXPECT_EQ(full_reads, 2);
    EXPECT_EQ(read(csv), index_csv({a, b, c}, ','));
}

}  // namespace
}  // namespace intake::store
