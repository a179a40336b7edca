#include "larder/http/range.hpp"

#include <gtest/gtest.h>

using larder::http::ByteRange;
using larder::http::parse_ranges;
using larder::http::RangeIgnored;
using larder::http::RangeSet;

namespace {
void expect_range(std::string_view field, std::uint64_t length, std::uint64_t first,
                  std::uint64_t last) {
    RangeSet r = parse_ranges(field, length);
    ASSERT_EQ(r.kind, RangeSet::Kind::Satisfiable) << field;
    ASSERT_EQ(r.ranges.size(), 1u) << field;
    EXPECT_EQ(r.ranges[0].first, first) << field;
    EXPECT_EQ(r.ranges[0].last, last) << field;
}

RangeIgnored ignored_because(std::string_view field, std::uint64_t length = 1000) {
    RangeSet r = parse_ranges(field, length);
    EXPECT_EQ(r.kind, RangeSet::Kind::Ignored) << field;
    return r.ignored;
}
}  // namespace

TEST(Range, SingleOpenAndSuffixRanges) {
    expect_range("bytes=0-99", 1000, 0, 99);
    expect_range("bytes=500-599", 1000, 500, 599);
    expect_range("bytes=900-", 1000, 900, 999);
    expect_range("bytes=-100", 1000, 900, 999);
    expect_range("bytes=-5000", 1000, 0, 999);       // a suffix longer than the body: all of it
    expect_range("bytes=990-2000", 1000, 990, 999);  // last clamped
    expect_range("bytes=999-999", 1000, 999, 999);
    expect_range(" Bytes = 1 - 2 ", 10, 1, 2);
    expect_range("BYTES=0-0", 10, 0, 0);  // the unit is case-insensitive
}

TEST(Range, UnsatisfiableWhenNoRangeOverlapsTheBody) {
    for (std::string_view field : {"bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=1000-,-0"})
        EXPECT_EQ(parse_ranges(field, 1000).kind, RangeSet::Kind::Unsatisfiable) << field;
}

TEST(Range, UnsatisfiableMembersOfASetAreLeftOut) {
    RangeSet r = parse_ranges("bytes=2000-3000, 10-19", 1000);
    ASSERT_EQ(r.kind, RangeSet::Kind::Satisfiable);
    ASSERT_EQ(r.ranges.size(), 1u);
    EXPECT_EQ(r.ranges[0], (ByteRange{10, 19}));
}

TEST(Range, SeveralRangesKeepTheClientsOrder) {
    RangeSet r = parse_ranges("bytes=500-599, 0-9 ,, -10", 1000);
    ASSERT_EQ(r.kind, RangeSet::Kind::Satisfiable);
    ASSERT_EQ(r.ranges.size(), 3u);
    EXPECT_EQ(r.ranges[0], (ByteRange{500, 599}));
    EXPECT_EQ(r.ranges[1], (ByteRange{0, 9}));
    EXPECT_EQ(r.ranges[2], (ByteRange{990, 999}));
    // Adjacent ranges share no byte: served as they are.
    EXPECT_EQ(parse_ranges("bytes=0-9,10-19", 1000).ranges.size(), 2u);
}

TEST(Range, IgnoredSetsSayWhy) {
    EXPECT_EQ(ignored_because("items=0-1"), RangeIgnored::NotBytes);
    EXPECT_EQ(ignored_because("bytes"), RangeIgnored::NotBytes);
    for (std::string_view field :
         {"bytes=5-1", "bytes=a-b", "bytes=-", "bytes=", "bytes=,", "bytes=99999999999999999999-",
          "bytes=0-1,x", "bytes=1", "bytes=+1-2", "bytes=0-1-2", "bytes=--5"})
        EXPECT_EQ(ignored_because(field), RangeIgnored::Malformed) << field;
    EXPECT_EQ(ignored_because("bytes=0-99,50-150"), RangeIgnored::Overlapping);
    EXPECT_EQ(ignored_because("bytes=0-0,0-0"), RangeIgnored::Overlapping);
    EXPECT_EQ(ignored_because("bytes=-500,400-"), RangeIgnored::Overlapping);
    EXPECT_EQ(ignored_because("bytes=0-1", 0), RangeIgnored::EmptyRepresentation);
    EXPECT_EQ(ignored_because("bytes=-10", 0), RangeIgnored::EmptyRepresentation);
    EXPECT_EQ(ignored_because("bytes=x", 0), RangeIgnored::Malformed);
}

TEST(Range, TooManyRangesGetTheWhole200) {
    std::string field = "bytes=";
    for (int i = 0; i < 17; ++i)
        field += std::to_string(i * 10) + "-" + std::to_string(i * 10 + 1) + ",";
    EXPECT_EQ(ignored_because(field), RangeIgnored::TooManyRanges);
    EXPECT_EQ(parse_ranges(field, 1000, 17).ranges.size(), 17u);
}

TEST(Range, ContentRangeValues) {
    EXPECT_EQ(larder::http::content_range({0, 99}, 1000), "bytes 0-99/1000");
    EXPECT_EQ(larder::http::unsatisfied_content_range(1000), "bytes */1000");
}

TEST(Range, MultipartPlanFramesEveryPart) {
    auto plan = larder::http::plan_multipart({{0, 1}, {5, 5}}, 10, "text/plain", "BOUND");
    EXPECT_EQ(plan.content_type, "multipart/byteranges; boundary=BOUND");
    ASSERT_EQ(plan.part_heads.size(), 2u);
    EXPECT_EQ(plan.part_heads[0],
              "\r\n--BOUND\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n");
    EXPECT_EQ(plan.closing, "\r\n--BOUND--\r\n");
    std::string body = "0123456789";
    std::string whole = plan.part_heads[0] + body.substr(0, 2) + plan.part_heads[1] +
                        body.substr(5, 1) + plan.closing;
    EXPECT_EQ(plan.content_length, whole.size());
    // Without a Content-Type, the parts carry none.
    auto bare = larder::http::plan_multipart({{0, 0}}, 1, "", "B");
    EXPECT_EQ(bare.part_heads[0], "\r\n--B\r\nContent-Range: bytes 0-0/1\r\n\r\n");
}
