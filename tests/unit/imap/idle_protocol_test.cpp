// The IDLE conversation's pure parts on lines as Dovecot 2.3 sends them.
#include "imap/idle_protocol.h"

#include <gtest/gtest.h>

#include "base/errors.h"

namespace intake::imap {
namespace {

using Kind = IdleEvent::Kind;

TEST(ResponseBuffer, HandsOutWholeLinesOnly) {
    ResponseBuffer buffer;
    buffer.append("+ idling\r\n* 4 EXI");
    EXPECT_EQ(buffer.next(), "+ idling");
    EXPECT_EQ(buffer.next(), std::nullopt);
    buffer.append("STS\r");
    EXPECT_EQ(buffer.next(), std::nullopt);
    buffer.append("\n* 1 RECENT\r\n");
    EXPECT_EQ(buffer.next(), "* 4 EXISTS");
    EXPECT_EQ(buffer.next(), "* 1 RECENT");
    EXPECT_EQ(buffer.next(), std::nullopt);
}

TEST(ResponseBuffer, KeepsALiteralInsideItsResponse) {
    ResponseBuffer buffer;
    buffer.append("* LIST () \"/\" {7}\r\nA\r\nB\r\nC");
    EXPECT_EQ(buffer.next(), std::nullopt);  // the literal is not whole yet
    buffer.append(" more\r\n* 2 EXISTS\r\n");
    EXPECT_EQ(buffer.next(), "* LIST () \"/\" {7}\r\nA\r\nB\r\nC more");
    EXPECT_EQ(buffer.next(), "* 2 EXISTS");
}

TEST(ResponseBuffer, RefusesAnEndlessResponse) {
    ResponseBuffer buffer(64);
    buffer.append(std::string(65, 'x'));
    EXPECT_THROW(buffer.next(), TransientError);
}

TEST(ResponseBuffer, RefusesAHugeLiteral) {
    ResponseBuffer buffer(64);
    buffer.append("* 1 FETCH (BODY[] {100000}\r\n");
    EXPECT_EQ(buffer.next(), std::nullopt);
    buffer.append(std::string(70, 'x'));
    EXPECT_THROW(buffer.next(), TransientError);
}

TEST(ClassifyResponse, NewMailIsExistsOrNonZeroRecent) {
    EXPECT_EQ(classify_response("* 4 EXISTS").kind, Kind::new_mail);
    EXPECT_EQ(classify_response("* 12 exists").kind, Kind::new_mail);
    EXPECT_EQ(classify_response("* 1 RECENT").kind, Kind::new_mail);
    EXPECT_EQ(classify_response("* 0 RECENT").kind, Kind::other);
    EXPECT_EQ(classify_response("* 3 EXPUNGE").kind, Kind::other);
    EXPECT_EQ(classify_response("* 2 FETCH (FLAGS (\\Seen))").kind, Kind::other);
    EXPECT_EQ(classify_response("* OK Still here").kind, Kind::other);
    EXPECT_EQ(classify_response("* EXISTS").kind, Kind::other);
}

TEST(ClassifyResponse, ByeContinuationAndTaggedReplies) {
    EXPECT_EQ(classify_response("* BYE Server shutting down.").kind, Kind::bye);
    EXPECT_EQ(classify_response("+ idling").kind, Kind::continuation);
    EXPECT_EQ(classify_response("+").kind, Kind::continuation);

    const IdleEvent done = classify_response("I3 OK Idle completed (0.001 + 12.5 secs).");
    EXPECT_EQ(done.kind, Kind::tagged);
    EXPECT_EQ(done.tag, "I3");
    EXPECT_EQ(done.status, "OK");
    const IdleEvent refused = classify_response("I2 bad Unknown command.");
    EXPECT_EQ(refused.kind, Kind::tagged);
    EXPECT_EQ(refused.status, "BAD");
    EXPECT_EQ(classify_response("I2 WHAT").kind, Kind::other);
    EXPECT_EQ(classify_response("").kind, Kind::other);
}

}  // namespace
}  // namespace intake::imap
