// RFC 5322 dates, current and obsolete forms.
#include <gtest/gtest.h>

#include "mime/mime.h"

namespace intake::mime {
namespace {

using namespace std::chrono;

sys_seconds utc(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
    return sys_seconds{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} +
           seconds{s};
}

TEST(MimeParseDate, Rfc5322) {
    EXPECT_EQ(parse_date("Fri, 14 Mar 2025 23:20:00 +0000"), utc(2025, 3, 14, 23, 20));
    EXPECT_EQ(parse_date("Wed, 12 Mar 2025 19:05:00 +0100"), utc(2025, 3, 12, 18, 5));
    EXPECT_EQ(parse_date("Mon, 27 Jan 2025 16:10:00 -0230"), utc(2025, 1, 27, 18, 40));
    EXPECT_EQ(parse_date("  Tue, 4 Feb 2025 15:41:27 +0000  "), utc(2025, 2, 4, 15, 41, 27));
}

TEST(MimeParseDate, ObsoleteForms) {
    EXPECT_EQ(parse_date("14 Mar 2025 23:20 +0100"),
              utc(2025, 3, 14, 22, 20));  // no weekday, no seconds
    EXPECT_EQ(parse_date("Fri, 14 Mar 25 23:20:00 +0000"),
              utc(2025, 3, 14, 23, 20));  // two-digit year
    EXPECT_EQ(parse_date("Sat, 1 Jan 99 00:00:00 GMT"), utc(1999, 1, 1, 0, 0));
    EXPECT_EQ(parse_date("Sat, 1 Jan 101 00:00:00 GMT"),
              utc(2001, 1, 1, 0, 0));  // three digits: +1900
    EXPECT_EQ(parse_date("Tue, 8 Apr 2025 14:16:58 +0200 (CEST)"), utc(2025, 4, 8, 12, 16, 58));
    EXPECT_EQ(parse_date("Tue, 28 Jan 2025 19:10:58 +0000 (UTC)"), utc(2025, 1, 28, 19, 10, 58));
    EXPECT_EQ(parse_date("Thu, 13 Mar 2025 09:02:30 EST"), utc(2025, 3, 13, 14, 2, 30));
    EXPECT_EQ(parse_date("Thu, 13 Mar 2025 09:02:30 PDT"), utc(2025, 3, 13, 16, 2, 30));
    EXPECT_EQ(parse_date("Thu, 13 Mar 2025 09:02:30 UT"), utc(2025, 3, 13, 9, 2, 30));
    EXPECT_EQ(parse_date("Thu,13 Mar 2025 09:02:30 +0100"), utc(2025, 3, 13, 8, 2, 30));
    EXPECT_EQ(parse_date("Thu, 13 Mar 2025 09:02:30"), utc(2025, 3, 13, 9, 2, 30));  // no zone: UTC
    EXPECT_EQ(parse_date("Fri Mar 14 23:20:00 2025"), utc(2025, 3, 14, 23, 20));     // asctime
}

TEST(MimeParseDate, UnreadableIsNullopt) {
    EXPECT_EQ(parse_date(""), std::nullopt);
    EXPECT_EQ(parse_date("yesterday"), std::nullopt);
    EXPECT_EQ(parse_date("31 Feb 2025 10:00:00 +0000"), std::nullopt);
    EXPECT_EQ(parse_date("14 Mar 2025 25:00:00 +0000"), std::nullopt);
    EXPECT_EQ(parse_date("14 Foo 2025 10:00:00 +0000"), std::nullopt);
    EXPECT_EQ(parse_date("14 Mar 2025"), std::nullopt);
}

}  // namespace
}  // namespace intake::mime
