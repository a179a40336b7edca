// StreamId: strict parsing, ordering, and the lag between two ids.
#include "larder/cluster/stream_id.hpp"

#include <gtest/gtest.h>

namespace larder::cluster {
namespace {

TEST(StreamId, ParsesAndPrints) {
    auto id = StreamId::parse("1700000000123-7");
    ASSERT_TRUE(id);
    EXPECT_EQ(id->ms, 1700000000123u);
    EXPECT_EQ(id->seq, 7u);
    EXPECT_EQ(id->text(), "1700000000123-7");
    EXPECT_TRUE(StreamId::parse("0-0")->zero());
}

TEST(StreamId, RefusesAnythingElse) {
    for (const char* bad : {"", "-", "1", "1-", "-1", "1-2-3", " 1-2", "1-2 ", "+1-2", "a-1",
                            "99999999999999999999999-0", "$"})
        EXPECT_FALSE(StreamId::parse(bad)) << bad;
}

TEST(StreamId, OrdersByMillisecondsThenSequence) {
    EXPECT_LT(*StreamId::parse("5-9"), *StreamId::parse("6-0"));
    EXPECT_LT(*StreamId::parse("6-0"), *StreamId::parse("6-1"));
    EXPECT_EQ(*StreamId::parse("6-1"), (StreamId{6, 1}));
}

TEST(StreamId, LagIsTheStreamTimeBetweenThem) {
    EXPECT_EQ(lag_ms({1000, 0}, {1250, 3}), 250);
    EXPECT_EQ(lag_ms({1250, 3}, {1250, 3}), 0);
    EXPECT_EQ(lag_ms({1250, 1}, {1250, 3}), 0);  // behind, within one millisecond
    EXPECT_EQ(lag_ms({2000, 0}, {1000, 0}), 0);  // ahead: a stale view of the stream
}

}  // namespace
}  // namespace larder::cluster
