// HTML reduced to text.
#include <gtest/gtest.h>

#include "mime/mime.h"

namespace intake::mime {
namespace {

TEST(MimeHtmlToText, DropsInvisibleContent) {
    EXPECT_EQ(
        html_to_text("<html><head><title>T</title><style>p{color:red}</style></head>"
                     "<body><script>var a='<p>x</p>';</script><p>Hello</p><!-- hidden <b>x</b> -->"
                     "</body></html>"),
        "Hello");
    // A <head> without its end tag ends where <body> starts.
    EXPECT_EQ(html_to_text("<head><meta charset=utf-8><body>Text"), "Text");
}

TEST(MimeHtmlToText, BlocksBecomeLines) {
    EXPECT_EQ(html_to_text("<p>Dear team,</p><p>my CV is attached.</p>"),
              "Dear team,\n\nmy CV is attached.");
    EXPECT_EQ(html_to_text("Kind regards,<br>Ana<br/>Brussels"), "Kind regards,\nAna\nBrussels");
    EXPECT_EQ(html_to_text("<div>Hello,</div><div><br></div><div>Please find</div>"),
              "Hello,\n\nPlease find");
    EXPECT_EQ(html_to_text("<ul><li>one</li><li>two</li></ul><h2>Title</h2>after"),
              "one\ntwo\n\nTitle\n\nafter");
    EXPECT_EQ(
        html_to_text(
            "<table><tr><td>Phone</td><td>123</td></tr><tr><td>Mail</td><td>a@b</td></tr></table>"),
        "Phone 123\nMail a@b");
}

TEST(MimeHtmlToText, EntitiesDecoded) {
    EXPECT_EQ(
        html_to_text(
            "Fran&ccedil;ais &amp; Espa&ntilde;ol &lt;3 &quot;ok&quot; &eacute;t&eacute; &agrave;"),
        "Français & Español <3 \"ok\" été à");
    EXPECT_EQ(html_to_text("caf&#233; &#x2013; &#X2014; &#150;"), "café – — –");
    EXPECT_EQ(html_to_text("a&nbsp;b &unknown; &amp"), "a b &unknown; &");
    EXPECT_EQ(html_to_text("&#0; &#xD800; &#1114112;"), "\xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD");
}

TEST(MimeHtmlToText, WhiteSpaceCollapsedInlineMarkupKeepsSpaces) {
    EXPECT_EQ(html_to_text("  I   apply\n for the <b>Project Lead</b> post  "),
              "I apply for the Project Lead post");
    EXPECT_EQ(html_to_text("<span>a</span><span>b</span> <a href=\"x\">link</a>"), "ab link");
}

TEST(MimeHtmlToText, NeverFailsOnBrokenMarkup) {
    EXPECT_EQ(html_to_text("a < b and c > d"), "a < b and c > d");
    EXPECT_EQ(html_to_text("<p title=\"x > y\">quoted</p>"), "quoted");
    EXPECT_EQ(html_to_text("<p>unterminated <b"), "unterminated");
    EXPECT_EQ(html_to_text("<!-- never closed <p>text"), "");
    EXPECT_EQ(html_to_text("<script>no end"), "");
    EXPECT_EQ(html_to_text(""), "");
}

}  // namespace
}  // namespace intake::mime
