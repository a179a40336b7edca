// PurgeMessage: what goes into the stream comes back out, and nothing else is accepted.
#include "larder/cluster/purge_message.hpp"

#include <gtest/gtest.h>

namespace larder::cluster {
namespace {

TEST(PurgeMessage, RoundTripsEveryKind) {
    for (auto kind : {cache::PurgeKind::Url, cache::PurgeKind::Prefix, cache::PurgeKind::Pattern,
                      cache::PurgeKind::Tag}) {
        for (bool soft : {false, true}) {
            PurgeMessage m{"node-a",
                           {.kind = kind, .value = "http://example.com/a?b=1", .soft = soft}};
            Decoded d = decode(encode(m));
            ASSERT_EQ(d.error, DecodeError::None);
            EXPECT_EQ(d.message.node, "node-a");
            EXPECT_EQ(d.message.order.kind, kind);
            EXPECT_EQ(d.message.order.value, "http://example.com/a?b=1");
            EXPECT_EQ(d.message.order.soft, soft);
        }
    }
}

TEST(PurgeMessage, EncodesFlatNamedFields) {
    StreamFields f =
        encode({"n1", {.kind = cache::PurgeKind::Tag, .value = "post-7", .soft = true}});
    EXPECT_EQ(f,
              (StreamFields{{"node", "n1"}, {"kind", "tag"}, {"value", "post-7"}, {"soft", "1"}}));
}

TEST(PurgeMessage, RefusesWhatItDidNotWrite) {
    const StreamFields good{{"node", "n"}, {"kind", "url"}, {"value", "v"}, {"soft", "0"}};
    auto with = [&](std::size_t i, std::string name, std::string value) {
        StreamFields f = good;
        f[i] = {std::move(name), std::move(value)};
        return decode(f).error;
    };
    EXPECT_EQ(with(1, "kind", "everything"), DecodeError::BadKind);
    EXPECT_EQ(with(1, "kind", "URL"), DecodeError::BadKind);
    EXPECT_EQ(with(3, "soft", "yes"), DecodeError::BadSoft);
    EXPECT_EQ(with(3, "hard", "0"), DecodeError::UnknownField);
    EXPECT_EQ(with(3, "node", "again"), DecodeError::UnknownField);  // a repeated field
    EXPECT_EQ(with(2, "value", std::string(kMaxPurgeValue + 1, 'x')), DecodeError::TooLong);
    StreamFields missing(good.begin(), good.end() - 1);
    EXPECT_EQ(decode(missing).error, DecodeError::MissingField);
    EXPECT_EQ(decode({}).error, DecodeError::MissingField);
    EXPECT_STREQ(to_string(DecodeError::BadKind), "bad_kind");
}

}  // namespace
}  // namespace larder::cluster
