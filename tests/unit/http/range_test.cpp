#include "larder/http/range.hpp"

#include <gtest/gtest.h>

using larder::http::ByteRange;
using larder::http::parse_range;

namespace {
void expect_range(std::string_view field, std::uint64_t length, std::uint64_t first,
                  std::uint64_t last) {
    ByteRange r = parse_range(field, length);
    EXPECT_EQ(r.kind, ByteRange::Kind::Satisfiable) << field;
    EXPECT_EQ(r.first, first) << field;
    EXPECT_EQ(r.last, last) << field;
}
}  // namespace

TEST(Range, SingleOpenAndSuffixRanges) {
    expect_range("bytes=0-99", 1000, 0, 99);
    expect_range("bytes=500-599", 1000, 500, 599);
    expect_range("bytes=900-", 1000, 900, 999);
    expect_range("bytes=-100", 1000, 900, 999);
    expect_range("bytes=-5000", 1000, 0, 999);       // a suffix longer than the body: all of it
    expect_range("bytes=990-2000", 1000, 990, 999);  // last clamped
    expect_range(" Bytes = 1 - 2 ", 10, 1, 2);
}

TEST(Range, UnsatisfiableAndIgnored) {
    EXPECT_EQ(parse_range("bytes=1000-", 1000).kind, ByteRange::Kind::Unsatisfiable);
    EXPECT_EQ(parse_range("bytes=5000-6000", 1000).kind, ByteRange::Kind::Unsatisfiable);
    EXPECT_EQ(parse_range("bytes=-0", 1000).kind, ByteRange::Kind::Unsatisfiable);
    EXPECT_EQ(parse_range("bytes=-10", 0).kind, ByteRange::Kind::Unsatisfiable);
    for (std::string_view ignored : {"bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=a-b",
                                     "bytes", "bytes=-", "bytes=99999999999999999999-"})
        EXPECT_EQ(parse_range(ignored, 1000).kind, ByteRange::Kind::Ignored) << ignored;
}
