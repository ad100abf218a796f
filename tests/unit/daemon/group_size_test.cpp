// How a batch is cut into groups: none over kMaxGroupMessages, shrinking
// towards the end so that the replies left to send after the drain are few.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "daemon/pipeline.h"

namespace intake::daemon {
namespace {

using Sizes = std::vector<std::size_t>;

TEST(GroupSizes, ShrinkTowardsTheEndOfABatch) {
    EXPECT_EQ(group_sizes(144, 100), (Sizes{88, 40, 16}));  // was 72 + 72
    EXPECT_EQ(group_sizes(56, 100), (Sizes{40, 16}));
    EXPECT_EQ(group_sizes(200, 100), (Sizes{44, 100, 40, 16}));
    EXPECT_EQ(group_sizes(57, 100), (Sizes{41, 16}));  // not 1 + 40 + 16
}

TEST(GroupSizes, ASmallBatchStaysOneGroup) {
    EXPECT_EQ(group_sizes(32, 100), (Sizes{32}));
    EXPECT_EQ(group_sizes(1, 100), (Sizes{1}));
    EXPECT_EQ(group_sizes(0, 100), Sizes{});
    EXPECT_EQ(group_sizes(5, 3), (Sizes{2, 3}));  // unless the limit is lower
}

TEST(GroupSizes, EveryMessageOnceNoGroupOverTheLimitAndFewGroupsMore) {
    for (const std::size_t max_group : {std::size_t{3}, std::size_t{40}, kMaxGroupMessages}) {
        for (std::size_t messages = 1; messages <= 1000; ++messages) {
            const Sizes sizes = group_sizes(messages, max_group);
            ASSERT_FALSE(sizes.empty()) << messages;
            EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}), messages);
            const std::size_t fewest = (messages + max_group - 1) / max_group;
            EXPECT_LE(sizes.size(), fewest + 2) << messages << " by " << max_group;
            const std::size_t last = std::min(kLastGroupMessages, max_group);
            if (messages > 2 * last) {
                EXPECT_EQ(sizes.back(), last) << messages;
            }
            for (std::size_t i = 0; i < sizes.size(); ++i) {
                EXPECT_LE(sizes[i], max_group) << messages;
                EXPECT_GE(sizes[i], std::min(messages, last / 2)) << messages;
                // Each group's replies can leave while the next group is drained.
                if (i + 1 < sizes.size()) {
                    EXPECT_LE(sizes[i], sizes[i + 1] * 5 / 2 + last / 2) << messages;
                }
            }
        }
    }
}

}  // namespace
}  // namespace intake::daemon
