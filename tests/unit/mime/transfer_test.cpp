// Base64 as mail carries it: the regular lines take the fast decoder, and every
// irregular shape must still give the bytes the tolerant decoder gives.
#include "mime/transfer.h"

#include <gtest/gtest.h>

#include <string>

namespace intake::mime {
namespace {

std::string every_byte_value() {
    std::string bytes;
    for (int round = 0; round < 3; ++round) {
        for (int value = 0; value < 256; ++value) bytes += static_cast<char>(value);
    }
    return bytes;
}

// The 768 bytes above as a mailer writes them: lines of 76 characters.
std::string encoded_every_byte_value(std::string_view line_end) {
    // From Python's base64.b64encode(bytes(range(256)) * 3).
    static const std::string flat =
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4"
        "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3Bx"
        "cnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmq"
        "q6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj"
        "5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhsc"
        "HR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RV"
        "VldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4SFhoeIiYqLjI2O"
        "j5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqusra6vsLGys7S1tre4ubq7vL2+v8DBwsPExcbH"
        "yMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8A"
        "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5"
        "Ojs8PT4/QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFy"
        "c3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6foKGio6Slpqeoqaqr"
        "rK2ur7CxsrO0tba3uLm6u7y9vr/AwcLDxMXGx8jJysvMzc7P0NHS09TV1tfY2drb3N3e3+Dh4uPk"
        "5ebn6Onq6+zt7u/w8fLz9PX29/j5+vv8/f7/";
    std::string out;
    for (std::size_t at = 0; at < flat.size(); at += 76) {
        out += flat.substr(at, 76);
        out += line_end;
    }
    return out;
}

TEST(DecodeBase64, RegularLinesGiveEveryByteBack) {
    EXPECT_EQ(decode_base64(encoded_every_byte_value("\r\n")), every_byte_value());
    EXPECT_EQ(decode_base64(encoded_every_byte_value("\n")), every_byte_value());
    EXPECT_EQ(decode_base64(encoded_every_byte_value(" \t\r\n")), every_byte_value());
}

TEST(DecodeBase64, PaddingAtTheEndGivesOnlyTheBytesItEncodes) {
    EXPECT_EQ(decode_base64("QQ=="), "A");
    EXPECT_EQ(decode_base64("QUI=\r\n"), "AB");
    EXPECT_EQ(decode_base64("QUJD\r\nRA==\r\n"), "ABCD");
    EXPECT_EQ(decode_base64("QUJDRA==\r\n\r\n"), "ABCD");
    EXPECT_EQ(decode_base64(""), "");
}

TEST(DecodeBase64, IrregularShapesAreDecodedTolerantly) {
    EXPECT_EQ(decode_base64("QUJ\r\nDRA==\r\n"), "ABCD");         // a group split across lines
    EXPECT_EQ(decode_base64("QUJ!D\r\n"), "ABC");                 // a stray character
    EXPECT_EQ(decode_base64("QQ==\r\nQUI=\r\n"), "AAB");          // padding inside the part
    EXPECT_EQ(decode_base64("QUJDRA=\r\n"), "ABCD");              // short padding
    EXPECT_EQ(decode_base64("QUJD RA==\r\n"), "ABCD");            // a space inside a line
    EXPECT_EQ(decode_base64("QUJDRA"), "ABCD");                   // no padding at all
    EXPECT_EQ(decode_base64("QQ=A\r\nQUJD\r\n"), "AABC");         // '=' inside a group
    EXPECT_EQ(decode_base64("QUJD\r\nQ===\r\n"), "ABCB");         // too much padding
    EXPECT_EQ(decode_base64("QUI=\r\n \t\r\n\r\n"), "AB");        // blank lines after the end
    EXPECT_EQ(decode_base64(" QUJD\t\r\n\tRA==  \r\n"), "ABCD");  // blanks around lines
}

}  // namespace
}  // namespace intake::mime
