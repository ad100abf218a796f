// How a batch is cut into groups: as few as kMaxGroupMessages allows, all of
// about the same size, so no short last group leaves the replies of the group
// before it to go out after the drain.
#include <gtest/gtest.h>

#include "daemon/pipeline.h"

namespace intake::daemon {
namespace {

TEST(GroupSize, AsFewGroupsAsTheLimitAllowsOfAboutTheSameSize) {
    EXPECT_EQ(group_size(56, 100), 56u);    // one group
    EXPECT_EQ(group_size(100, 100), 100u);  // still one
    EXPECT_EQ(group_size(144, 100), 72u);   // 72 + 72, not 100 + 44
    EXPECT_EQ(group_size(200, 100), 100u);  // 100 + 100
    EXPECT_EQ(group_size(201, 100), 67u);   // 67 + 67 + 67, not 100 + 100 + 1
    EXPECT_EQ(group_size(1, 100), 1u);
    EXPECT_EQ(group_size(0, 100), 1u);  // nothing to cut; never a step of 0
}

TEST(GroupSize, NoGroupIsOverTheLimitAndNoMoreGroupsThanNeeded) {
    for (std::size_t messages = 1; messages <= 1000; ++messages) {
        const std::size_t size = group_size(messages, kMaxGroupMessages);
        const std::size_t groups = (messages + size - 1) / size;
        EXPECT_LE(size, kMaxGroupMessages) << messages;
        EXPECT_EQ(groups, (messages + kMaxGroupMessages - 1) / kMaxGroupMessages) << messages;
        // Only the last may be shorter, by fewer messages than there are groups.
        EXPECT_LE(groups * size - messages, groups - 1) << messages;
    }
}

}  // namespace
}  // namespace intake::daemon
