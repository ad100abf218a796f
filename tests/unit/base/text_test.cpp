// text:: helpers: charset conversion (with the aliases mail uses), UTF-8
// repair, NFC and folding.
#include "base/text.h"

#include <gtest/gtest.h>

#include <sstream>

namespace intake::text {
namespace {

TEST(TextCountWords, CountsWhatAStreamWouldRead) {
    for (const std::string s :
         {"", "   ", "one", " one two  three ", "a\tb\nc\vd\fe\rf", "« guillemets » ; !",
          "Ci-joint:\x0bmon CV", "caf\xc3\xa9\xc2\xa0noir", "\n\nx\n"}) {
        std::istringstream in(s);
        std::size_t by_stream = 0;
        for (std::string w; in >> w;) ++by_stream;
        EXPECT_EQ(count_words(s), by_stream) << s;
    }
    EXPECT_EQ(count_words(" one two  three "), 3u);
}

TEST(TextTrimmedLines, TrimsEachLineDropsBlankOnesAndStopsAtTheLimit) {
    const std::string text = "  first \r\n\n\t\nsecond\n   \n third\tpart \nlast";
    EXPECT_EQ(trimmed_lines(text, 10),
              (std::vector<std::string_view>{"first", "second", "third\tpart", "last"}));
    EXPECT_EQ(trimmed_lines(text, 2), (std::vector<std::string_view>{"first", "second"}));
    EXPECT_TRUE(trimmed_lines(" \n\r\n", 10).empty());
    EXPECT_TRUE(trimmed_lines("", 10).empty());
}

TEST(TextValidUtf8, KeepsValidText) {
    EXPECT_EQ(valid_utf8("Éloïse – ok"), "Éloïse – ok");
    EXPECT_EQ(valid_utf8(""), "");
}

TEST(TextValidUtf8, ReplacesEachInvalidSequenceWithOneReplacementCharacter) {
    EXPECT_EQ(valid_utf8("caf\xE9!"), "caf\xEF\xBF\xBD!");
    // A truncated 3-byte sequence is one error, not two.
    EXPECT_EQ(valid_utf8("a\xE2\x80"
                         "b"),
              "a\xEF\xBF\xBD"
              "b");
    // Overlong '/' and an encoded surrogate are invalid.
    EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    // Above U+10FFFF: the lead byte and each stray continuation byte are errors.
    EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(valid_utf8("end\xF0\x9F\x98"), "end\xEF\xBF\xBD");
}

TEST(TextToUtf8, ConvertsCommonMailCharsets) {
    EXPECT_EQ(to_utf8("Ga\xEBlle Le Cl\xE9"
                      "ac'h",
                      "ISO-8859-1"),
              "Gaëlle Le Cléac'h");
    EXPECT_EQ(to_utf8("Fran\xE7ois D\x92Hondt \x96 ok", "windows-1252"), "François D’Hondt – ok");
    EXPECT_EQ(to_utf8("\xA4uro", "iso-8859-15"), "€uro");
    EXPECT_EQ(to_utf8("Zden\xECk", "windows-1250"), "Zdeněk");
    EXPECT_EQ(to_utf8("\xB3\xF3\x64\xBC", "iso-8859-2"), "łódź");
    EXPECT_EQ(to_utf8("\xCF\xF0\xE8\xE2\xE5\xF2", "windows-1251"), "Привет");
}

TEST(TextToUtf8, UnderstandsAliases) {
    EXPECT_EQ(to_utf8("r\xE9sum\xE9", "latin1"), "résumé");
    EXPECT_EQ(to_utf8("r\xE9sum\xE9", "cp1252"), "résumé");
    EXPECT_EQ(to_utf8("r\xC3\xA9sum\xC3\xA9", "utf8"), "résumé");
    EXPECT_EQ(to_utf8("r\xC3\xA9sum\xC3\xA9", " UTF-8 "), "résumé");
}

TEST(TextToUtf8, ReadsIso88591LabelAsWindows1252) {
    // Mailers label Windows-1252 text ISO-8859-1; its C1 range is never meant.
    EXPECT_EQ(to_utf8("It\x92s \x93quoted\x94", "iso-8859-1"), "It’s “quoted”");
}

TEST(TextToUtf8, AsciiLabelledUtf8IsUtf8) {
    EXPECT_EQ(to_utf8("Am\xC3\xA9lie", "us-ascii"), "Amélie");
    EXPECT_EQ(to_utf8("Am\xE9lie", "us-ascii"), "Amélie");
}

TEST(TextToUtf8, UnknownCharsetFallsBackToUtf8ThenWindows1252) {
    EXPECT_EQ(to_utf8("Am\xC3\xA9lie", "x-unknown-charset"), "Amélie");
    EXPECT_EQ(to_utf8("Am\xE9lie", "x-unknown-charset"), "Amélie");
    EXPECT_EQ(to_utf8("Am\xE9lie", ""), "Amélie");
}

TEST(TextToUtf8, InvalidUtf8LabelledUtf8IsRepaired) {
    EXPECT_EQ(to_utf8("Am\xE9lie", "utf-8"), "Am\xEF\xBF\xBDlie");
}

TEST(TextNfc, ComposesDecomposedText) {
    EXPECT_EQ(nfc("E\xCC\x81loi\xCC\x88"
                  "se"),
              "Éloïse");  // E + U+0301, i + U+0308
    EXPECT_EQ(nfc("déjà"), "déjà");
}

TEST(TextFold, LowersAndRemovesAccents) {
    EXPECT_EQ(fold("Égalité"), "egalite");
    EXPECT_EQ(fold("Candidatura espontânea – Técnica de COMUNICAÇÃO"),
              "candidatura espontanea – tecnica de comunicacao");
    EXPECT_EQ(fold("E\xCC\x81loi\xCC\x88"
                   "se"),
              "eloise");
    EXPECT_EQ(fold("Łódź Straße Søren Œuvre"), "lodz strasse soren oeuvre");
    EXPECT_EQ(fold("ZDENĚK NOVÁK"), "zdenek novak");
}

TEST(TextFold, AsciiFoldsAsTheFullPathWouldFoldIt) {
    // ASCII takes a short cut (lower case only); an accented letter in front
    // sends the same characters through ICU, which must agree with it.
    std::string ascii;
    for (int c = 1; c < 128; ++c) ascii += static_cast<char>(c);
    EXPECT_EQ(fold(ascii), ascii_lower(ascii));
    EXPECT_EQ("e" + fold(ascii), fold("é" + ascii));
    EXPECT_EQ(fold("Policy INTERNSHIP – Anna"), "policy internship – anna");
}

TEST(TextFold, ATextFoldsAsItsLinesFold) {
    // Only the lines with a non-ASCII byte go through ICU; the whole must read as
    // if the text had gone through it in one piece.
    const std::string text =
        "CURRICULUM VITAE\nJosé Ñúñez\n\n2019 – 2022  Técnico, ŁÓDŹ\nEnglish C2\r\nfin";
    EXPECT_EQ(fold(text),
              "curriculum vitae\njose nunez\n\n2019 – 2022  tecnico, lodz\nenglish c2\r\nfin");
    EXPECT_EQ(fold("a\n"), "a\n");
    EXPECT_EQ(fold("\nÉ\n"), "\ne\n");
    // An invalid byte is replaced within its own line only.
    EXPECT_EQ(fold("Abc\n\xff\nDéf"), "abc\n\xEF\xBF\xBD\ndef");
}

TEST(TextAscii, LowerAndTrim) {
    EXPECT_EQ(ascii_lower("Content-Type: TEXT/Plain É"), "content-type: text/plain É");
    EXPECT_EQ(trim("  \t a b \r\n"), "a b");
    EXPECT_EQ(trim(" \r\n\t "), "");
    EXPECT_EQ(trim("x"), "x");
}

}  // namespace
}  // namespace intake::text
